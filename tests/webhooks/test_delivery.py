"""Delivery to a loopback receiver: signed, retried with backoff after 500s and timeouts,
paused after 24 hours of failures (administrators told), in each record's order, and nothing
lost while the broker is down."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.choices import Status
from apps.core.models import OutboxMessage
from apps.core.queueing import flush_outbox
from apps.core.services.records import record_change_status
from apps.interruptions.services import interruption_create
from apps.notifications.models import Notification
from apps.webhooks.delivery import backoff, delivery_attempt
from apps.webhooks.events import DELIVER_TASK
from apps.webhooks.models import Delivery, DeliveryState, Subscription
from apps.webhooks.services import deliveries_send_again, subscription_resume
from apps.webhooks.signing import signature_is_valid
from tests.celery_worker import broker_at, closed_port_url

from .driving import run_queued, sweep_and_run

pytestmark = pytest.mark.django_db
MIN = timedelta(minutes=1)


def _log(world, title="CRM slow"):
    return interruption_create(
        actor=world.agent,
        values={
            "client": world.client_a,
            "kind": "incident",
            "title": title,
            "severity": "SEV3",
            "occurred_at": timezone.now() - 5 * MIN,
        },
    )


def _sequences(receiver) -> list[tuple[str, int]]:
    bodies = [json.loads(request.body) for request in receiver.answered_ok()]
    return [(body["record"]["reference"], body["sequence"]) for body in bodies]


def test_each_request_is_signed_with_the_subscriptions_secret(world, subscribe, receiver):
    subscription = subscribe()
    record = _log(world)
    assert run_queued() == ["delivered"]

    (request,) = receiver.requests
    headers = request.headers
    assert signature_is_valid(
        subscription.secret,
        headers["X-Portal-Timestamp"],
        request.body,
        headers["X-Portal-Signature"],
        now=int(timezone.now().timestamp()),
    )
    assert not signature_is_valid(
        "whsec_another",
        headers["X-Portal-Timestamp"],
        request.body,
        headers["X-Portal-Signature"],
        now=int(timezone.now().timestamp()),
    )
    body = json.loads(request.body)
    assert headers["X-Portal-Event-Id"] == body["id"]
    assert headers["X-Portal-Event"] == "record.created"
    assert body["record"]["reference"] == record.reference
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    (attempt,) = delivery.log.all()
    assert attempt.status == 200 and attempt.response_ms >= 0


def test_500s_are_retried_with_a_doubling_backoff(world, subscribe, receiver):
    subscribe()
    receiver.plan.extend([500, 500, 503])
    _log(world)
    start = timezone.now()
    assert run_queued(start) == ["retry"]
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at == start + MIN

    assert sweep_and_run(start + timedelta(seconds=30)) == []  # not due yet
    assert sweep_and_run(start + MIN) == ["retry"]
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == start + MIN + 2 * MIN
    assert sweep_and_run(start + 3 * MIN) == ["retry"]
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == start + 7 * MIN
    assert sweep_and_run(start + 7 * MIN) == ["delivered"]

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 4)
    assert [attempt.status for attempt in delivery.log.all()] == [500, 500, 503, 200]
    ids = {request.headers["X-Portal-Event-Id"] for request in receiver.requests}
    assert len(ids) == 1  # the same event each time: the receiver can drop duplicates


def test_the_backoff_doubles_up_to_an_hour():
    assert [backoff(n) for n in (1, 2, 3, 6, 7, 20)] == [
        MIN,
        2 * MIN,
        4 * MIN,
        32 * MIN,
        60 * MIN,
        60 * MIN,
    ]


def test_a_receiver_that_does_not_answer_in_time_is_tried_again(world, subscribe, receiver):
    subscribe()
    receiver.plan.append(("sleep", 0.6, 200))  # past the 0.3 s timeout of the tests
    _log(world)
    start = timezone.now()
    assert run_queued(start) == ["retry"]
    delivery = Delivery.objects.get()
    assert delivery.last_status is None
    assert "Timeout" in delivery.last_error
    assert sweep_and_run(start + MIN) == ["delivered"]


def test_failing_for_24_hours_pauses_the_subscription_and_tells_the_administrators(
    world, subscribe, receiver
):
    subscription = subscribe()
    receiver.default = 500
    first = _log(world, "first")
    second = _log(world, "second")
    start = timezone.now()
    run_queued(start)
    now = start
    while Subscription.objects.filter(pk=subscription.pk, paused_at__isnull=True).exists():
        now += timedelta(hours=2)
        sweep_and_run(now)
        assert now - start <= timedelta(hours=25)
    subscription.refresh_from_db()
    assert timedelta(hours=24) <= subscription.paused_at - start <= timedelta(hours=25)
    # The first record's event was given up; the second's, tried as long, waits with the rest.
    given_up = list(Delivery.objects.filter(state=DeliveryState.GIVEN_UP))
    assert [delivery.stream for delivery in given_up] == [f"interruptions.interruption:{first.pk}"]
    assert given_up[0].attempts == len(given_up[0].log.all()) > 10
    assert len(receiver.requests) < 80

    (told,) = Notification.objects.filter(recipient=world.admin)
    assert "paused" in told.subject.lower() and subscription.name in told.subject
    assert told.url == f"/admin/webhooks/subscription/{subscription.pk}/change/"
    assert not Notification.objects.exclude(recipient=world.admin).exists()

    # Paused: nothing is sent, the records' later events wait.
    record_change_status(first, target=Status.IN_PROGRESS, actor=world.agent)
    requests = len(receiver.requests)
    sweep_and_run(now + timedelta(hours=2))
    assert len(receiver.requests) == requests

    # Resumed (the receiver mended): the waiting events go out.
    receiver.default = 200
    subscription_resume(subscription, now=now + timedelta(hours=3))
    run_queued(now + timedelta(hours=3))
    assert sorted(_sequences(receiver)) == [(first.reference, 2), (second.reference, 1)]
    # Given-up events can be sent again by hand.
    assert deliveries_send_again(given_up) == 1
    run_queued(now + timedelta(hours=4))
    assert sorted(_sequences(receiver)) == [
        (first.reference, 1),
        (first.reference, 2),
        (second.reference, 1),
    ]


def test_a_records_events_are_delivered_in_order(world, subscribe, receiver):
    subscribe()
    receiver.plan.extend([500])
    record = _log(world)
    record = record_change_status(record, target=Status.IN_PROGRESS, actor=world.agent)
    record_change_status(record, target=Status.RESOLVED, actor=world.agent)
    other = _log(world, "another")
    start = timezone.now()
    # The first event fails; the record's later ones wait for it, another record's go.
    assert sorted(run_queued(start)) == ["delivered", "retry"]
    assert _sequences(receiver) == [(other.reference, 1)]
    # A later event's task arriving early (redelivered, a sweep) still waits its turn.
    waiting = Delivery.objects.get(stream=f"interruptions.interruption:{record.pk}", sequence=3)
    assert delivery_attempt(waiting.pk, now=start) == "waiting"
    sweep_and_run(start + MIN)
    assert _sequences(receiver) == [
        (other.reference, 1),
        (record.reference, 1),
        (record.reference, 2),
        (record.reference, 3),
    ]


def test_nothing_is_lost_while_the_broker_is_down(
    world, subscribe, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    subscribe()
    with broker_at(closed_port_url()), django_capture_on_commit_callbacks(execute=True):
        record = _log(world)
    (message,) = OutboxMessage.objects.filter(task_name=DELIVER_TASK)
    assert message.sent_at is None and "Error" in message.last_error
    assert receiver.requests == []
    # The broker is back: the flush publishes the task, which the worker then runs.
    published = []
    monkeypatch.setattr(
        "apps.core.queueing._send", lambda sent: published.append((sent.task_name, sent.args))
    )
    assert flush_outbox().sent == 1
    assert published == [(DELIVER_TASK, message.args)]
    assert delivery_attempt(*message.args) == "delivered"
    assert _sequences(receiver) == [(record.reference, 1)]


def test_a_refused_address_is_never_called(world, subscribe, receiver):
    subscription = subscribe()
    Subscription.objects.filter(pk=subscription.pk).update(url="file:///etc/passwd")
    _log(world)
    assert run_queued() == ["retry"]
    assert "Refused" in Delivery.objects.get().last_error
