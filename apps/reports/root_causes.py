"""Root causes: which root-cause categories lie behind a client's interruptions, failure
reports and escalations in a period, which services they keep hitting, and how the corrective
actions decided on them stand.

A record is in the period when it occurred in it (`occurred_at` in `[start, end)`, calendar
time). Each figure is one grouped query per kind of record, read through the indexes on
(client, occurred_at): a month costs the same whatever the volume of other months.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, Q

from apps.core.choices import RootCause
from apps.core.listing.root_cause import NOT_RECORDED
from apps.escalations.models import Escalation
from apps.failures.actions import ACTION_STATES, action_condition
from apps.failures.models import CorrectiveAction, FailureReport
from apps.interruptions.models import Interruption


@dataclass(frozen=True)
class CauseKind:
    key: str
    label: str
    model: type
    list_url_name: str


INTERRUPTIONS = CauseKind("interruptions", "Interruptions", Interruption, "interruptions:list")
FAILURES = CauseKind("failures", "Failure reports", FailureReport, "failures:list")
ESCALATIONS = CauseKind("escalations", "Escalations", Escalation, "escalations:list")
CAUSE_KINDS = (INTERRUPTIONS, FAILURES, ESCALATIONS)
# The kinds that name the service they concern (escalations name none).
SERVICE_KINDS = (INTERRUPTIONS, FAILURES)

CATEGORY_LABELS = {**dict(RootCause.choices), NOT_RECORDED: "Not recorded"}
CATEGORY_ORDER = {value: index for index, value in enumerate(CATEGORY_LABELS)}


def _category(stored: str) -> str:
    """The filter value of a stored category: '' (none recorded) is 'none'."""
    return stored or NOT_RECORDED


@dataclass(frozen=True)
class ParetoRow:
    category: str  # a RootCause value, or NOT_RECORDED
    counts: dict[str, int]  # CauseKind.key → records
    cumulative_percent: float | None  # None for "not recorded", and when nothing is recorded

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _occurred_in(client_id: int, start: datetime, end: datetime, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}client_id": client_id,
            f"{prefix}occurred_at__gte": start,
            f"{prefix}occurred_at__lt": end,
        }
    )


def pareto(client_id: int, start: datetime, end: datetime) -> list[ParetoRow]:
    """Records that occurred in `[start, end)` per root-cause category and kind: every
    category, the most frequent first (ties in the code list's order), each with the share of
    all records with a recorded cause that it and the ones above it account for; the records
    with no cause recorded last, outside the cumulative share."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_keys(), 0))
    for kind in CAUSE_KINDS:
        grouped = (
            kind.model.objects.filter(_occurred_in(client_id, start, end))
            .order_by()
            .values("root_cause_category")
            .annotate(records=Count("pk"))
        )
        for row in grouped:
            counts[_category(row["root_cause_category"])][kind.key] += row["records"]
    causes = sorted(
        RootCause.values, key=lambda value: (-sum(counts[value].values()), CATEGORY_ORDER[value])
    )
    recorded = sum(sum(counts[value].values()) for value in causes)
    rows, running = [], 0
    for value in causes:
        running += sum(counts[value].values())
        share = 100 * running / recorded if recorded else None
        rows.append(ParetoRow(value, counts[value], share))
    rows.append(ParetoRow(NOT_RECORDED, counts[NOT_RECORDED], None))
    return rows


def _keys() -> list[str]:
    return [kind.key for kind in CAUSE_KINDS]


@dataclass(frozen=True)
class ServiceCauseRow:
    service_id: int
    service_name: str
    category: str
    counts: dict[str, int]  # INTERRUPTIONS / FAILURES key → records

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def causes_per_service(client_id: int, start: datetime, end: datetime) -> list[ServiceCauseRow]:
    """For each service and recorded root-cause category, the interruptions that affected the
    service and the failure reports that concern it, among those that occurred in
    `[start, end)`; an interruption counts once for each service it affected. Most records
    first. Records with no cause recorded or no service named are left out."""
    through = Interruption.affected_services.through
    interruption_rows = (
        through.objects.filter(_occurred_in(client_id, start, end, "interruption__"))
        .exclude(interruption__root_cause_category="")
        .order_by()
        .values("service_id", "service__name", cause=F("interruption__root_cause_category"))
        .annotate(records=Count("pk"))
    )
    failure_rows = (
        FailureReport.objects.filter(_occurred_in(client_id, start, end), service__isnull=False)
        .exclude(root_cause_category="")
        .order_by()
        .values("service_id", "service__name", cause=F("root_cause_category"))
        .annotate(records=Count("pk"))
    )
    found: dict[tuple[int, str], dict[str, int]] = {}
    names: dict[int, str] = {}
    for kind, rows in ((INTERRUPTIONS, interruption_rows), (FAILURES, failure_rows)):
        for row in rows:
            key = (row["service_id"], row["cause"])
            found.setdefault(key, {k.key: 0 for k in SERVICE_KINDS})[kind.key] += row["records"]
            names[row["service_id"]] = row["service__name"]
    result = [
        ServiceCauseRow(service_id, names[service_id], category, counts)
        for (service_id, category), counts in found.items()
    ]
    result.sort(key=lambda row: (-row.total, row.service_name, CATEGORY_ORDER[row.category]))
    return result


@dataclass(frozen=True)
class ActionRow:
    category: str
    counts: dict[str, int]  # action state (open, overdue, done, waived) → actions

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]


def corrective_actions_per_cause(
    client_id: int, start: datetime, end: datetime, today: date
) -> list[ActionRow]:
    """The corrective actions of the failure reports that occurred in `[start, end)`, per the
    report's root-cause category, as they stand on `today`: open (neither done nor waived),
    overdue (open, due before `today`), done and waived. Categories with no action are left
    out; in the code list's order, "not recorded" last."""
    states = [state for state, _ in ACTION_STATES]
    grouped = (
        CorrectiveAction.objects.filter(_occurred_in(client_id, start, end, "report__"))
        .order_by()
        .values("report__root_cause_category")
        .annotate(**{state: Count("pk", filter=action_condition(state, today)) for state in states})
    )
    rows = [
        ActionRow(
            _category(row["report__root_cause_category"]),
            {state: row[state] for state in states},
        )
        for row in grouped
    ]
    rows.sort(key=lambda row: CATEGORY_ORDER[row.category])
    return rows
