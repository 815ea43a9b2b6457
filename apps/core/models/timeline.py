"""What happens around a record: its timeline, its links to other records, alerts sent."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..choices import LinkRelation, TimelineKind
from .organisation import Client


class TimelineEntry(models.Model):
    """A note or an event on one record's timeline. Entries are never edited."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=16, choices=TimelineKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "timeline entries"
        # The detail page: one record's entries in order.
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "created_at"], name="timeline_record"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:60]}"


class RecordLink(models.Model):
    """A directed link between two records of any kind: source <relation> target."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    relation = models.CharField(max_length=16, choices=LinkRelation.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        permissions = [
            (
                "close_with_open_follow_ups",
                "Can close a record while records it caused are still open",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "target_type", "target_id", "relation"],
                name="record_link_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    source_type=models.F("target_type"), source_id=models.F("target_id")
                ),
                name="record_link_not_to_itself",
            ),
        ]
        # Both ends of a record's chain.
        indexes = [
            models.Index(fields=["source_type", "source_id"], name="record_link_source"),
            models.Index(fields=["target_type", "target_id"], name="record_link_target"),
        ]

    def __str__(self) -> str:
        return f"{self.source_type_id}:{self.source_id} {self.relation} {self.target_id}"


class AlertDelivery(models.Model):
    """One row per alert sent: the unique key is what makes an alert go out once."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    alert_kind = models.CharField(max_length=40)
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "alert_kind"], name="alert_delivery_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert_kind} for {self.content_type_id}:{self.object_id}"
