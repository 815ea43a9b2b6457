"""A broker that accepts connections but never answers must not hold a save for long; what
could not be published waits in the outbox."""

import time

import pytest
from celery import Celery
from django.conf import settings

from apps.core.models import OutboxMessage
from apps.core.queueing import enqueue_on_commit


@pytest.mark.django_db
def test_queueing_against_a_silent_broker_gives_up_within_the_time_budget(
    silent_broker, django_capture_on_commit_callbacks
):
    # Not the current app: the shared tasks of later tests must keep resolving to the portal's.
    app = Celery("silent", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = silent_broker
    app.conf.broker_transport_options = settings.REDIS_BROKER_TRANSPORT_OPTIONS

    @app.task(name="silent.noop")
    def noop():
        return None

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = enqueue_on_commit(noop)
    elapsed = time.monotonic() - started

    assert len(callbacks) == 1  # the publish was attempted, and given up

    assert elapsed <= 2.0, f"queueing blocked for {elapsed:.1f}s"
    message.refresh_from_db()
    assert message.sent_at is None
    assert message.task_name == "silent.noop"
    assert "OperationalError" in message.last_error
    assert OutboxMessage.objects.unsent().count() == 1
