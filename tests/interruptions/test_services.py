"""Interruption services: validation, kind-specific fields, alerts queued after commit."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.choices import Severity, TimelineKind
from apps.core.exceptions import StaleRecordError
from apps.core.models import ReferenceSequence
from apps.core.services.timeline import timeline_for
from apps.interruptions.models import ALL_KIND_FIELDS, KIND_FIELDS, Interruption, InterruptionKind
from apps.interruptions.services import interruption_create, interruption_update
from apps.interruptions.tasks import send_interruption_alert

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) - timedelta(hours=6)

# A value for every kind-specific field, as a form posting all of them would send.
EVERY_KIND_FIELD = {
    "scheduled": True,
    "metric": "CRM response time (ms)",
    "observed_value": Decimal("4200.00"),
    "normal_value": Decimal("300.00"),
    "error_code": "HTTP-503",
    "module": "Order lookup",
    "occurrence_count": 87,
    "channel": "voice",
    "carrier": "TelcoNet",
    "vendor": "CloudCRM Inc.",
    "vendor_ticket_reference": "CC-55121",
    "planned_start": START + timedelta(hours=1),
    "planned_end": START + timedelta(hours=3),
}
BLANK = {name: Interruption.blank_value(name) for name in ALL_KIND_FIELDS}


def _values(world, **values) -> dict:
    return {
        "client": world.client_a,
        "kind": InterruptionKind.INCIDENT,
        "title": "CRM unreachable",
        "severity": Severity.SEV3,
        "occurred_at": START,
        **values,
    }


def _kind_fields(record) -> dict:
    record.refresh_from_db()
    return {name: getattr(record, name) for name in ALL_KIND_FIELDS}


@pytest.fixture
def delay():
    with mock.patch.object(send_interruption_alert, "delay") as patched:
        yield patched


# --- create ------------------------------------------------------------------------------


def test_create_logs_the_interruption_with_its_services(world, delay):
    record = interruption_create(
        actor=world.agent,
        values=_values(world, impact_assessment="All inbound agents on paper."),
        affected_services=[world.service_a, world.service_a2],
    )
    record.refresh_from_db()
    assert record.reference.startswith(f"INT-{timezone.now().year}-")
    assert record.reported_by == world.agent
    assert record.impact_assessment == "All inbound agents on paper."
    assert set(record.affected_services.all()) == {world.service_a, world.service_a2}
    assert [entry.kind for entry in timeline_for(record)] == [TimelineKind.CREATED]


@pytest.mark.parametrize("kind", InterruptionKind.values)
def test_create_keeps_only_the_fields_of_its_kind(world, kind, delay):
    record = interruption_create(
        actor=world.agent, values=_values(world, kind=kind, **EVERY_KIND_FIELD)
    )
    own = KIND_FIELDS[kind]
    expected = BLANK | {name: EVERY_KIND_FIELD[name] for name in own}
    assert _kind_fields(record) == expected


def test_create_refuses_an_end_before_the_start(world, delay):
    with pytest.raises(ValidationError) as caught:
        interruption_create(
            actor=world.agent, values=_values(world, ended_at=START - timedelta(minutes=1))
        )
    assert caught.value.message_dict == {"ended_at": ["The end cannot be before the start."]}
    assert Interruption.objects.count() == 0


def test_create_refuses_maintenance_without_a_window(world, delay):
    with pytest.raises(ValidationError) as caught:
        interruption_create(actor=world.agent, values=_values(world, kind="maintenance"))
    assert set(caught.value.message_dict) == {"planned_start", "planned_end"}
    assert Interruption.objects.count() == 0


def test_create_refuses_a_window_that_ends_before_it_starts(world, delay):
    values = _values(
        world,
        kind="maintenance",
        planned_start=START + timedelta(hours=2),
        planned_end=START + timedelta(hours=2),
    )
    with pytest.raises(ValidationError) as caught:
        interruption_create(actor=world.agent, values=values)
    assert caught.value.message_dict == {
        "planned_end": ["The planned window must end after it starts."]
    }
    assert Interruption.objects.count() == 0


def test_a_window_given_to_another_kind_is_dropped_not_checked(world, delay):
    # The kind decides which fields count: an incident ignores a stray (even inverted) window.
    record = interruption_create(
        actor=world.agent,
        values=_values(world, planned_start=START, planned_end=START - timedelta(hours=1)),
    )
    assert (record.planned_start, record.planned_end) == (None, None)


def test_a_refused_create_hands_out_no_reference_number(world, delay):
    with pytest.raises(ValidationError):
        interruption_create(actor=world.agent, values=_values(world, title=""))
    assert not ReferenceSequence.objects.filter(last_value__gt=0).exists()
    record = interruption_create(actor=world.agent, values=_values(world))
    assert record.reference.endswith("-000001")


# --- update ------------------------------------------------------------------------------


def test_changing_the_kind_clears_the_old_kinds_fields(world, delay):
    record = interruption_create(
        actor=world.agent,
        values=_values(world, kind="error", error_code="E42", module="Billing", occurrence_count=9),
    )
    interruption_update(
        record,
        actor=world.lead,
        changes={"kind": "third_party", "vendor": "PayFast", "vendor_ticket_reference": "PF-1"},
        expected_version=1,
    )
    assert _kind_fields(record) == BLANK | {"vendor": "PayFast", "vendor_ticket_reference": "PF-1"}
    assert record.kind == "third_party"
    assert record.version == 2


def test_changing_maintenance_to_an_incident_drops_the_window(world, delay):
    record = interruption_create(
        actor=world.agent,
        values=_values(
            world,
            kind="maintenance",
            planned_start=START,
            planned_end=START + timedelta(hours=1),
        ),
    )
    interruption_update(record, actor=world.lead, changes={"kind": "incident"}, expected_version=1)
    assert _kind_fields(record) == BLANK


def test_an_update_that_keeps_the_kind_cannot_sneak_in_other_kinds_fields(world, delay):
    record = interruption_create(
        actor=world.agent, values=_values(world, kind="communication", channel="data")
    )
    interruption_update(
        record,
        actor=world.lead,
        changes={"carrier": "FibreCo", "vendor": "Stray", "scheduled": True},
        expected_version=1,
    )
    assert _kind_fields(record) == BLANK | {"channel": "data", "carrier": "FibreCo"}


def test_changing_to_maintenance_without_a_window_is_refused(world, delay):
    record = interruption_create(
        actor=world.agent, values=_values(world, kind="error", error_code="E1")
    )
    with pytest.raises(ValidationError) as caught:
        interruption_update(
            record, actor=world.lead, changes={"kind": "maintenance"}, expected_version=1
        )
    assert set(caught.value.message_dict) == {"planned_start", "planned_end"}
    record.refresh_from_db()
    assert (record.kind, record.error_code, record.version) == ("error", "E1", 1)


def test_update_refuses_an_end_before_the_start(world, delay):
    record = interruption_create(actor=world.agent, values=_values(world))
    with pytest.raises(ValidationError):
        interruption_update(
            record,
            actor=world.lead,
            changes={"ended_at": START - timedelta(hours=1)},
            expected_version=1,
        )
    record.refresh_from_db()
    assert (record.ended_at, record.version) == (None, 1)


def test_update_replaces_the_affected_services(world, delay):
    record = interruption_create(
        actor=world.agent, values=_values(world), affected_services=[world.service_a]
    )
    interruption_update(
        record,
        actor=world.lead,
        changes={},
        expected_version=1,
        affected_services=[world.service_a2],
    )
    record.refresh_from_db()
    assert list(record.affected_services.all()) == [world.service_a2]
    assert record.version == 2


def test_update_without_services_leaves_them_alone(world, delay):
    record = interruption_create(
        actor=world.agent, values=_values(world), affected_services=[world.service_a]
    )
    interruption_update(record, actor=world.lead, changes={"title": "X"}, expected_version=1)
    assert list(record.affected_services.all()) == [world.service_a]


def test_a_stale_update_changes_nothing(world, delay):
    record = interruption_create(
        actor=world.agent, values=_values(world), affected_services=[world.service_a]
    )
    interruption_update(record, actor=world.lead, changes={"title": "Lead's"}, expected_version=1)
    with pytest.raises(StaleRecordError):
        interruption_update(
            record,
            actor=world.agent,
            changes={"title": "Agent's", "kind": "outage", "scheduled": True},
            expected_version=1,
            affected_services=[world.service_a2],
        )
    record.refresh_from_db()
    assert (record.title, record.kind, record.scheduled, record.version) == (
        "Lead's",
        "incident",
        False,
        2,
    )
    assert list(record.affected_services.all()) == [world.service_a]


# --- alert queued after commit -----------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "queued"),
    [(Severity.SEV1, True), (Severity.SEV2, True), (Severity.SEV3, False), (Severity.SEV4, False)],
)
def test_create_queues_the_alert_only_for_sev1_and_sev2(
    world, delay, django_capture_on_commit_callbacks, severity, queued
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record = interruption_create(actor=world.agent, values=_values(world, severity=severity))
    delay.assert_not_called()  # nothing leaves before the commit
    assert len(callbacks) == (1 if queued else 0)
    for callback in callbacks:
        callback()
    if queued:
        delay.assert_called_once_with(record.pk)
    else:
        delay.assert_not_called()


def test_raising_the_severity_queues_the_alert(world, delay, django_capture_on_commit_callbacks):
    record = interruption_create(actor=world.agent, values=_values(world))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        interruption_update(
            record, actor=world.lead, changes={"severity": Severity.SEV1}, expected_version=1
        )
    assert len(callbacks) == 1
    delay.assert_called_once_with(record.pk)


def test_lowering_to_a_quiet_severity_queues_nothing(
    world, delay, django_capture_on_commit_callbacks
):
    record = interruption_create(actor=world.agent, values=_values(world))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        interruption_update(
            record, actor=world.lead, changes={"severity": Severity.SEV4}, expected_version=1
        )
    assert callbacks == []
    delay.assert_not_called()


def test_editing_an_already_severe_record_queues_nothing_more(
    world, delay, django_capture_on_commit_callbacks
):
    values = _values(world) | {"severity": Severity.SEV2}
    with django_capture_on_commit_callbacks(execute=True):
        record = interruption_create(actor=world.agent, values=values)
    delay.reset_mock()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        interruption_update(
            record, actor=world.lead, changes={"severity": Severity.SEV1}, expected_version=1
        )
    assert callbacks == []
    delay.assert_not_called()


def test_a_refused_create_queues_nothing(world, delay, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        interruption_create(
            actor=world.agent,
            values=_values(world, severity="SEV1", ended_at=START - timedelta(hours=1)),
        )
    assert callbacks == []
    delay.assert_not_called()


def test_a_broker_failure_does_not_undo_the_save(
    world, delay, django_capture_on_commit_callbacks, caplog
):
    delay.side_effect = ConnectionError("broker down")
    with django_capture_on_commit_callbacks(execute=True):
        record = interruption_create(actor=world.agent, values=_values(world, severity="SEV1"))
    delay.assert_called_once_with(record.pk)
    assert Interruption.objects.filter(pk=record.pk, severity="SEV1").exists()
    assert "broker unavailable" in caplog.text
