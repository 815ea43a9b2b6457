"""The maintenance overrun audit: a window still marked under way long after its planned end.

Such a window holds the clocks of every record tied to its services. Past
`MAINTENANCE_OVERRUN_HOURS` after its planned end it holds them no longer (apps.sla.maintenance):
this audit files a finding, once per window and planned end, tells its lead, and has the
clocks it held recomputed, so due times come back without anyone saving a record. A lead who
moves the planned end later extends the window (its history keeps the change); if that end
passes too, the overrun is found again.
"""

from datetime import datetime

from django.utils import timezone

from apps.core.choices import Status
from apps.core.queueing import enqueue_on_commit

from .models import FindingKind
from .notices import tell_leads
from .services import AuditOutcome, finding_file, known_fingerprints

UNDER_WAY = (Status.IN_PROGRESS, Status.ON_HOLD)


def overrun_fingerprint(window) -> str:
    return f"maintenance_overrun:{window.pk}:{window.planned_end:%Y%m%dT%H%M%S}"


def _describe(window, hours: int) -> str:
    return (
        f"{window.reference} is still marked {window.get_status_display().lower()} more than "
        f"{hours} h after its planned end "
        f"({timezone.localtime(window.planned_end):%Y-%m-%d %H:%M %Z}) with no end recorded. "
        "It no longer pauses the clocks of the records tied to its services; record its end, "
        "or move its planned end later if the work goes on."
    )


def audit_maintenance_overruns(*, now: datetime | None = None) -> AuditOutcome:
    """File a finding for each maintenance window overrunning past the limit, tell its lead
    (the record's team lead, else the client's leads), and queue the recompute of the clocks
    it held."""
    from apps.interruptions.models import Interruption, InterruptionKind
    from apps.sla.maintenance import overrun_limit
    from apps.sla.tasks import recompute_for_maintenance

    now = now or timezone.now()
    limit = overrun_limit()
    hours = int(limit.total_seconds() // 3600)
    windows = list(
        Interruption.objects.filter(
            kind=InterruptionKind.MAINTENANCE,
            status__in=UNDER_WAY,
            ended_at__isnull=True,
            planned_end__lte=now - limit,
        )
        .select_related("client", "team")
        .order_by("planned_end", "pk")
    )
    outcome = AuditOutcome(examined=len(windows))
    known = known_fingerprints(overrun_fingerprint(window) for window in windows)
    filed = []
    for window in windows:
        fingerprint = overrun_fingerprint(window)
        if fingerprint in known:
            continue
        finding = finding_file(
            kind=FindingKind.MAINTENANCE_OVERRUN,
            fingerprint=fingerprint,
            severity=window.severity,
            summary=_describe(window, hours),
            record=window,
            now=now,
        )
        if finding is None:
            continue
        outcome.finding_ids.append(finding.pk)
        filed.append((window, finding))
        enqueue_on_commit(recompute_for_maintenance, window.pk)
    outcome.extra["notified"] = tell_leads(filed)
    return outcome
