"""The missed-call follow-up: call-back due times in business time, once per call, by a
recorded periodic run, and what agents see of them in the call list and on the call page."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.calls import callbacks
from apps.calls.callbacks import (
    overdue_call_backs,
    schedule_call_backs,
    unscheduled_call_backs,
    waiting_call_backs,
)
from apps.calls.models import Call, Direction, Outcome
from apps.calls.services import call_create
from apps.calls.tasks import follow_up_missed_calls
from apps.core.choices import Status, TimelineKind
from apps.core.history import record_history
from apps.core.models import TaskRun, TimelineEntry
from tests.concurrency import run_at_once
from tests.factories_calls import CallFactory
from tests.factories_sla import OFFICE_HOURS, BusinessCalendarFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
)


def missed(client, *, ended: datetime | None = None, **overrides) -> Call:
    """An inbound call nobody answered, ended 40 seconds after it started ringing."""
    ended = ended or timezone.now() - timedelta(minutes=30)
    fields = {
        "client": client,
        "direction": Direction.INBOUND,
        "outcome": Outcome.MISSED,
        "occurred_at": ended - timedelta(seconds=40),
        "answered_at": None,
        "ended_at": ended,
        "talk_seconds": None,
        "wait_seconds": 40,
        "query_category": None,
        "resolution": "",
    }
    return CallFactory(**(fields | overrides))


def timeline_of(call: Call):
    return TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Call), object_id=call.pk
    ).order_by("id")


def follow_up(world, previous: Call) -> Call:
    """The outbound call an agent logs from the missed call's page."""
    start = timezone.now() - timedelta(minutes=5)
    return call_create(
        actor=world.agent,
        values={
            "client": previous.client,
            "direction": Direction.OUTBOUND,
            "title": f"Follow-up: {previous.title}",
            "severity": "SEV4",
            "occurred_at": start,
            "answered_at": start + timedelta(seconds=10),
            "ended_at": start + timedelta(minutes=3),
            "outcome": Outcome.RESOLVED,
            "resolution": "Called the customer back and answered the question.",
            "assignee": world.agent,
            "follow_up_of": previous,
        },
    )


# --- due times ------------------------------------------------------------------------------


def test_a_call_missed_on_friday_evening_is_due_on_monday_morning_in_business_time(world):
    BusinessCalendarFactory(client=world.client_a, hours=OFFICE_HOURS)  # Mon-Fri 09-17 London
    friday_evening = datetime(2025, 11, 21, 18, 31, tzinfo=LONDON)
    call = missed(world.client_a, ended=friday_evening)

    result = schedule_call_backs(now=friday_evening + timedelta(minutes=14))

    call.refresh_from_db()
    assert result.scheduled == 1
    # 120 business minutes from Monday's opening, not two hours of the weekend.
    assert call.follow_up_due == datetime(2025, 11, 24, 11, 0, tzinfo=LONDON)


def test_the_clock_starts_at_the_end_of_the_call_within_working_hours(world, settings):
    settings.CALL_BACK_WITHIN_MINUTES = 30
    BusinessCalendarFactory(client=world.client_a, hours=OFFICE_HOURS)
    ended = datetime(2025, 11, 20, 16, 50, tzinfo=LONDON)  # Thursday, 10 minutes before closing
    call = missed(world.client_a, ended=ended, occurred_at=ended - timedelta(minutes=3))

    schedule_call_backs(now=ended + timedelta(minutes=5))

    call.refresh_from_db()
    # 10 minutes on Thursday, the other 20 from Friday's opening.
    assert call.follow_up_due == datetime(2025, 11, 21, 9, 20, tzinfo=LONDON)


def test_a_client_without_a_calendar_is_called_back_round_the_clock(world):
    ended = datetime(2025, 11, 22, 23, 0, tzinfo=UTC)  # Saturday night
    call = missed(world.client_b, ended=ended)
    no_end = missed(world.client_b, ended=ended, outcome=Outcome.DROPPED)
    Call.objects.filter(pk=no_end.pk).update(ended_at=None)

    schedule_call_backs(now=ended + timedelta(minutes=10))

    call.refresh_from_db()
    no_end.refresh_from_db()
    assert call.follow_up_due == ended + timedelta(minutes=120)
    # Without an end, from the start of the call.
    assert no_end.follow_up_due == no_end.occurred_at + timedelta(minutes=120)


@pytest.mark.parametrize("minutes", [0, -5, "120", None])
def test_a_call_back_target_that_is_not_a_positive_number_of_minutes_is_refused(
    world, settings, minutes
):
    settings.CALL_BACK_WITHIN_MINUTES = minutes
    call = missed(world.client_a)

    with pytest.raises(ImproperlyConfigured, match="CALL_BACK_WITHIN_MINUTES"):
        schedule_call_backs()

    call.refresh_from_db()
    assert call.follow_up_due is None


def test_a_batch_size_below_one_is_refused(world):
    with pytest.raises(ValueError, match="batch_size"):
        schedule_call_backs(batch_size=0)


# --- which calls ----------------------------------------------------------------------------


def test_only_open_inbound_missed_or_dropped_calls_without_a_follow_up_are_scheduled(world):
    due_already = timezone.now() + timedelta(hours=5)
    scheduled = [
        missed(world.client_a),
        missed(world.client_a, outcome=Outcome.DROPPED),
        missed(world.client_b, status=Status.IN_PROGRESS),
        missed(world.client_a, status=Status.ON_HOLD),
        missed(world.client_a, status=Status.RESOLVED),
    ]
    followed_up = missed(world.client_a)
    follow_up(world, followed_up)
    untouched = [
        CallFactory(client=world.client_a),  # answered, resolved on the call
        missed(world.client_a, direction=Direction.OUTBOUND),
        missed(world.client_a, outcome=Outcome.VOICEMAIL),
        missed(world.client_a, outcome=Outcome.FOLLOW_UP, follow_up_due=due_already),
        missed(world.client_a, status=Status.CLOSED, closed_at=timezone.now()),
        missed(world.client_a, status=Status.CANCELLED, cancel_reason="Test call by IT."),
        missed(world.client_a, follow_up_due=due_already),
        followed_up,
    ]
    before = {call.pk: (call.version, call.follow_up_due) for call in untouched}
    versions_before = {call.pk: call.history.count() for call in untouched}

    result = schedule_call_backs()

    assert result.scheduled == len(scheduled)
    for call in scheduled:
        call.refresh_from_db()
        assert call.follow_up_due is not None
    for call in untouched:
        call.refresh_from_db()
        assert (call.version, call.follow_up_due) == before[call.pk], call.title
        assert call.history.count() == versions_before[call.pk]
        assert not timeline_of(call).filter(message__startswith="Call-back due").exists()


def test_running_twice_schedules_each_call_once(world):
    calls = [missed(world.client_a) for _ in range(7)]

    first = schedule_call_backs(batch_size=3)
    due = {call.pk: Call.objects.get(pk=call.pk).follow_up_due for call in calls}
    second = schedule_call_backs(batch_size=3)

    assert (first.scheduled, first.batches) == (7, 3)
    assert (second.scheduled, second.batches) == (0, 0)
    for call in calls:
        call.refresh_from_db()
        assert call.follow_up_due == due[call.pk]
        assert call.version == 2
        assert timeline_of(call).filter(message__startswith="Call-back due").count() == 1
        assert call.history.filter(history_type="~").count() == 1


def test_each_scheduled_call_gets_a_timeline_event_and_a_history_version_by_the_portal(world):
    BusinessCalendarFactory(client=world.client_a, hours=OFFICE_HOURS)
    ended = datetime(2025, 11, 21, 18, 31, tzinfo=LONDON)
    call = missed(world.client_a, ended=ended, outcome=Outcome.DROPPED)

    schedule_call_backs()

    call.refresh_from_db()
    now = call.updated_at
    assert call.version == 2
    assert timezone.now() - now < timedelta(minutes=1)
    event = timeline_of(call).last()
    assert event.kind == TimelineKind.EDIT
    assert event.actor is None
    assert event.message == (
        "Call-back due by 2025-11-24 11:00: dropped inbound call, to be called back within "
        "120 business minutes."
    )
    assert event.data == {"follow_up_due": "2025-11-24T11:00:00+00:00", "call_back_minutes": 120}
    version = call.history.order_by("-history_id").first()
    assert (version.history_type, version.history_user, version.history_date) == ("~", None, now)
    assert version.follow_up_due == call.follow_up_due
    assert version.version == 2
    (latest,) = [entry for entry in record_history(call) if entry.action == "Changed"]
    assert latest.who == "Portal (automatic)"
    assert latest.reason == event.message
    assert [(change.label, change.old) for change in latest.changes] == [("Follow up due", "—")]


def test_the_claim_is_served_by_the_partial_index(world):
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    missed(world.client_a)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = callbacks._claimable().filter(pk__gt=0).order_by("pk")[:1000].explain()
    assert "call_callback_todo" in plan


# --- concurrency (PostgreSQL) ---------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_schedule_every_call_exactly_once(world, monkeypatch):
    calls = [missed(world.client_a) for _ in range(40)]
    # Both runs hold their first batch at the same time before writing it: without the
    # row locks they would both have claimed the same ten calls.
    meeting = threading.Barrier(2, timeout=20)
    met: set[int] = set()
    schedule = callbacks._schedule

    def schedule_when_both_hold_a_batch(rows, *args):
        if threading.get_ident() not in met:
            met.add(threading.get_ident())
            meeting.wait()
        schedule(rows, *args)

    monkeypatch.setattr(callbacks, "_schedule", schedule_when_both_hold_a_batch)
    # They meet inside, once each holds a batch, rather than at the start.
    results, errors = run_at_once(
        lambda: schedule_call_backs(batch_size=10), threads=2, start_together=False
    )

    assert errors == []
    assert len(met) == 2
    assert all(result.scheduled >= 10 for result in results)
    assert sum(result.scheduled for result in results) == len(calls)
    assert not Call.objects.filter(pk__in=[c.pk for c in calls], follow_up_due=None).exists()
    assert set(
        Call.objects.filter(pk__in=[c.pk for c in calls]).values_list("version", flat=True)
    ) == {2}
    events = TimelineEntry.objects.filter(message__startswith="Call-back due")
    assert events.count() == len(calls)
    assert Call.history.filter(history_type="~").count() == len(calls)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_call_held_by_another_transaction_is_scheduled_by_the_next_run(world):
    held, free = missed(world.client_a), missed(world.client_a)
    results = []

    def run():
        try:
            results.append(schedule_call_backs())
        finally:
            connection.close()

    with transaction.atomic():
        Call.objects.select_for_update().get(pk=held.pk)  # an agent saving the call
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()

    assert results[0].scheduled == 1
    held.refresh_from_db()
    free.refresh_from_db()
    assert held.follow_up_due is None and free.follow_up_due is not None

    assert schedule_call_backs().scheduled == 1
    held.refresh_from_db()
    assert held.follow_up_due is not None


# --- the periodic task ----------------------------------------------------------------------


def test_the_task_records_its_run_and_how_many_it_scheduled(world):
    missed(world.client_a)
    missed(world.client_b, outcome=Outcome.DROPPED)

    outcome = follow_up_missed_calls()

    run = TaskRun.objects.get(task="follow_up_missed_calls")
    assert run.finished_at is not None and run.error == ""
    assert run.outcome == outcome
    assert (outcome["scheduled"], outcome["batches"]) == (2, 1)
    follow_up_missed_calls()
    runs = TaskRun.objects.filter(task="follow_up_missed_calls").order_by("started_at", "id")
    assert [run.outcome["scheduled"] for run in runs] == [2, 0]


def test_the_task_is_the_one_the_schedule_names(world):
    from apps.core.schedules import SCHEDULES, registered_task_names

    path = next(s.task for s in SCHEDULES if s.name == "Missed-call follow-up")
    assert path == follow_up_missed_calls.name
    assert path in registered_task_names()


# --- what agents see ------------------------------------------------------------------------


@pytest.fixture
def call_backs(world):
    """Scheduled call-backs of client A: one overdue, one not yet due, one followed up, one
    closed; and one of client B."""
    now = timezone.now()
    overdue = missed(world.client_a, ended=now - timedelta(hours=5), title="Overdue")
    coming = missed(world.client_a, ended=now - timedelta(minutes=10), title="Coming")
    done = missed(world.client_a, ended=now - timedelta(hours=4), title="Done")
    closed = missed(world.client_a, ended=now - timedelta(hours=6), title="Closed")
    other = missed(world.client_b, ended=now - timedelta(hours=5), title="Other client")
    schedule_call_backs()
    Call.objects.filter(pk=closed.pk).update(status=Status.CLOSED, closed_at=now)
    follow_up(world, done)
    return {"overdue": overdue, "coming": coming, "done": done, "closed": closed, "other": other}


def references(response) -> set[str]:
    assert response.status_code == 200
    content = response.content.decode()
    return {ref for ref in Call.objects.values_list("reference", flat=True) if ref in content}


def test_waiting_and_overdue_call_backs_selectors(world, call_backs):
    calls = Call.objects.filter(client=world.client_a)

    assert set(waiting_call_backs(calls)) == {call_backs["overdue"], call_backs["coming"]}
    assert set(overdue_call_backs(calls)) == {call_backs["overdue"]}
    assert not unscheduled_call_backs().exists()


def test_the_call_list_filters_waiting_and_overdue_call_backs(world, client, call_backs):
    client.force_login(world.agent)

    waiting = references(client.get("/calls/?call_back=waiting"))
    overdue = references(client.get("/calls/?call_back=overdue"))

    assert waiting == {call_backs["overdue"].reference, call_backs["coming"].reference}
    assert overdue == {call_backs["overdue"].reference}


def test_logging_the_follow_up_call_takes_the_call_out_of_the_waiting_list(
    world, client, call_backs
):
    client.force_login(world.agent)
    follow_up(world, call_backs["coming"])

    assert references(client.get("/calls/?call_back=waiting")) == {call_backs["overdue"].reference}


def test_an_unknown_call_back_choice_shows_the_error_not_every_call(world, client, call_backs):
    client.force_login(world.agent)

    response = client.get("/calls/?call_back=soon")

    assert "Select a valid choice" in response.content.decode()


def test_the_call_page_shows_the_call_back_due_overdue_in_red(world, client, call_backs):
    client.force_login(world.agent)

    overdue = client.get(f"/calls/{call_backs['overdue'].reference}/").content.decode()
    coming = client.get(f"/calls/{call_backs['coming'].reference}/").content.decode()
    done = client.get(f"/calls/{call_backs['done'].reference}/").content.decode()

    assert 'id="call-back-due" class="text-danger' in overdue
    assert "(overdue)" in overdue and "Log a follow-up call" in overdue
    due = timezone.localtime(Call.objects.get(pk=call_backs["coming"].pk).follow_up_due)
    assert f"Call-back due by {due:%Y-%m-%d %H:%M}" in coming
    assert "text-danger" not in coming.split('id="call-back-due"')[1].split(">")[0]
    assert 'id="call-back-due"' not in done
    assert "followed up by" in done


def test_the_filtered_list_costs_the_same_for_any_page_size(world, client):
    now = timezone.now()
    for number in range(30):
        missed(world.client_a, ended=now - timedelta(minutes=number + 10))
    schedule_call_backs()
    client.force_login(world.lead)
    client.get("/calls/")

    counts = set()
    for per_page in (25, 50):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/calls/?call_back=waiting&per_page={per_page}")
        assert response.status_code == 200
        counts.add(len(captured.captured_queries))

    assert len(counts) == 1, counts
