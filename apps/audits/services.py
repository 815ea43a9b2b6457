"""Filing and acknowledging audit findings: what audits, views and admin call."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.choices import TimelineKind
from apps.core.services.timeline import timeline_log
from apps.webhooks.events import finding_filed

from .models import AuditFinding


@dataclass
class AuditOutcome:
    """What one audit run did: how many it looked at, the findings it filed."""

    examined: int = 0
    finding_ids: list[int] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"examined": self.examined, "filed": len(self.finding_ids), **self.extra}


def known_fingerprints(fingerprints) -> set[str]:
    """The ones among `fingerprints` already filed (one query)."""
    return set(
        AuditFinding.objects.filter(fingerprint__in=list(fingerprints)).values_list(
            "fingerprint", flat=True
        )
    )


def finding_file(
    *,
    kind: str,
    fingerprint: str,
    severity: str,
    summary: str,
    record=None,
    client_id: int | None = None,
    now: datetime | None = None,
) -> AuditFinding | None:
    """File a finding unless the same problem was filed before; None when it was.

    The unique fingerprint decides: a concurrent run filing the same problem loses the race
    quietly. A finding about a record also leaves an entry on that record's timeline.
    """
    now = now or timezone.now()
    finding = AuditFinding(
        kind=kind,
        fingerprint=fingerprint,
        severity=severity,
        summary=summary,
        found_at=now,
        client_id=record.client_id if record is not None else client_id,
    )
    if record is not None:
        finding.record_type = ContentType.objects.get_for_model(record)
        finding.record_id = record.pk
        finding.record_reference = record.reference
    try:
        with transaction.atomic():
            finding.save()
            if record is not None:
                timeline_log(
                    record,
                    kind=TimelineKind.WARNING,
                    message=f"Audit finding ({finding.get_kind_display().lower()}): {summary}",
                    data={"audit_finding": finding.pk},
                )
            finding_filed(finding, record)
    except IntegrityError:
        if AuditFinding.objects.filter(fingerprint=fingerprint).exists():
            return None
        raise
    return finding


def finding_acknowledge(finding: AuditFinding, *, actor) -> AuditFinding:
    """Mark a finding as seen and handled by `actor`; a finding is acknowledged once."""
    with transaction.atomic():
        locked = AuditFinding.objects.select_for_update().get(pk=finding.pk)
        if locked.acknowledged_at is not None:
            raise ValidationError(
                f"Already acknowledged by {locked.acknowledged_by} "
                f"on {timezone.localtime(locked.acknowledged_at):%Y-%m-%d %H:%M}."
            )
        locked.acknowledged_by = actor
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return locked
