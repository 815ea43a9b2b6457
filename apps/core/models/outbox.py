"""Tasks waiting to reach the broker: written with the change that queued them, sent after."""

from django.db import models
from django.utils import timezone


class OutboxMessageQuerySet(models.QuerySet):
    def unsent(self) -> "OutboxMessageQuerySet":
        return self.filter(sent_at__isnull=True)

    def claimable(self, now) -> "OutboxMessageQuerySet":
        """Unsent and not held by a publisher (or held by one that gave no news in time)."""
        return self.unsent().filter(
            models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now)
        )


class OutboxMessage(models.Model):
    """One Celery task call, stored in the transaction of the change that asked for it.

    A message is published after that transaction commits; if the broker cannot be reached,
    it stays unsent and the periodic flush publishes it later. Whoever publishes first claims
    it (`claimed_until`), so two publishers never send the same message at the same time.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A publisher holds the message until then."
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # The flush: unsent messages in order, a handful at most while the broker is up.
            models.Index(
                fields=["id"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent"
            ),
            # The flush's clean-up: messages sent more than a few days ago.
            models.Index(
                fields=["sent_at"], condition=models.Q(sent_at__isnull=False), name="outbox_sent"
            ),
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "unsent"
        return f"{self.task_name}{tuple(self.args)!r} ({state})"
