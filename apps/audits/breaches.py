"""Filing a compliance failure report for each escalation the sweep found breached, once."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.core.choices import LinkRelation
from apps.core.models import RecordLink
from apps.core.services.links import record_link

from .models import AuditFinding, FindingKind
from .services import AuditOutcome, finding_file

BATCH = 200
COMPLIANCE = "compliance"  # apps.failures FailureCategory.COMPLIANCE


def breach_fingerprint(escalation_id: int) -> str:
    return f"sla_breach:{escalation_id}"


def _unfiled(Escalation, FailureReport):
    """Breached escalations with neither a breach finding nor a compliance report caused by them."""
    escalation_type = ContentType.objects.get_for_model(Escalation)
    report_type = ContentType.objects.get_for_model(FailureReport)
    compliance_reports = FailureReport.objects.filter(category=COMPLIANCE).values("pk")
    reported = RecordLink.objects.filter(
        relation=LinkRelation.CAUSED_BY,
        target_type=escalation_type,
        target_id=OuterRef("pk"),
        source_type=report_type,
        source_id__in=compliance_reports,
    )
    found = AuditFinding.objects.filter(
        kind=FindingKind.SLA_BREACH, record_type=escalation_type, record_id=OuterRef("pk")
    )
    return (
        Escalation.objects.filter(breached_at__isnull=False)
        .exclude(Exists(reported))
        .exclude(Exists(found))
        .order_by("breached_at", "pk")
    )


def _file_one(escalation, now: datetime, FailureReport, failure_create) -> int | None:
    """The finding, the report and its link in one transaction; None if filed elsewhere."""
    with transaction.atomic():
        finding = finding_file(
            kind=FindingKind.SLA_BREACH,
            fingerprint=breach_fingerprint(escalation.pk),
            severity=escalation.severity,
            summary=(
                f"{escalation.reference} breached its resolution time at tier "
                f"{escalation.tier} on "
                f"{timezone.localtime(escalation.breached_at):%Y-%m-%d %H:%M}."
            ),
            record=escalation,
            now=now,
        )
        if finding is None:
            return None
        report = failure_create(
            actor=None,
            values={
                "client_id": escalation.client_id,
                "title": f"SLA breach: {escalation.reference}"[:200],
                "description": finding.summary,
                "severity": escalation.severity,
                "occurred_at": escalation.breached_at,
                "detected_at": max(now, escalation.breached_at),
                "category": COMPLIANCE,
                "sla_metric": "Escalation resolution time",
                "team_id": escalation.team_id,
            },
        )
        record_link(report, escalation, relation=LinkRelation.CAUSED_BY, actor=None)
        finding.summary = f"{finding.summary} Filed as {report.reference}."
        finding.save(update_fields=["summary"])
    return finding.pk


def file_sla_breaches(*, now: datetime | None = None) -> AuditOutcome:
    """One compliance failure report, caused by the escalation, for each new breach."""
    from apps.escalations.models import Escalation
    from apps.failures.models import FailureReport
    from apps.failures.services import failure_create

    now = now or timezone.now()
    outcome = AuditOutcome()
    escalations = list(_unfiled(Escalation, FailureReport)[:BATCH])
    outcome.examined = len(escalations)
    for escalation in escalations:
        finding_id = _file_one(escalation, now, FailureReport, failure_create)
        if finding_id is not None:
            outcome.finding_ids.append(finding_id)
    return outcome
