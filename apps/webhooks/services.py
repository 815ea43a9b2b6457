"""Subscriptions: made, given a new secret, resumed after a pause; deliveries sent again."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .delivery import deliveries_queue_due
from .models import Delivery, DeliveryState, Subscription
from .signing import new_secret


def subscription_create(*, client, name: str, url: str, events: list[str]) -> Subscription:
    """A new subscription with a secret of its own (shown to its maker once)."""
    subscription = Subscription(
        client=client, name=name, url=url, events=list(events), secret=new_secret()
    )
    subscription.full_clean()
    subscription.save()
    return subscription


def subscription_rotate_secret(subscription: Subscription) -> str:
    """Give the subscription a new secret; events are signed with it from now on."""
    secret = new_secret()
    Subscription.objects.filter(pk=subscription.pk).update(secret=secret)
    subscription.secret = secret
    return secret


def subscription_resume(subscription: Subscription, *, now: datetime | None = None) -> int:
    """Send again to a paused subscription: the events that waited go out, in order.
    Returns how many deliveries were queued at once."""
    now = now or timezone.now()
    with transaction.atomic():
        if not Subscription.objects.filter(pk=subscription.pk, paused_at__isnull=False).update(
            paused_at=None
        ):
            return 0
        Delivery.objects.filter(subscription=subscription, state=DeliveryState.PENDING).update(
            next_attempt_at=None, first_attempt_at=None, claimed_until=None
        )
        return deliveries_queue_due(now=now, subscription_id=subscription.pk)


def deliveries_send_again(deliveries, *, now: datetime | None = None) -> int:
    """Put given-up deliveries back in line (each before its record's later events that are
    still pending); returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        count = Delivery.objects.filter(
            pk__in=[delivery.pk for delivery in deliveries], state=DeliveryState.GIVEN_UP
        ).update(
            state=DeliveryState.PENDING,
            first_attempt_at=None,
            next_attempt_at=None,
            claimed_until=None,
        )
        deliveries_queue_due(now=now)
    return count
