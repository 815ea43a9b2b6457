"""The stale, completeness and recurrence audits on crafted records."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.audits.audits import audit_completeness, audit_recurrence, audit_stale_records
from apps.audits.models import AuditFinding, FindingKind
from apps.audits.services import finding_file
from apps.audits.tasks import audit_stale_records as stale_task
from apps.core.choices import RootCause, Severity, Status, TimelineKind
from apps.core.models import TaskRun, TimelineEntry
from apps.escalations.models import Escalation
from apps.interruptions.models import Interruption
from apps.notifications.models import Notification
from tests.factories import InterruptionFactory
from tests.factories_escalations import EscalationCategoryFactory, EscalationFactory

pytestmark = pytest.mark.django_db


def _last_updated(record, ago: timedelta) -> None:
    type(record).objects.filter(pk=record.pk).update(updated_at=timezone.now() - ago)


def test_stale_audit_files_records_past_their_severity_limit(world):
    stale_sev1 = InterruptionFactory(client=world.client_a, severity=Severity.SEV1)
    fresh_sev1 = InterruptionFactory(client=world.client_a, severity=Severity.SEV1)
    stale_sev4 = EscalationFactory(client=world.client_b, severity=Severity.SEV4)
    fresh_sev4 = EscalationFactory(client=world.client_b, severity=Severity.SEV4)
    closed = InterruptionFactory(
        client=world.client_a,
        severity=Severity.SEV1,
        status=Status.CANCELLED,
        cancel_reason="Logged twice.",
    )
    _last_updated(stale_sev1, timedelta(hours=5))
    _last_updated(fresh_sev1, timedelta(hours=3))
    _last_updated(stale_sev4, timedelta(days=8))
    _last_updated(fresh_sev4, timedelta(days=6))
    _last_updated(closed, timedelta(days=30))

    outcome = audit_stale_records()

    findings = AuditFinding.objects.filter(kind=FindingKind.STALE)
    assert sorted(findings.values_list("record_reference", flat=True)) == sorted(
        [stale_sev1.reference, stale_sev4.reference]
    )
    assert outcome.as_dict()["filed"] == 2
    finding = findings.get(record_reference=stale_sev1.reference)
    assert finding.client == world.client_a
    assert finding.severity == Severity.SEV1
    assert finding.record == Interruption.objects.get(pk=stale_sev1.pk)
    assert "4 hours" in finding.summary
    entry = TimelineEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Interruption), object_id=stale_sev1.pk
    )
    assert entry.kind == TimelineKind.WARNING
    assert entry.data == {"audit_finding": finding.pk}


def test_stale_audit_run_twice_files_nothing_new_until_the_record_changes(world):
    record = InterruptionFactory(client=world.client_a, severity=Severity.SEV2)
    _last_updated(record, timedelta(hours=30))
    assert audit_stale_records().as_dict()["filed"] == 1
    assert audit_stale_records().as_dict()["filed"] == 0
    # Touched, then left alone again: a new stale period is a new finding.
    _last_updated(record, timedelta(hours=26))
    assert audit_stale_records().as_dict()["filed"] == 1
    assert AuditFinding.objects.filter(record_reference=record.reference).count() == 2


def test_stale_task_records_its_run_and_ties_findings_to_it(world):
    record = EscalationFactory(client=world.client_a, severity=Severity.SEV1)
    _last_updated(record, timedelta(hours=6))
    outcome = stale_task()
    run = TaskRun.objects.get(task="audit_stale_records")
    assert run.finished_at is not None
    assert run.outcome == outcome
    assert outcome["filed"] == 1
    assert AuditFinding.objects.get().run == run


def test_finding_with_a_known_fingerprint_is_not_filed_again(world):
    record = InterruptionFactory(client=world.client_a)
    first = finding_file(
        kind=FindingKind.STALE, fingerprint="x:1", severity="SEV3", summary="a", record=record
    )
    again = finding_file(
        kind=FindingKind.STALE, fingerprint="x:1", severity="SEV3", summary="a", record=record
    )
    assert first is not None and again is None
    assert AuditFinding.objects.count() == 1
    entries = TimelineEntry.objects.filter(kind=TimelineKind.WARNING, object_id=record.pk)
    assert entries.count() == 1


def test_completeness_audit_finds_done_records_missing_what_their_kind_needs(world):
    now = timezone.now()
    missing = InterruptionFactory(
        client=world.client_a, status=Status.RESOLVED, resolved_at=now, ended_at=now
    )
    complete = InterruptionFactory(
        client=world.client_a,
        status=Status.CLOSED,
        resolved_at=now,
        closed_at=now,
        ended_at=now,
        root_cause_category=RootCause.TECHNOLOGY,
        root_cause_analysis="Expired certificate on the CRM gateway.",
        resolution="Certificate renewed.",
    )
    open_incomplete = InterruptionFactory(client=world.client_a, status=Status.IN_PROGRESS)
    escalation = EscalationFactory(
        client=world.client_b, status=Status.RESOLVED, resolved_at=now, outcome="Refunded."
    )

    outcome = audit_completeness()

    findings = AuditFinding.objects.filter(kind=FindingKind.INCOMPLETE)
    references = set(findings.values_list("record_reference", flat=True))
    assert references == {missing.reference, escalation.reference}
    assert complete.reference not in references
    assert open_incomplete.reference not in references
    assert outcome.examined == 3
    summary = findings.get(record_reference=escalation.reference).summary
    assert "resolution steps" in summary
    assert "outcome" not in summary.lower().split("but:")[1]
    assert audit_completeness().as_dict()["filed"] == 0


def test_recurrence_audit_files_one_finding_per_service_and_category(world):
    for _ in range(3):
        InterruptionFactory(client=world.client_a, affected_services=[world.service_a])
    InterruptionFactory(
        client=world.client_a, affected_services=[world.service_a2], severity=Severity.SEV1
    )
    old = InterruptionFactory(client=world.client_a, affected_services=[world.service_a2])
    Interruption.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - timedelta(days=9))
    InterruptionFactory(client=world.client_a, affected_services=[world.service_a2])
    category = EscalationCategoryFactory()
    for severity in (Severity.SEV4, Severity.SEV2, Severity.SEV3):
        EscalationFactory(client=world.client_b, category=category, severity=severity)
    EscalationFactory(client=world.client_a, category=category)

    outcome = audit_recurrence()

    findings = AuditFinding.objects.filter(kind=FindingKind.RECURRING).order_by("client__code")
    assert [(f.client, f.severity) for f in findings] == [
        (world.client_a, Severity.SEV3),
        (world.client_b, Severity.SEV2),
    ]
    assert "CRM" in findings[0].summary and "3 times" in findings[0].summary
    assert category.label in findings[1].summary
    assert outcome.as_dict()["filed"] == 2
    assert audit_recurrence().as_dict()["filed"] == 0
    assert Escalation.objects.count() == 4


def test_a_stale_record_tells_its_team_lead_once(world):
    record = InterruptionFactory(client=world.client_a, severity=Severity.SEV2, team=world.team_a1)
    _last_updated(record, timedelta(hours=30))

    assert audit_stale_records().as_dict()["leads_told"] == 1
    notice = Notification.objects.get()
    assert notice.recipient == world.lead
    assert notice.reference == record.reference
    assert "stale" in notice.subject
    assert audit_stale_records().as_dict()["leads_told"] == 0
    assert Notification.objects.count() == 1


def test_a_stale_record_without_a_team_lead_tells_the_client_leads(world):
    world.team_a1.lead = None
    world.team_a1.save()
    record = InterruptionFactory(client=world.client_a, severity=Severity.SEV2, team=world.team_a1)
    other = EscalationFactory(client=world.client_b, severity=Severity.SEV1)
    _last_updated(record, timedelta(hours=30))
    _last_updated(other, timedelta(hours=30))

    audit_stale_records()

    told = Notification.objects.filter(reference=record.reference)
    assert list(told.values_list("recipient__username", flat=True)) == ["lead"]
    assert not Notification.objects.filter(reference=other.reference).exists()  # no lead at B
