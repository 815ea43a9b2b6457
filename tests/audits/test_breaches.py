"""Filing a compliance failure report for each breached escalation, exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audits.breaches import file_sla_breaches
from apps.audits.models import AuditFinding, FindingKind
from apps.core.choices import LinkRelation, Severity
from apps.core.models import RecordLink, TaskRun
from apps.escalations.models import Escalation
from apps.failures.models import FailureCategory, FailureReport
from apps.failures.tasks import file_sla_breaches as breach_task
from tests.factories_escalations import EscalationFactory

pytestmark = pytest.mark.django_db


def _breached(world, **values):
    escalation = EscalationFactory(client=world.client_a, **values)
    breached_at = timezone.now() - timedelta(minutes=3)
    Escalation.objects.filter(pk=escalation.pk).update(breached_at=breached_at)
    escalation.breached_at = breached_at
    return escalation


def test_a_breach_is_filed_once_as_a_compliance_report_caused_by_the_escalation(world):
    escalation = _breached(world, severity=Severity.SEV2, team=world.team_a1)
    EscalationFactory(client=world.client_a)  # not breached

    first = breach_task()
    second = breach_task()

    assert first["filed"] == 1 and second["filed"] == 0
    report = FailureReport.objects.get()
    assert report.category == FailureCategory.COMPLIANCE
    assert report.client == world.client_a
    assert report.severity == Severity.SEV2
    assert report.team == world.team_a1
    assert report.occurred_at == escalation.breached_at
    assert report.sla_metric
    assert escalation.reference in report.title
    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id) == (report.pk, escalation.pk)
    assert link.relation == LinkRelation.CAUSED_BY
    finding = AuditFinding.objects.get()
    assert finding.kind == FindingKind.SLA_BREACH
    assert finding.fingerprint == f"sla_breach:{escalation.pk}"
    assert report.reference in finding.summary
    assert finding.run == TaskRun.objects.filter(task="file_sla_breaches").last()
    assert TaskRun.objects.filter(task="file_sla_breaches", finished_at__isnull=False).count() == 2


def test_a_breach_already_reported_by_hand_is_not_filed_again(world):
    from apps.core.services.links import record_link
    from tests.factories_failures import FailureReportFactory

    escalation = _breached(world)
    report = FailureReportFactory(
        client=world.client_a, category=FailureCategory.COMPLIANCE, sla_metric="Resolution"
    )
    record_link(report, escalation, relation=LinkRelation.CAUSED_BY, actor=world.lead)

    assert file_sla_breaches().as_dict() == {"examined": 0, "filed": 0}
    assert FailureReport.objects.count() == 1


def test_a_finding_filed_by_a_concurrent_run_stops_the_second_report(world, monkeypatch):
    """The unique fingerprint is the guard: the loser files nothing and no report."""
    from apps.audits import breaches

    escalation = _breached(world)
    AuditFinding.objects.create(
        kind=FindingKind.SLA_BREACH,
        client=world.client_a,
        severity=Severity.SEV3,
        summary="filed by the other run",
        found_at=timezone.now(),
        fingerprint=breaches.breach_fingerprint(escalation.pk),
    )
    # The other run's finding is not visible to this run's selection (as in a race).
    monkeypatch.setattr(
        breaches, "_unfiled", lambda Escalation, FailureReport: Escalation.objects.all()
    )
    assert file_sla_breaches().as_dict() == {"examined": 1, "filed": 0}
    assert FailureReport.objects.count() == 0
