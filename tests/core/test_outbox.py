"""The outbox: a queued task is stored with the change that asked for it, published after the
commit, kept through a broker outage and published by the flush, once."""

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.core.queueing import (
    CLAIM_LEASE,
    KEEP_SENT,
    enqueue_on_commit,
    flush_outbox,
    prune_sent_messages,
)
from apps.core.tasks import flush_outbox as flush_outbox_task

pytestmark = pytest.mark.django_db


class Broker:
    """Stands in for the broker: records what is published, or refuses while down."""

    def __init__(self) -> None:
        self.published: list[tuple[str, list, dict]] = []
        self.down = False

    def publish(self, message: OutboxMessage) -> None:
        if self.down:
            raise ConnectionError("broker down")
        self.published.append((message.task_name, message.args, message.kwargs))


@pytest.fixture
def broker():
    fake = Broker()
    with mock.patch("apps.core.queueing._send", side_effect=fake.publish):
        yield fake


@pytest.fixture
def task():
    """A task object as services pass it: a name, and `delay` that reaches the broker."""
    fake = mock.Mock()
    fake.name = "apps.example.tasks.do_it"
    return fake


def _unsent(**values) -> OutboxMessage:
    return OutboxMessage.objects.create(task_name="apps.example.tasks.do_it", **values)


# --- enqueue_on_commit ---------------------------------------------------------------------


def test_the_message_is_stored_with_the_change_and_published_after_the_commit(
    task, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            enqueue_on_commit(task, 7, reason="x")
        (message,) = OutboxMessage.objects.all()
        assert (message.task_name, message.args, message.kwargs) == (
            task.name,
            [7],
            {"reason": "x"},
        )
        assert message.sent_at is None
        task.delay.assert_not_called()  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    task.delay.assert_called_once_with(7, reason="x")
    message.refresh_from_db()
    assert message.sent_at is not None
    assert (message.attempts, message.claimed_until, message.last_error) == (1, None, "")


def test_a_rolled_back_change_leaves_no_message(task, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(task, 7)
        raise RuntimeError("the save failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    task.delay.assert_not_called()


def test_a_broker_failure_keeps_the_message_for_the_flush(
    task, django_capture_on_commit_callbacks, caplog
):
    task.delay.side_effect = ConnectionError("Connection refused")
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue_on_commit(task, 7)
    message.refresh_from_db()
    assert message.sent_at is None
    assert message.claimed_until is None  # the flush may take it at once
    assert message.attempts == 1
    assert message.last_error == "ConnectionError: Connection refused"
    assert "broker unavailable" in caplog.text


def test_a_message_the_flush_already_sent_is_not_published_again_after_the_commit(
    task, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = enqueue_on_commit(task, 7)
    assert flush_outbox().sent == 1  # e.g. the commit was slow and a flush ran meanwhile
    for callback in callbacks:
        callback()
    task.delay.assert_not_called()
    message.refresh_from_db()
    assert message.attempts == 1


# --- flush ---------------------------------------------------------------------------------


def test_the_flush_publishes_unsent_messages_in_order_and_marks_them_sent(broker):
    first, second = _unsent(args=[1]), _unsent(args=[2], kwargs={"k": "v"})
    already = _unsent(args=[3], sent_at=timezone.now())

    result = flush_outbox()

    assert (result.sent, result.failed) == (2, 0)
    assert broker.published == [(first.task_name, [1], {}), (second.task_name, [2], {"k": "v"})]
    assert not OutboxMessage.objects.unsent().exists()
    already.refresh_from_db()
    assert already.attempts == 0
    assert flush_outbox().sent == 0
    assert len(broker.published) == 2


def test_the_flush_goes_through_more_than_one_batch(broker):
    for number in range(7):
        _unsent(args=[number])
    assert flush_outbox(batch=3).sent == 7
    assert [args for _, args, _ in broker.published] == [[number] for number in range(7)]


def test_the_flush_stops_at_the_first_broker_failure_and_gives_the_rest_back(broker):
    messages = [_unsent(args=[number]) for number in range(3)]
    broker.down = True

    result = flush_outbox()

    assert (result.sent, result.failed) == (0, 3)
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert [row.sent_at for row in rows] == [None, None, None]
    assert [row.claimed_until for row in rows] == [None, None, None]
    # Only the message that met the outage records it.
    assert [row.attempts for row in rows] == [1, 0, 0]
    assert rows[0].last_error == "ConnectionError: broker down"

    broker.down = False
    assert flush_outbox().sent == 3
    assert [args for _, args, _ in broker.published] == [m.args for m in messages]


def test_a_message_held_by_another_publisher_is_left_to_it_until_its_lease_ends(broker):
    now = timezone.now()
    held = _unsent(args=[1], claimed_until=now + CLAIM_LEASE)
    abandoned = _unsent(args=[2], claimed_until=now - timedelta(seconds=1))

    assert flush_outbox().sent == 1
    assert broker.published == [(abandoned.task_name, [2], {})]
    held.refresh_from_db()
    assert held.sent_at is None


def test_old_sent_messages_are_pruned_and_unsent_ones_never(broker):
    long_ago = timezone.now() - KEEP_SENT - timedelta(hours=1)
    old = _unsent(sent_at=long_ago)
    recent = _unsent(sent_at=timezone.now() - timedelta(days=1))
    unsent_old = _unsent(created_at=long_ago)

    result = flush_outbox()

    assert result.pruned == 1
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()
    assert OutboxMessage.objects.filter(pk=recent.pk).exists()
    unsent_old.refresh_from_db()
    assert unsent_old.sent_at is not None  # published, not deleted
    assert prune_sent_messages() == 0


def test_the_periodic_task_flushes(broker):
    _unsent(args=[1])
    assert flush_outbox_task.apply().get() == {"sent": 1, "failed": 0, "pruned": 0}


def test_the_command_reports_and_fails_while_the_broker_is_down(broker, capsys):
    _unsent(args=[1])
    broker.down = True
    with pytest.raises(CommandError, match="1 message\\(s\\) remain"):
        call_command("flush_outbox")
    broker.down = False
    call_command("flush_outbox")
    assert "Sent 1 message(s)" in capsys.readouterr().out


# --- two flushes at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("skip_locked", [True, False], ids=["skip-locked", "conditional-update"])
def test_two_concurrent_flushes_never_send_a_message_twice(skip_locked):
    if skip_locked and not connection.features.has_select_for_update_skip_locked:
        pytest.skip("the database has no SELECT ... FOR UPDATE SKIP LOCKED")
    if connection.vendor == "sqlite":
        pytest.skip("an in-memory SQLite database is not shared between threads")
    for number in range(40):
        _unsent(args=[number])
    published: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def slow_publish(message: OutboxMessage) -> None:
        time.sleep(0.002)  # a round trip to the broker: the other flush runs meanwhile
        with lock:
            published.append(message.args[0])

    def run() -> None:
        try:
            start.wait()
            flush_outbox(batch=5)
        finally:
            connection.close()

    with (
        mock.patch("apps.core.queueing._send", side_effect=slow_publish),
        mock.patch.object(
            connection.features.__class__, "has_select_for_update_skip_locked", skip_locked
        ),
    ):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(published) == list(range(40))
    assert not OutboxMessage.objects.unsent().exists()


@pytest.mark.django_db(transaction=True)
def test_a_flush_skips_the_messages_another_flush_has_locked(broker):
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("the database has no SELECT ... FOR UPDATE SKIP LOCKED")
    locked, free = _unsent(args=[1]), _unsent(args=[2])
    holding, release = threading.Event(), threading.Event()

    def other_flush_holding_a_row() -> None:
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=locked.pk)
                holding.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    other = threading.Thread(target=other_flush_holding_a_row)
    other.start()
    try:
        assert holding.wait(timeout=10)
        started = time.monotonic()
        assert flush_outbox().sent == 1
        assert time.monotonic() - started < 1  # skipped, not waited for
        assert broker.published == [(free.task_name, [2], {})]
    finally:
        release.set()
        other.join()
    assert flush_outbox().sent == 1
    assert broker.published[-1] == (locked.task_name, [1], {})
