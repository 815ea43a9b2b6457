"""The interruption model: its own validation, derived values and database constraints."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.choices import Status
from apps.interruptions.models import (
    ALL_KIND_FIELDS,
    KIND_FIELDS,
    Interruption,
    InterruptionKind,
)
from tests.factories import InterruptionFactory

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) - timedelta(days=2)


def _unsaved(world, **values) -> Interruption:
    return Interruption(
        reference="INT-2026-999999",
        client=world.client_a,
        title="CRM timeouts",
        kind=values.pop("kind", InterruptionKind.INCIDENT),
        occurred_at=values.pop("occurred_at", START),
        **values,
    )


def _errors(record: Interruption) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


# --- validation --------------------------------------------------------------------------


def test_a_plain_incident_is_valid(world):
    _unsaved(world).full_clean()


def test_end_before_start_is_refused(world):
    record = _unsaved(world, ended_at=START - timedelta(seconds=1))
    assert _errors(record) == {"ended_at": ["The end cannot be before the start."]}


@pytest.mark.parametrize("ended", [START, START + timedelta(minutes=1), None])
def test_end_at_or_after_start_or_ongoing_is_fine(world, ended):
    _unsaved(world, ended_at=ended).full_clean()


def test_maintenance_without_a_planned_window_is_refused(world):
    record = _unsaved(world, kind=InterruptionKind.MAINTENANCE)
    assert _errors(record) == {
        "planned_start": ["Planned maintenance needs the window's start."],
        "planned_end": ["Planned maintenance needs the window's end."],
    }


def test_maintenance_with_half_a_window_is_refused(world):
    record = _unsaved(world, kind=InterruptionKind.MAINTENANCE, planned_start=START)
    assert _errors(record) == {"planned_end": ["Planned maintenance needs the window's end."]}
    record = _unsaved(
        world, kind=InterruptionKind.MAINTENANCE, planned_end=START + timedelta(hours=1)
    )
    assert _errors(record) == {"planned_start": ["Planned maintenance needs the window's start."]}


@pytest.mark.parametrize("length", [timedelta(0), timedelta(minutes=-30)])
def test_planned_window_must_end_after_it_starts(world, length):
    record = _unsaved(
        world,
        kind=InterruptionKind.MAINTENANCE,
        planned_start=START,
        planned_end=START + length,
    )
    assert _errors(record) == {"planned_end": ["The planned window must end after it starts."]}


def test_a_proper_maintenance_window_is_valid(world):
    _unsaved(
        world,
        kind=InterruptionKind.MAINTENANCE,
        planned_start=START,
        planned_end=START + timedelta(hours=2),
    ).full_clean()


def test_several_problems_are_reported_together(world):
    record = _unsaved(
        world,
        kind=InterruptionKind.MAINTENANCE,
        ended_at=START - timedelta(hours=1),
    )
    assert set(_errors(record)) == {"ended_at", "planned_start", "planned_end"}


def test_kind_is_required_and_must_be_known(world):
    assert "kind" in _errors(_unsaved(world, kind=""))
    assert "kind" in _errors(_unsaved(world, kind="meteor"))


# --- derived values ----------------------------------------------------------------------


def test_duration_is_end_minus_start(world):
    assert _unsaved(world, ended_at=START + timedelta(minutes=95)).duration == timedelta(minutes=95)
    assert _unsaved(world, ended_at=START).duration == timedelta(0)


def test_an_ongoing_interruption_has_no_duration(world):
    assert _unsaved(world).duration is None


def _maintenance(world, ended_after_start):
    return _unsaved(
        world,
        kind=InterruptionKind.MAINTENANCE,
        planned_start=START,
        planned_end=START + timedelta(hours=2),
        ended_at=None if ended_after_start is None else START + ended_after_start,
    )


@pytest.mark.parametrize(
    ("ended_after_start", "overran"),
    [
        (timedelta(hours=1), False),
        (timedelta(hours=2), False),
        (timedelta(hours=2, minutes=1), True),
        (None, False),
    ],
)
def test_maintenance_overran_when_it_ended_after_the_window(world, ended_after_start, overran):
    assert _maintenance(world, ended_after_start).overran is overran


def test_overran_does_not_apply_to_other_kinds_or_without_a_window(world):
    assert _unsaved(world, ended_at=START + timedelta(days=1)).overran is None
    assert _unsaved(world, kind=InterruptionKind.MAINTENANCE).overran is None


def test_closing_problems_of_an_empty_record(world):
    assert _unsaved(world).closing_problems() == {
        "root_cause_category": "Choose a root-cause category before closing.",
        "root_cause_analysis": "Describe the root cause before closing.",
        "resolution": "Describe the resolution before closing.",
        "ended_at": "Record when the interruption ended before closing.",
    }


def test_no_closing_problems_once_filled(world):
    record = _unsaved(
        world,
        ended_at=START + timedelta(hours=1),
        root_cause_category="third_party",
        root_cause_analysis="Carrier fibre cut.",
        resolution="Carrier rerouted traffic.",
    )
    assert record.closing_problems() == {}


def test_is_open_follows_the_status(world):
    for status in Status.values:
        record = _unsaved(world, status=status)
        assert record.is_open is (status in ("new", "in_progress", "on_hold")), status


def test_string_and_url_use_the_reference(world):
    record = InterruptionFactory(client=world.client_a, title="IVR loop")
    assert str(record) == f"{record.reference} · IVR loop"
    assert record.get_absolute_url() == f"/interruptions/{record.reference}/"


# --- kind-specific fields ----------------------------------------------------------------


def test_every_kind_has_its_field_list_and_no_field_belongs_to_two_kinds():
    assert set(KIND_FIELDS) == set(InterruptionKind.values)
    assert len(ALL_KIND_FIELDS) == len(set(ALL_KIND_FIELDS))
    assert KIND_FIELDS[InterruptionKind.MAINTENANCE] == ("planned_start", "planned_end")
    assert KIND_FIELDS[InterruptionKind.INCIDENT] == ()


@pytest.mark.parametrize(
    ("name", "blank"),
    [
        ("scheduled", False),
        ("metric", ""),
        ("observed_value", None),
        ("occurrence_count", None),
        ("channel", ""),
        ("planned_start", None),
        ("vendor_ticket_reference", ""),
    ],
)
def test_blank_value_of_kind_fields(name, blank):
    assert Interruption.blank_value(name) == blank


def test_decimal_values_round_trip(world):
    record = InterruptionFactory(
        client=world.client_a,
        kind=InterruptionKind.DEGRADATION,
        metric="CRM response time (ms)",
        observed_value=Decimal("4200.50"),
        normal_value=Decimal("350"),
    )
    record.refresh_from_db()
    assert (record.observed_value, record.normal_value) == (Decimal("4200.50"), Decimal("350"))


# --- database constraints ----------------------------------------------------------------


def test_database_refuses_closed_without_closed_at(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        InterruptionFactory(client=world.client_a, status=Status.CLOSED, closed_at=None)


def test_database_refuses_cancelled_without_reason(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        InterruptionFactory(client=world.client_a, status=Status.CANCELLED, cancel_reason="")


def test_database_refuses_a_reference_twice(world):
    first = InterruptionFactory(client=world.client_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        InterruptionFactory(client=world.client_b, reference=first.reference)


def test_default_order_is_newest_first(world):
    older = InterruptionFactory(client=world.client_a, occurred_at=START)
    newer = InterruptionFactory(client=world.client_a, occurred_at=START + timedelta(hours=1))
    same_time = InterruptionFactory(client=world.client_a, occurred_at=START)
    assert list(Interruption.objects.all()) == [newer, same_time, older]
