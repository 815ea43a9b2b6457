"""Stored requests worked: alerts open, repeat in, join and end interruptions, through the
same services as the form (history, timeline, due times, the leads' alert)."""

from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from apps.core.choices import Severity, Status, TimelineKind
from apps.core.exceptions import TransitionError
from apps.core.models import OutboxMessage, TimelineEntry
from apps.core.services.records import record_change_status
from apps.intake.models import AlertFormat, IntakeRequest, Outcome
from apps.intake.processing import intake_process_pending
from apps.interruptions.models import Interruption, InterruptionKind
from tests.factories_intake import IntegrationFactory

from .payloads import (
    alertmanager,
    alertmanager_alert,
    generic,
    generic_alert,
    grafana,
    post,
)

pytestmark = pytest.mark.django_db

PAYLOADS = {
    AlertFormat.ALERTMANAGER: (alertmanager, alertmanager_alert, "fingerprint"),
    AlertFormat.GRAFANA: (grafana, alertmanager_alert, "fingerprint"),
    AlertFormat.GENERIC: (generic, generic_alert, "key"),
}


def _send(client, integration, payload) -> IntakeRequest:
    response = post(client, integration, payload)
    assert response.status_code == 202, response.content
    intake_process_pending(integration.pk)
    return IntakeRequest.objects.get(pk=response.json()["request"])


def _timeline(record) -> list[str]:
    return list(
        TimelineEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        .order_by("pk")
        .values_list("message", flat=True)
    )


@pytest.fixture
def source(world):
    return IntegrationFactory(
        name="Prometheus Acme",
        client=world.client_a,
        services=[world.service_a, world.service_a2],
        default_kind=InterruptionKind.OUTAGE,
    )


@pytest.mark.parametrize("alert_format", list(PAYLOADS))
def test_a_firing_alert_opens_an_interruption_as_the_form_would(world, client, alert_format):
    wrap, alert, _ = PAYLOADS[alert_format]
    source = IntegrationFactory(
        name="Monitor", client=world.client_a, alert_format=alert_format,
        services=[world.service_a, world.service_a2],
    )  # fmt: skip
    request = _send(client, source, wrap(alert()))
    interruption = Interruption.objects.get()
    assert request.outcome == Outcome.ACCEPTED and request.references == [interruption.reference]
    assert interruption.client == world.client_a
    assert interruption.reference.startswith("INT-")
    assert interruption.severity == Severity.SEV1  # "critical" in the integration's map
    assert list(interruption.affected_services.all()) == [world.service_a]  # service=CRM
    assert interruption.status == Status.NEW and interruption.ended_at is None
    assert interruption.resolution_due is not None  # the SLA clock runs
    assert "CRM" in interruption.title or "CRM" in interruption.description
    assert interruption.history.count() == 1
    messages = _timeline(interruption)
    assert messages[0] == "Logged as SEV1 · Critical."
    assert messages[1].startswith("Opened by Monitor: ")
    # A SEV1 alerts the client's leads, as the form's does.
    assert OutboxMessage.objects.filter(
        task_name="apps.interruptions.tasks.send_interruption_alert", args=[interruption.pk]
    ).exists()


def test_the_alerts_start_is_the_interruptions_start_and_its_text_the_title(client, source):
    _send(client, source, alertmanager())
    interruption = Interruption.objects.get()
    assert interruption.occurred_at == datetime(2026, 11, 30, 8, 51, 3, 157076, tzinfo=UTC)
    assert interruption.title == "ProbeFailure: CRM unreachable"
    assert interruption.description.startswith("Probe failed for over 5 minutes.")
    assert interruption.kind == InterruptionKind.OUTAGE


def test_an_unmapped_severity_and_service_take_the_defaults(world, client, source):
    _send(client, source, alertmanager(alertmanager_alert(severity="page", service="Billing")))
    interruption = Interruption.objects.get()
    assert interruption.severity == Severity.SEV3
    assert set(interruption.affected_services.all()) == {world.service_a, world.service_a2}


def test_the_same_alert_firing_again_adds_an_event_not_a_record(client, source):
    _send(client, source, alertmanager())
    again = _send(client, source, alertmanager())
    interruption = Interruption.objects.get()
    assert again.outcome == Outcome.DEDUPLICATED
    assert again.references == [interruption.reference]
    assert _timeline(interruption)[-1] == (
        "Fired again (Prometheus Acme): ProbeFailure: CRM unreachable."
    )
    assert TimelineEntry.objects.filter(kind=TimelineKind.INTAKE).count() == 2


def test_alerts_of_one_group_make_one_interruption(world, client, source):
    source.group_by = "alertname"
    source.save()
    first = _send(client, source, alertmanager(alertmanager_alert(fingerprint="a", instance="1")))
    second = _send(
        client,
        source,
        alertmanager(
            alertmanager_alert(fingerprint="b", instance="2"),
            alertmanager_alert(fingerprint="c", alertname="DiskFull"),
        ),
    )
    assert first.outcome == second.outcome == Outcome.ACCEPTED
    assert Interruption.objects.count() == 2  # ProbeFailure (a, b) and DiskFull (c)
    probe = Interruption.objects.get(title__startswith="ProbeFailure")
    assert "Alert joined (Prometheus Acme): ProbeFailure: CRM unreachable; 2 firing." in (
        _timeline(probe)
    )
    assert second.reason == "opened: 1, joined: 1"


def test_without_grouping_each_fingerprint_is_its_own_interruption(client, source):
    _send(client, source, alertmanager(alertmanager_alert(fingerprint="a")))
    _send(client, source, alertmanager(alertmanager_alert(fingerprint="b")))
    assert Interruption.objects.count() == 2


def test_resolved_sets_the_end_and_waits_for_a_lead(world, client, source):
    _send(client, source, alertmanager())
    resolved = _send(client, source, alertmanager(alertmanager_alert(status="resolved")))
    interruption = Interruption.objects.get()
    assert resolved.outcome == Outcome.ACCEPTED
    assert interruption.ended_at == datetime(2026, 11, 30, 10, 20, tzinfo=UTC)
    assert interruption.status == Status.NEW
    assert _timeline(interruption)[-1].startswith("Resolved at the source (Prometheus Acme)")
    assert "a lead resolves it" in _timeline(interruption)[-1]
    # The lead closes it only with the root cause and resolution written.
    record_change_status(interruption, target=Status.IN_PROGRESS, actor=world.lead)
    record_change_status(interruption, target=Status.RESOLVED, actor=world.lead)
    with pytest.raises(TransitionError):
        record_change_status(interruption, target=Status.CLOSED, actor=world.lead)


def test_resolved_resolves_the_interruption_when_the_integration_says_so(client, source):
    source.auto_resolve = True
    source.save()
    _send(client, source, alertmanager())
    _send(client, source, alertmanager(alertmanager_alert(status="resolved")))
    interruption = Interruption.objects.get()
    assert interruption.status == Status.RESOLVED and interruption.resolved_at is not None
    assert interruption.ended_at == datetime(2026, 11, 30, 10, 20, tzinfo=UTC)
    # Firing again later is a new interruption: the first one is over.
    _send(client, source, alertmanager())
    assert Interruption.objects.count() == 2


def test_a_group_ends_when_its_last_alert_resolves(client, source):
    source.group_by = "alertname"
    source.save()
    _send(
        client,
        source,
        alertmanager(alertmanager_alert(fingerprint="a"), alertmanager_alert(fingerprint="b")),
    )
    partly = _send(client, source, alertmanager(alertmanager_alert("a", status="resolved")))
    interruption = Interruption.objects.get()
    assert partly.outcome == Outcome.ACCEPTED and interruption.ended_at is None
    _send(client, source, alertmanager(alertmanager_alert("b", status="resolved")))
    interruption.refresh_from_db()
    assert interruption.ended_at is not None


def test_a_resolved_alert_nobody_saw_firing_is_ignored(client, source):
    request = _send(client, source, alertmanager(alertmanager_alert(status="resolved")))
    assert request.outcome == Outcome.IGNORED and not Interruption.objects.exists()


def test_firing_again_after_the_end_at_the_source_reopens_the_clock(client, source):
    source.group_by = "alertname"
    source.save()
    _send(client, source, alertmanager(alertmanager_alert("a")))
    _send(client, source, alertmanager(alertmanager_alert("a", status="resolved")))
    _send(client, source, alertmanager(alertmanager_alert("a")))
    interruption = Interruption.objects.get()
    assert interruption.ended_at is None


def test_an_interruption_a_lead_closed_lets_the_alert_open_a_new_one(world, client, source):
    _send(client, source, alertmanager())
    interruption = Interruption.objects.get()
    record_change_status(interruption, target=Status.CANCELLED, actor=world.lead, reason="Noise")
    _send(client, source, alertmanager())
    assert Interruption.objects.count() == 2


def test_requests_are_worked_in_order_once(client, source):
    post(client, source, alertmanager())
    post(client, source, alertmanager(alertmanager_alert(status="resolved")))
    assert intake_process_pending(source.pk) == 2
    assert intake_process_pending(source.pk) == 0
    interruption = Interruption.objects.get()
    assert interruption.ended_at is not None
    assert list(IntakeRequest.objects.order_by("pk").values_list("outcome", flat=True)) == [
        Outcome.ACCEPTED,
        Outcome.ACCEPTED,
    ]


def test_a_long_queue_is_worked_in_bounded_runs(client, source, django_capture_on_commit_callbacks):
    for _ in range(3):
        post(client, source, alertmanager())
    OutboxMessage.objects.all().delete()
    assert intake_process_pending(source.pk, limit=2) == 2
    assert OutboxMessage.objects.filter(task_name="apps.intake.tasks.process_intake").count() == 1
    assert intake_process_pending(source.pk, limit=2) == 1


def test_an_end_before_the_start_is_taken_as_the_start(client, source):
    _send(client, source, alertmanager())
    interruption = Interruption.objects.get()
    Interruption.objects.filter(pk=interruption.pk).update(
        occurred_at=datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    )
    resolved = alertmanager(alertmanager_alert(status="resolved"))
    resolved["alerts"][0]["endsAt"] = "2026-11-30T10:00:00Z"
    assert _send(client, source, resolved).outcome == Outcome.ACCEPTED
    interruption.refresh_from_db()
    assert interruption.ended_at == interruption.occurred_at


def test_a_request_the_services_refuse_is_recorded_as_failed_and_the_next_is_worked(
    client, source, monkeypatch
):
    def refuse(**kwargs):
        raise ValidationError({"title": "Refused for the test."})

    monkeypatch.setattr("apps.intake.processing.interruption_create", refuse)
    failed = _send(client, source, alertmanager())
    assert (failed.outcome, failed.reason) == (Outcome.FAILED, "Refused for the test.")
    assert not Interruption.objects.exists()
    monkeypatch.undo()
    assert _send(client, source, alertmanager()).outcome == Outcome.ACCEPTED


def test_a_generic_alert_without_a_start_started_when_received(world, client):
    source = IntegrationFactory(client=world.client_a, alert_format=AlertFormat.GENERIC)
    alert = generic_alert()
    del alert["started_at"]
    request = _send(client, source, generic(alert))
    assert Interruption.objects.get().occurred_at == request.received_at
