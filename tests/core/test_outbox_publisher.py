"""A request never waits for the broker: a hung broker (accepts, never answers) costs a bulk
change of nine records nothing, and what it could not take is published once it answers."""

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.core.queueing import enqueue_on_commit, flush_outbox, publisher
from apps.interruptions.models import InterruptionKind
from tests.celery_worker import broker_at
from tests.factories import InterruptionFactory


@pytest.fixture
def in_background(settings):
    settings.OUTBOX_PUBLISH_IN_BACKGROUND = True
    yield
    publisher.wait_idle(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_change_of_nine_records_answers_at_once_against_a_silent_broker(
    world, client, silent_broker, in_background
):
    now = timezone.now()
    records = [
        InterruptionFactory(
            client=world.client_a,
            kind=InterruptionKind.MAINTENANCE,
            planned_start=now - timedelta(hours=1),
            planned_end=now + timedelta(hours=1),
        )
        for _ in range(9)
    ]
    OutboxMessage.objects.all().delete()
    client.force_login(world.lead)

    with broker_at(silent_broker):
        started = time.monotonic()
        response = client.post(
            "/interruptions/bulk/",
            {
                "selection": [record.pk for record in records],
                # Each window that starts queues a recompute of the clocks it holds.
                "action": "status",
                "status": "in_progress",
            },
        )
        elapsed = time.monotonic() - started
        print(f"bulk change of 9 records against a hung broker: {elapsed:.2f} s")
        assert response.status_code == 302
        assert elapsed < 2.0, f"the request waited {elapsed:.1f} s for the broker"
        assert OutboxMessage.objects.unsent().count() == 9
        publisher.wait_idle(timeout=10)
    assert OutboxMessage.objects.unsent().count() == 9

    with broker_at("memory://"):
        result = flush_outbox()

    assert (result.sent, result.failed) == (9, 0)
    assert not OutboxMessage.objects.unsent().exists()


def _task(publish):
    fake = mock.Mock()
    fake.name = "apps.example.tasks.do_it"
    fake.delay.side_effect = publish
    return fake


@pytest.mark.django_db(transaction=True)
def test_committed_messages_are_published_by_the_publisher_thread_once(in_background):
    threads = []
    task = _task(lambda *args, **kwargs: threads.append(threading.current_thread().name))

    with transaction.atomic():
        first = enqueue_on_commit(task, 1)
        second = enqueue_on_commit(task, 2)
        assert publisher.wait_idle(timeout=0.1)  # nothing handed over before the commit
    assert publisher.wait_idle(timeout=10)

    assert threads == ["outbox-publisher", "outbox-publisher"]
    assert task.delay.call_args_list == [mock.call(1), mock.call(2)]
    assert (
        OutboxMessage.objects.filter(pk__in=[first.pk, second.pk], sent_at__isnull=False).count()
        == 2
    )
    assert flush_outbox().sent == 0  # nothing left to send twice


@pytest.mark.django_db(transaction=True)
def test_after_a_broker_failure_the_rest_is_left_to_the_flush(in_background):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite database refuses, rather than waits for, a 2nd writer")

    def hang(*args, **kwargs):
        time.sleep(0.3)
        raise ConnectionError("no answer")

    task = _task(hang)
    release = threading.Event()
    blocker = _task(lambda *args, **kwargs: release.wait(5))
    # The publisher is held on a first message while three more are committed.
    enqueue_on_commit(blocker, 0)
    with transaction.atomic():
        messages = [enqueue_on_commit(task, number) for number in (1, 2, 3)]
    release.set()
    assert publisher.wait_idle(timeout=10)

    assert task.delay.call_count == 1  # one wait for the broker, not three
    stored = {m.pk: m for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in messages])}
    assert [stored[m.pk].attempts for m in messages] == [1, 0, 0]
    assert all(m.sent_at is None and m.claimed_until is None for m in stored.values())
    sent = []
    with mock.patch("apps.core.queueing._send", side_effect=lambda m: sent.append(m.args)):
        assert flush_outbox().sent == 3
    assert sent == [[1], [2], [3]]
