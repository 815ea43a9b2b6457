"""Call logs: every inbound and outbound call handled for a client, and its quality audits."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from apps.core.choices import Status
from apps.core.models import Client, CodeListEntry, LogRecord
from apps.core.models.records import LogRecordQuerySet

from .masking import can_view_personal_data, personal_data_annotations

# A call logged by hand may be a few minutes "in the future" of the server's clock.
CLOCK_SKEW = timedelta(minutes=5)


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class Outcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved on the call"
    ESCALATED = "escalated", "Escalated"
    FOLLOW_UP = "follow_up", "Follow-up needed"
    MISSED = "missed", "Missed"
    DROPPED = "dropped", "Dropped"
    VOICEMAIL = "voicemail", "Voicemail"

    @classmethod
    def without_conversation(cls) -> frozenset[str]:
        """Outcomes where nobody talked to the customer: nothing to resolve or categorise."""
        return frozenset({cls.MISSED, cls.DROPPED, cls.VOICEMAIL})


class Sentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


# Missed or dropped inbound calls still open and not given a call-back due time yet: what the
# missed-call follow-up (apps/calls/callbacks.py) claims. One definition for its query and for
# the partial index below, so the planner can always prove the index serves the query.
CALL_BACK_OUTCOMES = (Outcome.MISSED.value, Outcome.DROPPED.value)
FINISHED_STATUSES = (Status.CLOSED.value, Status.CANCELLED.value)
CALL_BACK_UNSCHEDULED = models.Q(
    direction=Direction.INBOUND.value,
    outcome__in=CALL_BACK_OUTCOMES,
    follow_up_due__isnull=True,
) & ~models.Q(status__in=FINISHED_STATUSES)


class CallQuerySet(LogRecordQuerySet):
    def with_personal_data(self, user) -> "CallQuerySet":
        """Adds `shown_caller_number` and `shown_customer_name`: masked unless `user` may
        view personal data. Every page and export shows these, never the raw fields."""
        return self.annotate(**personal_data_annotations(user))


def _code_entry(list_name: str, **options) -> models.ForeignKey:
    # Active entries only are offered on the form; one deactivated later stays valid here.
    # No index of its own: the (entry, occurred_at) index below serves it, and every
    # imported call would pay for a second one.
    return models.ForeignKey(
        CodeListEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"list_name": list_name},
        db_index=False,
        **options,
    )


class Call(LogRecord):
    """One call. `occurred_at` is when it started (rang or was dialled); `assignee` is the
    agent who handled it."""

    reference_prefix = "CALL"

    # The standard keys without an index of their own: the (key, occurred_at) indexes of
    # LogRecord serve every lookup by them, and each index more slows every imported call.
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
    direction = models.CharField(max_length=8, choices=Direction.choices)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Time in the queue before an agent answered."
    )
    talk_seconds = models.PositiveIntegerField(null=True, blank=True)
    caller_number = models.CharField(max_length=32, blank=True)
    customer_name = models.CharField(max_length=120, blank=True)
    account_reference = models.CharField(max_length=60, blank=True)
    queue = models.CharField("queue or campaign", max_length=80, blank=True)
    query_category = _code_entry(CodeListEntry.ListName.QUERY_CATEGORY)
    disposition = _code_entry(CodeListEntry.ListName.DISPOSITION, verbose_name="disposition code")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    resolution = models.TextField(blank=True)
    escalation_notes = models.TextField(blank=True)
    sentiment = models.CharField(
        "customer sentiment", max_length=8, choices=Sentiment.choices, blank=True
    )
    follow_up_due = models.DateTimeField(null=True, blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="The previous call of the same customer this one follows up.",
    )
    external_call_id = models.CharField(
        "external call id",
        max_length=64,
        blank=True,
        help_text="The call's id in the telephony system; unique per client.",
    )
    qa_score = models.DecimalField(
        "QA score",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text="Total % of the call's most recent quality audit.",
    )

    objects = CallQuerySet.as_manager()
    # The history is read per call (by its id) and by date; indexes on the other copied
    # keys would only slow down every write, bulk imports above all.
    history = HistoricalRecords(
        no_db_index=[
            "reference",
            "assignee",
            "team",
            "reported_by",
            "query_category",
            "disposition",
            "follow_up_of",
        ]
    )

    class Meta(LogRecord.Meta):
        verbose_name = "call log"
        verbose_name_plural = "call logs"
        indexes = [
            *LogRecord.Meta.indexes,
            # The list's filters, each with the default order.
            models.Index(fields=["direction", "occurred_at"], name="call_dir_occ"),
            models.Index(fields=["outcome", "occurred_at"], name="call_outcome_occ"),
            models.Index(fields=["disposition", "occurred_at"], name="call_disp_occ"),
            models.Index(fields=["query_category", "occurred_at"], name="call_cat_occ"),
            models.Index(fields=["sentiment", "occurred_at"], name="call_sent_occ"),
            # The missed-call follow-up's claim, walked in id order a batch at a time
            # (apps/calls/callbacks.py). A call leaves the index once it is scheduled, closed
            # or cancelled, so it holds the calls waiting for the next run (and the few
            # followed up before any run, until they close), not the table.
            models.Index(fields=["id"], condition=CALL_BACK_UNSCHEDULED, name="call_callback_todo"),
        ]
        constraints = [
            *LogRecord.Meta.constraints,
            # Re-imported telephony exports are recognised by this id.
            models.UniqueConstraint(
                fields=["client", "external_call_id"],
                condition=~models.Q(external_call_id=""),
                name="call_external_id_unique_per_client",
                violation_error_message="This client already has a call with this external "
                "call id.",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(answered_at__gte=models.F("occurred_at")),
                name="call_answered_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("occurred_at")),
                name="call_ended_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(answered_at__isnull=True)
                | models.Q(ended_at__gte=models.F("answered_at")),
                name="call_ended_after_answer",
            ),
        ]
        permissions = [
            ("bulk_update_call", "Can assign and change status of many at once"),
            ("export_call", "Can export call logs"),
            ("view_personal_data", "Can see callers' numbers and names"),
            ("import_call", "Can import call logs from telephony exports"),
        ]

    def clean(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems)

    def problems(self, now=None) -> dict[str, str]:
        """Field → message for what makes this call inconsistent. No database queries when
        its related rows are already loaded, so an import can check thousands a second."""
        problems: dict[str, str] = {}
        start, answered, ended = self.occurred_at, self.answered_at, self.ended_at
        if start and start > (now or timezone.now()) + CLOCK_SKEW:
            problems["occurred_at"] = "A call cannot start in the future."
        if start and answered and answered < start:
            problems["answered_at"] = "A call cannot be answered before it started."
        if start and ended and ended < start:
            problems["ended_at"] = "A call cannot end before it started."
        elif answered and ended and ended < answered:
            problems["ended_at"] = "A call cannot end before it was answered."
        if self.outcome == Outcome.MISSED:
            if answered:
                problems["answered_at"] = (
                    "A missed call was never answered: clear the answer time or choose "
                    "another outcome."
                )
            if self.talk_seconds:
                problems["talk_seconds"] = "A missed call has no talk time."
        if self.outcome == Outcome.FOLLOW_UP and not self.follow_up_due:
            problems["follow_up_due"] = "Say when the follow-up is due."
        if self.follow_up_due and start and self.follow_up_due < start:
            problems["follow_up_due"] = "A follow-up cannot be due before the call started."
        elif self.follow_up_due and ended and self.follow_up_due < ended:
            problems["follow_up_due"] = "A follow-up cannot be due before the call ended."
        for name, list_name, label in (
            ("query_category", CodeListEntry.ListName.QUERY_CATEGORY, "a query category"),
            ("disposition", CodeListEntry.ListName.DISPOSITION, "a disposition code"),
        ):
            if getattr(self, f"{name}_id") and getattr(self, name).list_name != list_name:
                problems[name] = f"Choose {label}."
        if self.follow_up_of_id:
            previous = self.follow_up_of
            if self.pk and previous.pk == self.pk:
                problems["follow_up_of"] = "A call cannot follow itself up."
            elif previous.client_id != self.client_id:
                problems["follow_up_of"] = "The previous call must be of the same client."
            elif start and previous.occurred_at > start:
                problems["follow_up_of"] = "The previous call must have started before this one."
        return problems

    def follow_up_initial(self, user) -> dict[str, str]:
        """What a record started from this call (an escalation…) takes over from it: the
        customer, only for someone who may see callers' personal data."""
        if not can_view_personal_data(user):
            return {}
        return {"customer_name": self.customer_name, "account_reference": self.account_reference}

    def closing_problems(self) -> dict[str, str]:
        """What an operations team needs before a call log is closed.

        Always a disposition code and an outcome. When the customer was spoken to (not
        missed, dropped or voicemail): the query category and the resolution given. An
        escalated call needs its escalation notes; a call needing a follow-up can close
        once the follow-up call is logged.
        """
        problems = {}
        if not self.disposition_id:
            problems["disposition"] = "Choose a disposition code before closing."
        if not self.outcome:
            problems["outcome"] = "Record the call's outcome before closing."
        elif self.outcome not in Outcome.without_conversation():
            if not self.resolution.strip():
                problems["resolution"] = "Describe the resolution given before closing."
            if not self.query_category_id:
                problems["query_category"] = "Choose the query category before closing."
        if self.outcome == Outcome.ESCALATED and not self.escalation_notes.strip():
            problems["escalation_notes"] = "Write the escalation notes before closing."
        if self.outcome == Outcome.FOLLOW_UP and not (
            self.pk and Call.objects.filter(follow_up_of=self.pk).exists()
        ):
            problems["follow_up_of"] = (
                "Log the follow-up call (as a follow-up of this one) before closing."
            )
        return problems


# The six criteria of a quality audit, each scored 0–5.
SCORE_FIELDS = ("greeting", "tone", "accuracy", "compliance", "resolution", "empathy")


def _score(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(0), MaxValueValidator(5)]
    )


class QualityAudit(models.Model):
    """A quality assurance review of one call, scored 0–5 on six criteria."""

    SCORE_FIELDS = SCORE_FIELDS
    MAX_SCORE = 5
    DEFAULT_PASS_MARK = 80

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="audits")
    # The call's client, kept here so the audit list is scoped and filtered without a join.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scored_at = models.DateTimeField(default=timezone.now)
    greeting = _score("greeting")
    tone = _score("tone")
    accuracy = _score("accuracy")
    compliance = _score("script / compliance adherence")
    resolution = _score("resolution")
    empathy = _score("empathy")
    total_percent = models.DecimalField("total %", max_digits=5, decimal_places=2, editable=False)
    pass_mark = models.PositiveSmallIntegerField(
        "pass mark %",
        default=DEFAULT_PASS_MARK,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    passed = models.BooleanField(editable=False)
    coaching_needed = models.BooleanField(default=False)
    comments = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scored_at", "-id"]
        verbose_name = "quality audit"
        indexes = [
            models.Index(fields=["scored_at", "id"], name="qa_scored"),
            models.Index(fields=["client", "scored_at", "id"], name="qa_cli_scored"),
            models.Index(fields=["auditor", "scored_at"], name="qa_auditor_scored"),
        ]
        constraints = [
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__lte": 5}), name=f"qa_{name}_0_to_5"
                )
                for name in SCORE_FIELDS
            ),
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=1, pass_mark__lte=100),
                name="qa_pass_mark_1_to_100",
            ),
        ]
        permissions = [("export_qualityaudit", "Can export quality audits")]

    def __str__(self) -> str:
        return f"QA of {self.call.reference}: {self.total_percent}%"

    @classmethod
    def total_of(cls, scores: dict[str, int]) -> Decimal:
        """Total % of six 0–5 scores, to two decimals."""
        points = sum(scores[name] for name in cls.SCORE_FIELDS)
        maximum = cls.MAX_SCORE * len(cls.SCORE_FIELDS)
        return (Decimal(points) * 100 / maximum).quantize(Decimal("0.01"))

    def clean(self) -> None:
        if self.call_id and self.client_id and self.call.client_id != self.client_id:
            raise ValidationError({"call": "The audit must be of a call of the same client."})
        if self.scored_at and self.scored_at > timezone.now() + CLOCK_SKEW:
            raise ValidationError({"scored_at": "An audit cannot be scored in the future."})
