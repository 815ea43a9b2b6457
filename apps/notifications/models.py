"""What a person is told about a record: in the portal, and by e-mail once."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from apps.core.models import Client
from apps.core.scoping import scope_to_user


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user) -> "NotificationQuerySet":
        """`user`'s own notifications about the clients they work for now (one about a
        client they have since left tells of records they may no longer read), and those
        about their own work that belongs to no client (an export or an import)."""
        own = self.filter(recipient=user)
        return scope_to_user(own, user) | own.filter(client__isnull=True)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event told to one person. `event_key` names the event, e.g. "escalation:42:tier:2";
    the unique (recipient, event_key) pair is what keeps a retried sender from telling twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    # Empty for news of the person's own work (an export, an import), of no one client.
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    event_key = models.CharField(max_length=120)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    reference = models.CharField(max_length=40, help_text="The record's reference number.")
    url = models.CharField(max_length=200, help_text="Where the record is shown in the portal.")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            # The list page: one person's notifications, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            # The header badge: how many of one person's notifications are unread.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient_id}"
