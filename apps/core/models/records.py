"""The abstract log record every log kind extends, and its reference-number sequence."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from ..choices import RootCause, Severity, Status
from ..scoping import scope_to_user
from .organisation import Client, Team


class ReferenceSequence(models.Model):
    """Last number handed out per prefix and year; row-locked while a number is taken."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"


class LogRecordQuerySet(models.QuerySet):
    def for_user(self, user) -> "LogRecordQuerySet":
        """Only records of the clients `user` works for; every read path goes through here."""
        return scope_to_user(self, user)

    def open(self) -> "LogRecordQuerySet":
        return self.filter(status__in=Status.open_values())

    def breached(self) -> "LogRecordQuerySet":
        return self.filter(breached_condition())


def breached_condition(now=None) -> models.Q:
    """Missed its resolution target: stamped when its due time passed (the stamp stays,
    whatever moves the due time later); or, not stamped yet, still open past the due time
    or resolved after it, so the figure never dips while the stamping task catches up."""
    now = now or timezone.now()
    return (
        models.Q(resolution_breached_at__isnull=False)
        | models.Q(status__in=Status.open_values(), resolution_due__lt=now)
        | UNSTAMPED_LATE
    )


OPEN_STATUSES = tuple(Status.open_values())

# Resolved after the due time by a path that did not stamp it (an import): the stamping
# task stamps these within a minute, so the index that finds them stays nearly empty.
UNSTAMPED_LATE = models.Q(
    resolution_breached_at__isnull=True, resolved_at__gt=models.F("resolution_due")
)


class LogRecord(models.Model):
    """Standard fields of every log. Subclasses set `reference_prefix` and add their own."""

    reference_prefix: ClassVar[str] = ""

    reference = models.CharField(max_length=24, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=4, choices=Severity.choices, default=Severity.SEV3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    # PROTECT, not SET_NULL: a database-side SET NULL would change records behind the
    # history's back. People and teams who leave are deactivated, not deleted.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Resolve by then; still open past it, or resolved later, it is breached.",
    )
    resolution_breached_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The resolution due time this record missed; set once, never cleared.",
    )
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every change; a stale edit is refused."
    )

    objects = LogRecordQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-occurred_at", "-id"]
        # The queue's default order, alone and under each of its common filters.
        indexes = [
            models.Index(fields=["occurred_at", "id"], name="%(class)s_occ"),
            models.Index(fields=["client", "occurred_at", "id"], name="%(class)s_cli_occ"),
            models.Index(fields=["status", "occurred_at"], name="%(class)s_sta_occ"),
            models.Index(fields=["severity", "occurred_at"], name="%(class)s_sev_occ"),
            models.Index(fields=["assignee", "occurred_at"], name="%(class)s_asg_occ"),
            models.Index(fields=["team", "occurred_at"], name="%(class)s_team_occ"),
            # The "breached" filter and measure: records stamped breached, and those past
            # their resolution due time not stamped yet.
            models.Index(fields=["resolution_due"], name="%(class)s_res_due"),
            models.Index(
                fields=["resolution_breached_at"],
                condition=models.Q(resolution_breached_at__isnull=False),
                name="%(class)s_res_breach",
            ),
            models.Index(
                fields=["resolved_at"], condition=UNSTAMPED_LATE, name="%(class)s_unstamped"
            ),
            # The clock's share of the Breached figure, read live beside the summaries: open
            # records past their due time not stamped yet (the stamping task's minute).
            models.Index(
                fields=["client", "resolution_due"],
                condition=models.Q(resolution_breached_at__isnull=True, status__in=OPEN_STATUSES),
                name="%(class)s_due_unstamped",
            ),
            # The SLA compliance report: a client's records by the resolution due time as it
            # stood (the stamp, or the due time), read from the index alone.
            models.Index(
                models.F("client"),
                Coalesce("resolution_breached_at", "resolution_due"),
                include=[
                    "severity",
                    "status",
                    "resolved_at",
                    "resolution_due",
                    "resolution_breached_at",
                ],
                name="%(class)s_res_final",
            ),
            # An agent's open work on the home page, soonest due first.
            models.Index(
                fields=["assignee", "resolution_due"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="%(class)s_mine_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=Status.CLOSED) | models.Q(closed_at__isnull=False),
                name="%(class)s_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=Status.CANCELLED) | ~models.Q(cancel_reason=""),
                name="%(class)s_cancelled_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(f"{self._meta.app_label}:detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.status in Status.open_values()

    @property
    def is_overdue(self) -> bool:
        """Still open and past its resolution due time."""
        return bool(self.is_open and self.resolution_due and self.resolution_due < timezone.now())

    @property
    def is_breached(self) -> bool:
        """`breached_condition` for this record."""
        if self.resolution_breached_at is not None or self.is_overdue:
            return True
        return bool(
            self.resolved_at and self.resolution_due and self.resolved_at > self.resolution_due
        )

    def closing_problems(self) -> dict[str, str]:
        """Field → message for what must be filled before this record may close."""
        return {}


class RootCauseFields(models.Model):
    """Root-cause category from the standard codes, plus the free-text analysis."""

    root_cause_category = models.CharField(max_length=16, choices=RootCause.choices, blank=True)
    root_cause_analysis = models.TextField(blank=True)

    class Meta:
        abstract = True

    def root_cause_problems(self) -> dict[str, str]:
        problems = {}
        if not self.root_cause_category:
            problems["root_cause_category"] = "Choose a root-cause category before closing."
        if not self.root_cause_analysis.strip():
            problems["root_cause_analysis"] = "Describe the root cause before closing."
        return problems
