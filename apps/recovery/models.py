"""Recovery cases: one customer followed from a service failure back to satisfaction.

A case holds what the incident log of the practice records (customer, nature of the issue,
when it occurred, the customer's first reaction, owner); what happens next are child rows,
each with who recorded it and when it happened: interactions with the customer, recovery
actions taken, the one resolution, and the customer's feedback. The record that caused the
case (an interruption, failure, escalation or call) is a core "caused by" link.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from apps.core.models import CodeListEntry, LogRecord

# Recovery action types (code list codes) that give money back: they need an amount and a
# currency, and no other type may carry one, so that amounts add up to money paid out.
MONEY_ACTION_CODES = frozenset({"refund", "credit"})
# "Could not be reached" is accepted for closing only after this many logged contact attempts.
UNREACHABLE_MIN_ATTEMPTS = 3
# Feedback at or above this satisfaction (1–5) counts the customer as satisfied.
SATISFIED_FROM = 4


class NatureOfIssue(models.TextChoices):
    SERVICE_DISRUPTION = "service_disruption", "Service disruption"
    SERVICE_ERROR = "service_error", "Error (order, billing, account)"
    PRODUCT_PROBLEM = "product_problem", "Faulty or wrong product"
    DELIVERY_PROBLEM = "delivery_problem", "Delivery problem"
    NEGATIVE_EXPERIENCE = "negative_experience", "Negative experience"
    OTHER = "other", "Other"


class InteractionChannel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    CHAT = "chat", "Chat"
    SMS = "sms", "SMS"
    SOCIAL = "social", "Social media"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"


class Satisfied(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


def outcome_values(
    *,
    confirmed_at,
    latest_satisfaction: int | None,
    latest_likelihood_to_return: int | None,
    latest_interaction_answer: str | None,
) -> dict:
    """A case's outcome columns from what its children say.

    The customer's latest word decides whether they are satisfied: their latest feedback
    (satisfied from SATISFIED_FROM out of 5), or, without feedback, their latest interaction
    when it records an answer; otherwise it is not known (None).
    """
    if latest_satisfaction is not None:
        satisfied = latest_satisfaction >= SATISFIED_FROM
    elif latest_interaction_answer in (Satisfied.YES, Satisfied.NO):
        satisfied = latest_interaction_answer == Satisfied.YES
    else:
        satisfied = None
    return {
        "confirmed_at": confirmed_at,
        "latest_satisfaction": latest_satisfaction,
        "latest_likelihood_to_return": latest_likelihood_to_return,
        "customer_satisfied": satisfied,
    }


class RecoveryCase(LogRecord):
    reference_prefix = "REC"

    customer_name = models.CharField("customer", max_length=120)
    account_reference = models.CharField(max_length=60, blank=True)
    nature = models.CharField("nature of issue", max_length=24, choices=NatureOfIssue.choices)
    initial_feedback = models.TextField(
        "initial customer feedback",
        blank=True,
        help_text="The customer's reaction when the issue was first reported.",
    )
    # The outcome as the children say it, kept by the services whenever a child changes
    # (see `outcome_values`): lists, filters, measures and exports read columns, not four
    # correlated subqueries per case.
    confirmed_at = models.DateTimeField(
        "customer confirmed at",
        null=True,
        blank=True,
        editable=False,
        help_text="When the customer confirmed the resolution; empty until they have.",
    )
    latest_satisfaction = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    latest_likelihood_to_return = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False
    )
    customer_satisfied = models.BooleanField(
        "customer satisfied (latest word)", null=True, blank=True, editable=False
    )

    history = HistoricalRecords()

    class Meta(LogRecord.Meta):
        verbose_name = "recovery case"
        verbose_name_plural = "recovery cases"
        indexes = [
            *LogRecord.Meta.indexes,
            models.Index(fields=["nature", "occurred_at"], name="recovery_nature_occ"),
        ]
        permissions = [
            ("bulk_update_recoverycase", "Can assign and change status of many at once"),
            ("export_recoverycase", "Can export recovery cases"),
        ]

    @property
    def is_recovered(self) -> bool:
        """Confirmed by the customer, whose latest word is satisfied (the recovery rate)."""
        return self.confirmed_at is not None and self.customer_satisfied is True

    def resolution_or_none(self) -> "RecoveryResolution | None":
        try:
            return self.resolution
        except ObjectDoesNotExist:
            return None

    def closing_problems(self) -> dict[str, str]:
        """A case closes on a recorded resolution the customer confirmed, or, when the
        customer cannot be reached, on the documented reason after enough contact attempts."""
        resolution = self.resolution_or_none()
        if resolution is None or not resolution.final_resolution.strip():
            return {"resolution": "Record the final resolution before closing."}
        if resolution.customer_confirmed:
            return {}
        if not resolution.unreachable_reason.strip():
            return {
                "resolution": "Record the customer's confirmation of the resolution, or why "
                "the customer cannot be reached, before closing."
            }
        attempts = self.interactions.count()
        if attempts < UNREACHABLE_MIN_ATTEMPTS:
            return {
                "interactions": f"The customer is recorded as unreachable: log at least "
                f"{UNREACHABLE_MIN_ATTEMPTS} contact attempts as interactions before closing "
                f"({attempts} so far)."
            }
        return {}


class CaseEntry(models.Model):
    """What every child row of a case has: who recorded it, and when it happened."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("when", default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def clean_moment(self, errors: dict) -> None:
        """Not in the future, and not before the issue that opened the case."""
        if self.at and self.at > timezone.now():
            errors["at"] = "This cannot be in the future."
        elif self.at and self.case_id and self.at < self.case.occurred_at:
            errors["at"] = "This cannot be before the issue occurred."


class RecoveryInteraction(CaseEntry):
    """One contact with the customer: how, what was said, what was offered, how it landed."""

    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(max_length=12, choices=InteractionChannel.choices)
    summary = models.TextField(help_text="What was discussed; was the issue acknowledged?")
    resolution_offered = models.TextField(blank=True)
    customer_satisfied = models.CharField(
        max_length=8, choices=Satisfied.choices, default=Satisfied.UNKNOWN
    )

    history = HistoricalRecords()

    class Meta(CaseEntry.Meta):
        verbose_name = "interaction"
        indexes = [
            # The latest interaction of a case (list column, recovery-rate measure).
            models.Index(fields=["case", "at"], name="recovery_interaction_case_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.summary[:60]}"

    def clean(self) -> None:
        errors: dict = {}
        self.clean_moment(errors)
        if errors:
            raise ValidationError(errors)


class RecoveryAction(CaseEntry):
    """One step taken to put things right: a refund, a replacement, an apology…"""

    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="actions")
    action_type = models.ForeignKey(
        CodeListEntry,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="action",
        help_text="From the code list of recovery action types.",
    )
    details = models.TextField(blank=True)
    amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Refunds and credits only.",
    )
    currency = models.CharField(
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", "Give the currency as a code: GBP, USD, EUR…")],
        help_text="ISO code (GBP, USD, EUR…), refunds and credits only.",
    )
    department = models.CharField(
        max_length=120, help_text="The team or department that carried the action out."
    )

    history = HistoricalRecords()

    class Meta(CaseEntry.Meta):
        verbose_name = "recovery action"
        constraints = [
            # Money is an amount in a currency, or nothing at all.
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True, currency="")
                | (models.Q(amount__gt=0) & ~models.Q(currency="")),
                name="recovery_action_amount_with_currency",
                violation_error_message="An amount needs a currency, and more than zero.",
            ),
        ]

    def __str__(self) -> str:
        if self.amount is not None:
            return f"{self.action_type.label} {self.amount} {self.currency}"
        return self.action_type.label

    @property
    def involves_money(self) -> bool:
        return bool(self.action_type_id) and self.action_type.code in MONEY_ACTION_CODES

    def clean(self) -> None:
        errors: dict = {}
        self.clean_moment(errors)
        if not self.action_type_id:
            pass  # the field's own "required" error says it
        elif self.action_type.list_name != CodeListEntry.ListName.RECOVERY_ACTION:
            errors["action_type"] = "Choose a recovery action type."
        elif self.involves_money:
            if self.amount is None:
                errors["amount"] = f"Give the amount of the {self.action_type.label.lower()}."
            elif self.amount <= 0:
                errors["amount"] = "The amount must be more than zero."
            if not self.currency:
                errors["currency"] = f"Give the currency of the {self.action_type.label.lower()}."
        elif self.amount is not None or self.currency:
            errors["amount"] = (
                "Only refunds and credits carry an amount; describe anything else given in "
                "the details."
            )
        if errors:
            raise ValidationError(errors)


class RecoveryResolution(models.Model):
    """How the case ended: one per case, edited as confirmation and follow-up come in."""

    case = models.OneToOneField(RecoveryCase, on_delete=models.CASCADE, related_name="resolution")
    final_resolution = models.TextField()
    customer_confirmed = models.BooleanField(
        default=False, help_text="The customer confirmed the issue is resolved to their liking."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unreachable_reason = models.TextField(
        "customer could not be reached",
        blank=True,
        help_text="Only when the customer cannot confirm: the attempts made and why it ends "
        "without confirmation.",
    )
    follow_up_done = models.BooleanField(default=False)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "resolution"
        # The "confirmed" filter and measures find a case's row through the one-to-one's
        # unique index on case: no other index needed.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer_confirmed=True, confirmed_at__isnull=False)
                | models.Q(customer_confirmed=False, confirmed_at__isnull=True),
                name="recovery_resolution_confirmed_has_time",
                violation_error_message="A confirmation needs its date and time.",
            ),
            models.CheckConstraint(
                condition=models.Q(follow_up_done=True, follow_up_at__isnull=False)
                | models.Q(follow_up_done=False, follow_up_at__isnull=True),
                name="recovery_resolution_follow_up_has_time",
                violation_error_message="A follow-up needs its date and time.",
            ),
            models.CheckConstraint(
                condition=models.Q(customer_confirmed=False) | models.Q(unreachable_reason=""),
                name="recovery_resolution_confirmed_or_unreachable",
                violation_error_message="A confirmed resolution has no “could not be reached”.",
            ),
        ]

    def __str__(self) -> str:
        return self.final_resolution[:60]

    def clean(self) -> None:
        errors: dict = {}
        now = timezone.now()
        start = self.case.occurred_at if self.case_id else None
        pairs = (("customer_confirmed", "confirmed_at"), ("follow_up_done", "follow_up_at"))
        for flag, name in pairs:
            value = getattr(self, name)
            if getattr(self, flag) != (value is not None):
                errors[name] = "Tick the box and give the date and time together."
            elif value and value > now:
                errors[name] = "This cannot be in the future."
            elif value and start and value < start:
                errors[name] = "This cannot be before the issue occurred."
        if self.customer_confirmed and self.unreachable_reason.strip():
            errors["unreachable_reason"] = (
                "The customer confirmed: leave “could not be reached” empty."
            )
        if errors:
            raise ValidationError(errors)


class RecoveryFeedback(CaseEntry):
    """What the customer said about the recovery once it was done."""

    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="feedback")
    satisfaction = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (very dissatisfied) to 5 (very satisfied).",
    )
    likelihood_to_return = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text="0 (never) to 10 (certainly); empty if the customer did not say.",
    )
    suggestions = models.TextField("suggestions for improvement", blank=True)

    history = HistoricalRecords()

    class Meta(CaseEntry.Meta):
        verbose_name = "feedback"
        verbose_name_plural = "feedback"
        indexes = [
            # The latest feedback of a case (list column, measures).
            models.Index(fields=["case", "at"], name="recovery_feedback_case_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="recovery_feedback_satisfaction_1_to_5",
                violation_error_message="Satisfaction is from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=models.Q(likelihood_to_return__isnull=True)
                | models.Q(likelihood_to_return__gte=0, likelihood_to_return__lte=10),
                name="recovery_feedback_likelihood_0_to_10",
                violation_error_message="Likelihood to return is from 0 to 10.",
            ),
        ]

    def __str__(self) -> str:
        return f"Satisfaction {self.satisfaction}/5"

    def clean(self) -> None:
        errors: dict = {}
        self.clean_moment(errors)
        if errors:
            raise ValidationError(errors)
