"""The one status workflow: every move allowed or refused, timestamps, closing rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.choices import RootCause, Status, TimelineKind
from apps.core.exceptions import TransitionError
from apps.core.services.records import record_change_status
from apps.core.services.timeline import timeline_for
from apps.core.workflow import TRANSITIONS, allowed_targets, is_allowed
from tests.factories import InterruptionFactory

pytestmark = pytest.mark.django_db

# Written out from the domain rules rather than read from the code under test.
EXPECTED_MOVES = {
    (Status.NEW, Status.IN_PROGRESS),
    (Status.NEW, Status.CANCELLED),
    (Status.IN_PROGRESS, Status.ON_HOLD),
    (Status.IN_PROGRESS, Status.RESOLVED),
    (Status.IN_PROGRESS, Status.CANCELLED),
    (Status.ON_HOLD, Status.IN_PROGRESS),
    (Status.ON_HOLD, Status.RESOLVED),
    (Status.ON_HOLD, Status.CANCELLED),
    (Status.RESOLVED, Status.CLOSED),
    (Status.RESOLVED, Status.IN_PROGRESS),
}
ALL_PAIRS = [(current, target) for current in Status.values for target in Status.values]

CLOSING_FIELDS = {
    "root_cause_category": RootCause.TECHNOLOGY,
    "root_cause_analysis": "Expired TLS certificate on the CRM gateway.",
    "resolution": "Certificate renewed, gateway restarted.",
}


def _in_status(world, status: str, **extra):
    """An interruption of client A sitting in `status`, with what that status implies."""
    now = timezone.now()
    values = {
        "client": world.client_a,
        "status": status,
        "occurred_at": now - timedelta(hours=3),
        "ended_at": now - timedelta(hours=1),
        **CLOSING_FIELDS,
    }
    if status in (Status.RESOLVED, Status.CLOSED):
        values["resolved_at"] = now - timedelta(minutes=30)
    if status == Status.CLOSED:
        values["closed_at"] = now - timedelta(minutes=10)
    if status == Status.CANCELLED:
        values["cancel_reason"] = "Logged twice."
    return InterruptionFactory(**(values | extra))


def _status_entries(record):
    return list(timeline_for(record).filter(kind=TimelineKind.STATUS))


def test_transition_map_matches_the_domain_rules():
    allowed = {(current, target) for current, targets in TRANSITIONS.items() for target in targets}
    assert allowed == EXPECTED_MOVES
    assert set(TRANSITIONS) == set(Status.values)


def test_allowed_targets_are_listed_in_workflow_order():
    assert allowed_targets(Status.NEW) == [Status.IN_PROGRESS, Status.CANCELLED]
    assert allowed_targets(Status.ON_HOLD) == [
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.CANCELLED,
    ]
    assert allowed_targets(Status.CLOSED) == []
    assert allowed_targets("no-such-status") == []
    assert not is_allowed("no-such-status", Status.NEW)


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_every_move_is_allowed_or_refused_as_the_workflow_says(world, current, target):
    record = _in_status(world, current)
    before_version = record.version
    if (current, target) in EXPECTED_MOVES:
        moved = record_change_status(
            record, target=target, actor=world.lead, reason="Duplicate of another log."
        )
        record.refresh_from_db()
        assert moved.status == record.status == target
        assert record.version == before_version + 1
        (entry,) = _status_entries(record)
        assert entry.actor == world.lead
        assert entry.data == {"from": current, "to": target}
        assert entry.message == (
            f"{Status(current).label} → {Status(target).label}: Duplicate of another log."
        )
        latest = record.history.latest()
        assert latest.status == target
        assert latest.history_user == world.lead
        assert latest.history_change_reason == f"{Status(current).label} → {Status(target).label}"
    else:
        with pytest.raises(TransitionError) as caught:
            record_change_status(record, target=target, actor=world.lead, reason="Because.")
        assert caught.value.messages == [
            f"{record.reference} cannot move from {Status(current).label} "
            f"to {Status(target).label}."
        ]
        record.refresh_from_db()
        assert record.status == current
        assert record.version == before_version
        assert _status_entries(record) == []


def test_resolving_sets_resolved_at_and_reopening_clears_it(world):
    record = _in_status(world, Status.IN_PROGRESS, resolved_at=None)
    before = timezone.now()
    record_change_status(record, target=Status.RESOLVED, actor=world.lead)
    record.refresh_from_db()
    assert before <= record.resolved_at <= timezone.now()
    assert record.closed_at is None

    record_change_status(record, target=Status.IN_PROGRESS, actor=world.lead)
    record.refresh_from_db()
    assert record.status == Status.IN_PROGRESS
    assert record.resolved_at is None
    assert record.version == 3


def test_resuming_from_hold_keeps_no_resolved_at(world):
    record = _in_status(world, Status.ON_HOLD, resolved_at=None)
    record_change_status(record, target=Status.IN_PROGRESS, actor=world.agent)
    record.refresh_from_db()
    assert record.resolved_at is None
    assert record.closed_at is None


def test_closing_sets_closed_at_and_keeps_resolved_at(world):
    record = _in_status(world, Status.RESOLVED)
    resolved_at = record.resolved_at
    before = timezone.now()
    record_change_status(record, target=Status.CLOSED, actor=world.lead)
    record.refresh_from_db()
    assert record.status == Status.CLOSED
    assert before <= record.closed_at <= timezone.now()
    assert record.resolved_at == resolved_at


def test_closing_a_resolved_record_without_resolved_at_fills_it(world):
    record = _in_status(world, Status.RESOLVED, resolved_at=None)
    record_change_status(record, target=Status.CLOSED, actor=world.lead)
    record.refresh_from_db()
    assert record.resolved_at == record.closed_at


@pytest.mark.parametrize("current", [Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD])
def test_cancelling_stores_the_reason(world, current):
    record = _in_status(world, current)
    record_change_status(
        record, target=Status.CANCELLED, actor=world.lead, reason="  Logged twice.  "
    )
    record.refresh_from_db()
    assert record.status == Status.CANCELLED
    assert record.cancel_reason == "Logged twice."
    (entry,) = _status_entries(record)
    assert entry.message == f"{Status(current).label} → Cancelled: Logged twice."


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_cancelling_without_a_reason_is_refused(world, reason):
    record = _in_status(world, Status.NEW)
    with pytest.raises(TransitionError) as caught:
        record_change_status(record, target=Status.CANCELLED, actor=world.lead, reason=reason)
    assert caught.value.message_dict == {"reason": ["Give a reason to cancel a record."]}
    record.refresh_from_db()
    assert record.status == Status.NEW
    assert record.cancel_reason == ""
    assert record.version == 1
    assert _status_entries(record) == []


def test_closing_an_empty_interruption_names_every_missing_field(world):
    record = _in_status(
        world,
        Status.RESOLVED,
        root_cause_category="",
        root_cause_analysis="",
        resolution="",
        ended_at=None,
    )
    with pytest.raises(TransitionError) as caught:
        record_change_status(record, target=Status.CLOSED, actor=world.lead)
    assert caught.value.message_dict == {
        "root_cause_category": ["Choose a root-cause category before closing."],
        "root_cause_analysis": ["Describe the root cause before closing."],
        "resolution": ["Describe the resolution before closing."],
        "ended_at": ["Record when the interruption ended before closing."],
    }
    record.refresh_from_db()
    assert record.status == Status.RESOLVED
    assert record.closed_at is None
    assert record.version == 1
    assert _status_entries(record) == []


@pytest.mark.parametrize(
    ("blank", "missing"),
    [
        ({"root_cause_category": ""}, {"root_cause_category"}),
        ({"root_cause_analysis": "  \n "}, {"root_cause_analysis"}),
        ({"resolution": "   "}, {"resolution"}),
        ({"ended_at": None}, {"ended_at"}),
        ({"resolution": "", "ended_at": None}, {"resolution", "ended_at"}),
    ],
)
def test_closing_names_exactly_the_fields_still_missing(world, blank, missing):
    record = _in_status(world, Status.RESOLVED, **blank)
    with pytest.raises(TransitionError) as caught:
        record_change_status(record, target=Status.CLOSED, actor=world.lead)
    assert set(caught.value.message_dict) == missing
    record.refresh_from_db()
    assert record.status == Status.RESOLVED


def test_closing_is_allowed_once_the_missing_fields_are_filled(world):
    record = _in_status(
        world,
        Status.RESOLVED,
        root_cause_category="",
        root_cause_analysis="",
        resolution="",
        ended_at=None,
    )
    with pytest.raises(TransitionError):
        record_change_status(record, target=Status.CLOSED, actor=world.lead)
    record.refresh_from_db()
    for name, value in CLOSING_FIELDS.items():
        setattr(record, name, value)
    record.ended_at = record.occurred_at + timedelta(minutes=45)
    record.save()
    closed = record_change_status(record, target=Status.CLOSED, actor=world.lead)
    record.refresh_from_db()
    assert closed.status == record.status == Status.CLOSED
    assert record.closed_at is not None


def test_each_change_bumps_the_version_and_adds_one_timeline_entry(world):
    record = _in_status(world, Status.NEW, resolved_at=None)
    path = [Status.IN_PROGRESS, Status.ON_HOLD, Status.IN_PROGRESS, Status.RESOLVED]
    path += [Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED]
    previous = Status.NEW
    for number, target in enumerate(path, start=2):
        record = record_change_status(record, target=target, actor=world.lead)
        record.refresh_from_db()
        assert record.version == number
        entries = _status_entries(record)
        assert len(entries) == number - 1
        assert entries[-1].data == {"from": previous, "to": target}
        previous = target
    assert [version.status for version in record.history.order_by("history_date", "pk")] == [
        Status.NEW,
        *path,
    ]


def test_a_move_without_a_reason_ends_its_timeline_message_with_a_full_stop(world):
    record = _in_status(world, Status.NEW)
    record_change_status(record, target=Status.IN_PROGRESS, actor=None)
    (entry,) = _status_entries(record)
    assert entry.message == "New → In progress."
    assert entry.actor is None


def test_an_unknown_status_is_refused_and_changes_nothing(world):
    record = _in_status(world, Status.NEW)

    with pytest.raises(TransitionError, match="'archived' is not a status"):
        record_change_status(record, target="archived", actor=world.lead)

    record.refresh_from_db()
    assert (record.status, record.version) == (Status.NEW, 1)
