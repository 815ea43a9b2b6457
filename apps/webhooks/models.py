"""Outgoing webhooks: who is told (subscriptions), what happened (events), and each
subscription's delivery of each event with every attempt made."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from apps.core.models import Client


class EventKind(models.TextChoices):
    RECORD_CREATED = "record.created", "Record created"
    STATUS_CHANGED = "record.status_changed", "Status changed"
    TIER_MOVED = "escalation.tier_moved", "Escalation tier moved"
    BREACHED = "record.breached", "Breach"
    FINDING_FILED = "finding.filed", "Audit finding filed"


class Subscription(models.Model):
    """A URL told about events of one client, signed with its own secret.

    The secret is stored as it is (the HMAC needs it): it is shown once, when made, and
    never again. `paused_at` is set when a delivery kept failing for the retry period;
    nothing is sent until an administrator resumes it, and the events meanwhile wait.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    url = models.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Where events are sent with POST (http or https).",
    )
    events = models.JSONField(default=list, help_text="The kinds of event to send.")
    active = models.BooleanField(
        default=True, help_text="Off: no events are recorded for this subscription."
    )
    secret = models.CharField(max_length=100, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["client", "name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="webhook_subscription_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.events or []) - set(EventKind.values)
        if not isinstance(self.events, list) or not self.events or unknown:
            raise ValidationError({"events": "Choose one or more of the events listed."})


class WebhookEvent(models.Model):
    """One event, written in the transaction of the change it tells of.

    `stream` names the record it is about ("interruptions.interruption:42"; a finding about
    no record is a stream of its own); `sequence` counts that record's events from 1.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    stream = models.CharField(max_length=80)
    reference = models.CharField(max_length=40, blank=True)
    sequence = models.PositiveIntegerField()
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "stream", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "sequence"], name="webhook_event_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference or self.stream} #{self.sequence}"


class WebhookStream(models.Model):
    """The last sequence number given to a record's events: its row lock orders writers."""

    stream = models.CharField(max_length=80, unique=True)
    last_sequence = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.stream} #{self.last_sequence}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    GIVEN_UP = "given_up", "Given up"


class Delivery(models.Model):
    """One event to one subscription: attempted until the receiver answers 2xx, or for the
    retry period. A record's events reach a subscription in sequence order: a delivery waits
    while an earlier one of the same record and subscription is pending."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.PROTECT, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    stream = models.CharField(max_length=80)
    sequence = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="webhook_delivery_once"),
        ]
        indexes = [
            # A delivery waits while an earlier one of its record to its subscription is
            # pending (the attempt and the retry sweep ask; so do new events).
            models.Index(
                fields=["subscription", "stream", "sequence"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_pending",
            ),
            # The retry sweep: pending deliveries whose next attempt has come.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription}"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: the receiver's status (empty when it never answered), how
    long it took, and what went wrong."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField()
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status or self.error}"
