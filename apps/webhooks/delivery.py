"""Delivering webhook events: at least once, in each record's order, with backoff.

`delivery_attempt` is what the delivery task runs. It claims the delivery with a conditional
update (two workers never post it at once), posts it unless an earlier event of the same
record is still pending for that subscription, and records the attempt. On a 2xx answer the
record's next pending event is queued. Otherwise the next attempt is due after a backoff that
doubles from a minute up to an hour; a delivery still failing `WEBHOOK_RETRY_HOURS` after its
first attempt is given up, its subscription paused and the administrators told.

`deliveries_queue_due` (every minute) queues the deliveries whose next attempt has come and
any whose queued task was lost; a task that runs twice finds the delivery claimed or done.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from apps.core.queueing import enqueue_on_commit
from apps.core.roles import ADMINISTRATOR
from apps.notifications.services import notify_person

from .events import DELIVER_TASK, QUEUED_RECHECK
from .models import Delivery, DeliveryAttempt, DeliveryState, Subscription
from .sending import post_event

# Longer than one POST can take (the timeout, a few seconds).
CLAIM_LEASE = timedelta(minutes=2)
FIRST_BACKOFF = timedelta(minutes=1)
LONGEST_BACKOFF = timedelta(hours=1)
QUEUE_BATCH = 500

DELIVERED, RETRY, GIVEN_UP, WAITING, SKIPPED = (
    "delivered",
    "retry",
    "given_up",
    "waiting",
    "skipped",
)


def backoff(failures: int) -> timedelta:
    """The wait after the `failures`-th failed attempt in a row: 1, 2, 4… minutes, ≤ 1 hour."""
    return min(FIRST_BACKOFF * 2 ** max(failures - 1, 0), LONGEST_BACKOFF)


def _sendable():
    return Delivery.objects.filter(
        state=DeliveryState.PENDING,
        subscription__active=True,
        subscription__paused_at__isnull=True,
    )


def _unclaimed(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def _earlier_pending():
    return Delivery.objects.filter(
        subscription=OuterRef("subscription"),
        stream=OuterRef("stream"),
        state=DeliveryState.PENDING,
        sequence__lt=OuterRef("sequence"),
    )


def delivery_attempt(delivery_id: int, *, now: datetime | None = None) -> str:
    """Post one delivery if it is its record's next for its subscription; say what happened."""
    now = now or timezone.now()
    claimed = (
        _sendable().filter(_unclaimed(now), pk=delivery_id).update(claimed_until=now + CLAIM_LEASE)
    )
    if not claimed:
        return SKIPPED  # done, given up, paused, or another worker holds it
    delivery = Delivery.objects.select_related("event", "subscription").get(pk=delivery_id)
    if Delivery.objects.filter(
        subscription_id=delivery.subscription_id,
        stream=delivery.stream,
        state=DeliveryState.PENDING,
        sequence__lt=delivery.sequence,
    ).exists():
        # Queued again when the earlier one is delivered (or by the sweep, or a resume).
        Delivery.objects.filter(pk=delivery.pk).update(claimed_until=None, next_attempt_at=None)
        return WAITING
    subscription = delivery.subscription
    answer = post_event(
        subscription.url,
        subscription.secret,
        delivery.event.payload,
        timestamp=int(now.timestamp()),
    )
    first = delivery.first_attempt_at or now
    failures = delivery.attempts + 1
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status=answer.status,
            response_ms=answer.response_ms,
            error=answer.error,
        )
        common = {
            "attempts": F("attempts") + 1,
            "first_attempt_at": first,
            "last_status": answer.status,
            "last_error": answer.error,
            "claimed_until": None,
        }
        mine = Delivery.objects.filter(pk=delivery.pk)
        if answer.ok:
            mine.update(
                **common,
                state=DeliveryState.DELIVERED,
                delivered_at=now,
                next_attempt_at=None,
            )
            _queue_next(delivery, now)
            return DELIVERED
        if now - first >= timedelta(hours=settings.WEBHOOK_RETRY_HOURS):
            mine.update(**common, state=DeliveryState.GIVEN_UP, next_attempt_at=None)
            _pause(subscription, delivery, now)
            return GIVEN_UP
        mine.update(**common, next_attempt_at=now + backoff(failures))
        return RETRY


def _queue_next(delivery: Delivery, now: datetime) -> None:
    following = (
        Delivery.objects.filter(
            subscription_id=delivery.subscription_id,
            stream=delivery.stream,
            state=DeliveryState.PENDING,
        )
        .order_by("sequence")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        Delivery.objects.filter(pk=following).update(next_attempt_at=now + QUEUED_RECHECK)
        enqueue_on_commit(DELIVER_TASK, following)


def _administrators():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=ADMINISTRATOR))
        .distinct()
        .order_by("pk")
    )


def _pause(subscription: Subscription, delivery: Delivery, now: datetime) -> None:
    """Pause the subscription (once) and tell every administrator, in the portal and by
    e-mail."""
    if not Subscription.objects.filter(pk=subscription.pk, paused_at__isnull=True).update(
        paused_at=now
    ):
        return
    hours = settings.WEBHOOK_RETRY_HOURS
    body = (
        f"The webhook subscription “{subscription.name}” ({subscription.url}) was paused: "
        f"the receiver failed every delivery of event {delivery.event_id} for {hours} hours "
        f"(last: {delivery.last_error or 'no answer'}). Events are kept and sent in order "
        "once it is resumed in the admin."
    )
    for admin in _administrators():
        notify_person(
            event_key=f"webhook:{subscription.pk}:paused:{now:%Y%m%dT%H%M%S}",
            recipient=admin,
            subject=f"Webhook paused: {subscription.name}",
            body=body,
            url=reverse("admin:webhooks_subscription_change", args=[subscription.pk]),
            reference=subscription.name[:40],
            about=subscription,
        )


def deliveries_queue_due(
    *, now: datetime | None = None, subscription_id: int | None = None, limit: int = QUEUE_BATCH
) -> int:
    """Queue every delivery that is first in its record's line and whose attempt is due (or
    whose queued task never ran); returns how many were queued."""
    now = now or timezone.now()
    due = (
        _sendable()
        .filter(_unclaimed(now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .exclude(Exists(_earlier_pending()))
    )
    if subscription_id is not None:
        due = due.filter(subscription_id=subscription_id)
    queued = 0
    with transaction.atomic():
        for pk, next_at in due.order_by("pk").values_list("pk", "next_attempt_at")[:limit]:
            # Conditional: of two sweeps at once, one queues it.
            if Delivery.objects.filter(pk=pk, next_attempt_at=next_at).update(
                next_attempt_at=now + QUEUED_RECHECK
            ):
                enqueue_on_commit(DELIVER_TASK, pk)
                queued += 1
    return queued
