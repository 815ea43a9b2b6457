"""Escalations: customer issues moved beyond the frontline, tier by tier, until resolved."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from apps.core.choices import Tier
from apps.core.models import Client, CodeListEntry, LogRecord, RootCauseFields


class EscalationOrigin(models.TextChoices):
    CUSTOMER = "customer", "Customer-initiated"
    INTERNAL = "internal", "Internal (agent / lead)"
    TIME_BASED = "time_based", "Time-based"
    PRIORITY = "priority", "Priority-based"
    TECHNICAL = "technical", "Technical"
    PROCESS = "process", "Process"


class EscalationChannel(models.TextChoices):
    VOICE = "voice", "Voice"
    EMAIL = "email", "E-mail"
    CHAT = "chat", "Chat"
    SOCIAL = "social", "Social media"
    WEB = "web", "Web"


class Escalation(RootCauseFields, LogRecord):
    reference_prefix = "ESC"

    # The standard keys without an index of their own: the (key, occurred_at) indexes of
    # LogRecord serve every lookup by them, and each index more slows every sweep that moves
    # thousands of escalations.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", db_index=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    customer_name = models.CharField(max_length=120, blank=True)
    account_reference = models.CharField(max_length=60, blank=True)
    origin = models.CharField(max_length=16, choices=EscalationOrigin.choices)
    channel = models.CharField(max_length=8, choices=EscalationChannel.choices)
    # Active entries only are offered on the form; an entry deactivated later stays valid here.
    category = models.ForeignKey(
        CodeListEntry,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"list_name": CodeListEntry.ListName.ESCALATION_CATEGORY},
    )
    tier = models.PositiveSmallIntegerField(
        "current tier", choices=Tier.choices, default=Tier.FRONTLINE
    )
    reason = models.TextField(help_text="Why it could not be resolved at the frontline.")
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The first-response due time this escalation missed; set once, never cleared.",
    )
    resolution_steps = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    post_resolution_review = models.TextField(
        blank=True, help_text="What will prevent it recurring."
    )

    # The matrix as it stood when the escalation entered it: [{tier, team, minutes, …}, …].
    matrix_steps = models.JSONField(default=list, blank=True, editable=False)
    matrix_name = models.CharField(max_length=200, blank=True, editable=False)
    tier_entered_at = models.DateTimeField(null=True, blank=True, editable=False)
    tier_deadline = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Moves up (or breaches) at this time."
    )
    tier_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    warned_tier = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # When the top tier's time of the matrix ran out (the sweep's breach, filed as a
    # compliance report); the SLA targets' breaches are the *_breached_at stamps.
    breached_at = models.DateTimeField(null=True, blank=True, editable=False)

    # History is read by record (id) and date; the sweep writes thousands of versions a run.
    history = HistoricalRecords(
        no_db_index=["reference", "client", "assignee", "team", "reported_by", "category"]
    )

    class Meta(LogRecord.Meta):
        indexes = [
            *LogRecord.Meta.indexes,
            models.Index(fields=["tier", "occurred_at"], name="escalation_tier_occ"),
            # The sweep: open escalations whose tier time (or its 80% warning) has come.
            models.Index(
                fields=["tier_deadline"],
                name="escalation_sweep_due",
                condition=models.Q(status__in=["new", "in_progress"], breached_at__isnull=True),
            ),
            models.Index(
                fields=["tier_warn_at"],
                name="escalation_sweep_warn",
                condition=models.Q(status__in=["new", "in_progress"], breached_at__isnull=True),
            ),
            # The SLA compliance report's first-response figures (as `<log>_res_final`).
            models.Index(
                models.F("client"),
                Coalesce("first_response_breached_at", "first_response_due"),
                include=[
                    "severity",
                    "status",
                    "first_response_at",
                    "resolved_at",
                    "first_response_due",
                    "first_response_breached_at",
                ],
                name="escalation_first_final",
            ),
        ]
        constraints = [
            *LogRecord.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(tier__gte=1, tier__lte=3), name="escalation_tier_1_to_3"
            ),
        ]
        permissions = [
            ("bulk_update_escalation", "Can assign and change status of many at once"),
            ("export_escalation", "Can export escalations"),
        ]

    def clean(self) -> None:
        errors = {}
        start = self.occurred_at
        for name in ("first_response_due", "resolution_due", "first_response_at"):
            value = getattr(self, name)
            if value and start and value < start:
                errors[name] = "This cannot be before the escalation was raised."
        if (
            self.first_response_due
            and self.resolution_due
            and self.resolution_due < self.first_response_due
        ):
            errors["resolution_due"] = "Resolution cannot be due before the first response."
        if (
            self.category_id
            and self.category.list_name != CodeListEntry.ListName.ESCALATION_CATEGORY
        ):
            errors["category"] = "Choose an escalation category."
        if errors:
            raise ValidationError(errors)

    def closing_problems(self) -> dict[str, str]:
        problems = {}
        if not self.resolution_steps.strip():
            problems["resolution_steps"] = "Describe the resolution steps before closing."
        if not self.outcome.strip():
            problems["outcome"] = "Record the outcome before closing."
        return problems
