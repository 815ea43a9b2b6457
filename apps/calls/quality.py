"""Quality audit averages: per criterion and of the total %, over any set of audits.

An average is the mean over the audits counted (every audit counts, not only each call's most
recent one: the audit list shows them all). A criterion scores 0–5; the total is a %.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Avg, Count, QuerySet, Sum

from .models import QualityAudit

CRITERIA = QualityAudit.SCORE_FIELDS
AVERAGED = (*CRITERIA, "total_percent")


def criterion_label(name: str) -> str:
    return str(QualityAudit._meta.get_field(name).verbose_name).capitalize()


@dataclass(frozen=True)
class AuditAverages:
    """How many audits, and the mean of each criterion and of the total % (None: no audit)."""

    audits: int
    means: dict[str, float | None]

    @property
    def total(self) -> float | None:
        return self.means["total_percent"]

    def labelled(self) -> list[tuple[str, float | None]]:
        return [(criterion_label(name), self.means[name]) for name in CRITERIA]


def audit_averages(audits: QuerySet) -> AuditAverages:
    """The averages of `audits` (a filtered list), in one aggregate query."""
    found = audits.order_by().aggregate(
        audits=Count("pk"), **{name: Avg(name) for name in AVERAGED}
    )
    return AuditAverages(
        audits=found["audits"],
        means={name: None if found[name] is None else float(found[name]) for name in AVERAGED},
    )


@dataclass
class ScoreSums:
    """Sums of each criterion and of the total % over some audits: averages that add up."""

    audits: int = 0
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(AVERAGED, 0.0))

    def add(self, other: "ScoreSums") -> None:
        self.audits += other.audits
        for name in AVERAGED:
            self.sums[name] += other.sums[name]

    def averages(self) -> AuditAverages:
        return AuditAverages(
            audits=self.audits,
            means={
                name: self.sums[name] / self.audits if self.audits else None for name in AVERAGED
            },
        )


def scores_by_agent_and_auditor(
    client_id: int, start: datetime, end: datetime
) -> dict[tuple[int | None, int], ScoreSums]:
    """(agent id or None, auditor id) → sums of the client's audits scored in [start, end),
    the agent being who handled the audited call. One grouped query over the audits' (client,
    scored_at) index, so per agent, per auditor and overall are sums of its rows."""
    rows = (
        QualityAudit.objects.filter(client_id=client_id, scored_at__gte=start, scored_at__lt=end)
        .order_by()
        .values("call__assignee_id", "auditor_id")
        .annotate(audits=Count("pk"), **{name: Sum(name) for name in AVERAGED})
    )
    return {
        (row["call__assignee_id"], row["auditor_id"]): ScoreSums(
            audits=row["audits"], sums={name: float(row[name]) for name in AVERAGED}
        )
        for row in rows
    }
