"""Queueing Celery tasks from services through a durable outbox: never lost, never blocking.

`enqueue_on_commit(task, *args, **kwargs)` is the one entry point for services. It writes an
`OutboxMessage` in the caller's transaction, so the task call exists exactly when the change
that asked for it does. Once the transaction commits, the message is handed to the process's
background publisher (a thread of its own), so a request never waits for the broker: a
broker that is down, or up but not answering, costs the request nothing. If the publisher
cannot reach the broker the message stays unsent and `flush_outbox` (every minute, or the
management command) publishes it later. (`OUTBOX_PUBLISH_IN_BACKGROUND = False` publishes in
the committing thread instead, within the broker's short timeouts: for tests, whose
transactions other threads cannot see.)

Publishers claim a message before sending it with a conditional update on `claimed_until`;
the flush picks its batch with `select_for_update(skip_locked=True)` where the database has
it (PostgreSQL) and message by message otherwise (SQLite). A message is published at most
once by the outbox, except when a publisher dies between the broker accepting the message
and the mark "sent" (or holds it past its lease): tasks must therefore be idempotent.
"""

import atexit
import logging
import os
import queue
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# Longer than any publish can take (the broker gives up within two seconds), short enough
# that a message whose publisher died goes out on one of the next flushes.
CLAIM_LEASE = timedelta(minutes=2)
FLUSH_BATCH = 200
# Sent messages are kept a week, to answer "was it queued, and when?".
KEEP_SENT = timedelta(days=7)


class TaskByName:
    """A task known by its name only, so a service need not import the tasks module."""

    def __init__(self, name: str) -> None:
        self.name = name

    def delay(self, *args, **kwargs):
        from config.celery import app

        return app.send_task(self.name, args=args, kwargs=kwargs)


def enqueue_on_commit(task, *args, **kwargs) -> OutboxMessage:
    """Record `task(*args, **kwargs)` with the current transaction; publish it after commit.

    `task` is a Celery task or a task's name. Arguments must be JSON values (ids, not
    objects), as the broker's serialiser wants too. Outside a transaction the message is
    stored and handed to the publisher at once.
    """
    if isinstance(task, str):
        task = TaskByName(task)
    message = OutboxMessage.objects.create(task_name=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: publisher.submit(task, message))
    return message


def _claim(pk: int, now) -> bool:
    lease = now + CLAIM_LEASE
    return OutboxMessage.objects.claimable(now).filter(pk=pk).update(claimed_until=lease) == 1


def _mark_sent(pk: int) -> None:
    OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), claimed_until=None, attempts=F("attempts") + 1, last_error=""
    )


def _release(pk: int, error: Exception) -> None:
    """Give the message back to the flush, with what went wrong."""
    OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).update(
        claimed_until=None,
        attempts=F("attempts") + 1,
        last_error=f"{error.__class__.__name__}: {error}"[:2000],
    )


def _publish_after_commit(task, message: OutboxMessage) -> bool:
    """Publish one committed message unless a flush got there first; False if the broker
    could not take it (the message is then left to the flush)."""
    if not _claim(message.pk, timezone.now()):
        return True  # a flush got there first
    try:
        task.delay(*message.args, **message.kwargs)
    except Exception as error:  # noqa: BLE001 - the save is committed; the flush sends it later
        logger.warning(
            "Could not queue %s%r: broker unavailable (%s); kept in the outbox as message %s",
            task.name,
            tuple(message.args),
            error,
            message.pk,
        )
        _release(message.pk, error)
        return False
    _mark_sent(message.pk)
    return True


class BackgroundPublisher:
    """Publishes committed messages from one thread per process, in the order they came.

    Messages handed over while it is busy are published together next. After the broker
    fails one, the rest of that batch is not tried (each would wait out the broker's
    timeout again): it stays unsent, unclaimed, for the periodic flush.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, task, message: OutboxMessage) -> None:
        if not settings.OUTBOX_PUBLISH_IN_BACKGROUND:
            _publish_after_commit(task, message)
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                # First use in this process (a forked worker inherits no running thread).
                self._queue, self._pending, self._pid = queue.SimpleQueue(), 0, os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="outbox-publisher", daemon=True
                )
                self._thread.start()
            self._pending += 1
            self._idle.clear()
            self._queue.put((task, message))

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything handed over has been dealt with; False on timeout."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        source = self._queue
        while True:
            batch = [source.get()]
            while True:
                try:
                    batch.append(source.get_nowait())
                except queue.Empty:
                    break
            try:
                broker_answers = True
                for task, message in batch:
                    broker_answers = broker_answers and _publish_after_commit(task, message)
            except Exception:
                logger.exception("The outbox publisher failed; the flush will send the rest")
            finally:
                connections.close_all()  # this thread's own connections
                with self._lock:
                    self._pending -= len(batch)
                    if self._pending <= 0:
                        self._idle.set()


publisher = BackgroundPublisher()
# A command that queued work and ends at once gives its messages a moment to leave; what
# cannot leave in time is sent by the flush.
atexit.register(publisher.wait_idle, 2.0)


def _claim_batch(limit: int) -> tuple[list[OutboxMessage], bool]:
    """Claim up to `limit` unsent messages that no other publisher holds.

    Also says whether more may be waiting: a batch can come back short because another flush
    claimed part of it, which is not the same as the outbox being empty.
    """
    now = timezone.now()
    lease = now + CLAIM_LEASE
    due = OutboxMessage.objects.claimable(now).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        # Rows another flush is claiming are skipped, not waited for.
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            OutboxMessage.objects.filter(pk__in=ids).update(claimed_until=lease)
        candidates = ids
    else:
        # One conditional update per message: a message another flush claimed in between
        # no longer matches `claimable` and updates no row.
        candidates = list(due.values_list("pk", flat=True)[:limit])
        ids = [pk for pk in candidates if due.filter(pk=pk).update(claimed_until=lease) == 1]
    claimed = list(OutboxMessage.objects.filter(pk__in=ids).order_by("pk"))
    return claimed, len(candidates) == limit


def _send(message: OutboxMessage) -> None:
    """Publish one stored call by task name (the flushing process need not import the task)."""
    from config.celery import app

    app.send_task(message.task_name, args=message.args, kwargs=message.kwargs)


@dataclass
class FlushResult:
    sent: int = 0
    failed: int = 0
    pruned: int = 0


def flush_outbox(*, batch: int = FLUSH_BATCH) -> FlushResult:
    """Publish unsent messages, oldest first, until none is left or the broker fails.

    Safe to run twice or concurrently: every message is claimed before it is sent. After the
    first failure the rest of the batch is given back untouched: the broker is down, and each
    further attempt would only wait for its timeout again.
    """
    result = FlushResult()
    while True:
        claimed, more_waiting = _claim_batch(batch)
        for position, message in enumerate(claimed):
            try:
                _send(message)
            except Exception as error:  # noqa: BLE001 - kept for the next flush
                logger.warning("Outbox flush stopped: broker unavailable (%s)", error)
                _release(message.pk, error)
                rest = [other.pk for other in claimed[position + 1 :]]
                OutboxMessage.objects.filter(pk__in=rest, sent_at__isnull=True).update(
                    claimed_until=None
                )
                result.failed = len(claimed) - position
                result.pruned = prune_sent_messages()
                return result
            _mark_sent(message.pk)
            result.sent += 1
        if not more_waiting:
            break
    result.pruned = prune_sent_messages()
    return result


def prune_sent_messages(*, older_than: timedelta = KEEP_SENT, limit: int = 5000) -> int:
    """Delete messages sent long ago (a bounded number per call, so no flush runs long)."""
    cutoff = timezone.now() - older_than
    ids = list(
        OutboxMessage.objects.filter(sent_at__lt=cutoff).values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    deleted, _ = OutboxMessage.objects.filter(pk__in=ids).delete()
    return deleted
