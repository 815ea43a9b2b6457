"""Failure reports: where a service failed a client or its customers, and what was done about it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from apps.core.models import LogRecord, RootCauseFields, Service


class FailureCategory(models.TextChoices):
    TECHNICAL = "technical", "Technical"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    PROCESS_DEVIATION = "process_deviation", "Process deviation"
    DELIVERY = "delivery", "Delivery / fulfilment"
    COMPLIANCE = "compliance", "Compliance / SLA breach"
    COMMUNICATION = "communication", "Communication breakdown"


class CustomerServiceFailureType(models.TextChoices):
    DELAYED_RESPONSE = "delayed_response", "Delayed response or resolution"
    INCORRECT_INFORMATION = "incorrect_information", "Incorrect information given"
    UNRESOLVED_COMPLAINT = "unresolved_complaint", "Unresolved complaint"
    ESCALATION_HANDLING = "escalation_handling", "Escalation handled badly"


class DeliveryFailureType(models.TextChoices):
    LATE = "late", "Late delivery"
    MISSED = "missed", "Missed delivery"
    INCORRECT = "incorrect", "Incorrect fulfilment"
    DAMAGED = "damaged", "Damaged item"
    LOST = "lost", "Lost item"
    PACKAGING = "packaging", "Poor packaging or handling"


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"


# The fields each category adds to the standard form, in display order.
CATEGORY_FIELDS: dict[str, tuple[str, ...]] = {
    FailureCategory.TECHNICAL: (
        "downtime_minutes",
        "affected_modules",
        "error_log_reference",
        "recovery_actions",
    ),
    FailureCategory.CUSTOMER_SERVICE: ("customer_service_failure_type",),
    FailureCategory.PROCESS_DEVIATION: (
        "procedure",
        "procedure_step",
        "deviation_point",
        "person_involved",
        "resulting_impact",
    ),
    FailureCategory.DELIVERY: ("order_reference", "delivery_failure_type"),
    FailureCategory.COMPLIANCE: (
        "contract_clause",
        "sla_metric",
        "sla_target",
        "sla_actual",
        "client_notified_at",
    ),
    FailureCategory.COMMUNICATION: ("departments_involved", "missed_handoff"),
}
ALL_CATEGORY_FIELDS = tuple(name for names in CATEGORY_FIELDS.values() for name in names)


class FailureReport(RootCauseFields, LogRecord):
    reference_prefix = "FLR"

    category = models.CharField(max_length=20, choices=FailureCategory.choices)
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="failure_reports",
        help_text="The client's system or service concerned, if any.",
    )
    detected_at = models.DateTimeField(null=True, blank=True)
    customer_impact = models.TextField(blank=True)
    follow_up_status = models.CharField(
        max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.PENDING
    )
    lessons_learned = models.TextField(blank=True)

    downtime_minutes = models.PositiveIntegerField(null=True, blank=True)
    affected_modules = models.CharField(max_length=200, blank=True)
    error_log_reference = models.CharField(max_length=120, blank=True)
    recovery_actions = models.TextField(blank=True)
    customer_service_failure_type = models.CharField(
        "failure type", max_length=24, choices=CustomerServiceFailureType.choices, blank=True
    )
    procedure = models.CharField(max_length=200, blank=True)
    procedure_step = models.CharField(max_length=120, blank=True)
    deviation_point = models.TextField(blank=True)
    person_involved = models.CharField(max_length=120, blank=True)
    resulting_impact = models.TextField(blank=True)
    order_reference = models.CharField("order / shipment reference", max_length=80, blank=True)
    delivery_failure_type = models.CharField(
        "failure type", max_length=12, choices=DeliveryFailureType.choices, blank=True
    )
    contract_clause = models.CharField(max_length=120, blank=True)
    sla_metric = models.CharField("SLA metric", max_length=120, blank=True)
    sla_target = models.DecimalField(
        "target", max_digits=12, decimal_places=2, null=True, blank=True
    )
    sla_actual = models.DecimalField(
        "actual", max_digits=12, decimal_places=2, null=True, blank=True
    )
    client_notified_at = models.DateTimeField(null=True, blank=True)
    departments_involved = models.CharField(max_length=200, blank=True)
    missed_handoff = models.TextField("missed hand-off", blank=True)

    history = HistoricalRecords()

    class Meta(LogRecord.Meta):
        indexes = [
            *LogRecord.Meta.indexes,
            models.Index(fields=["category", "occurred_at"], name="failure_category_occ"),
            # The root-cause report's counts of a client's period per category and service,
            # and the corrective actions of those reports, read from the index alone.
            models.Index(
                fields=["client", "occurred_at", "id"],
                include=["root_cause_category", "service"],
                name="failure_cli_occ_cause",
            ),
        ]
        permissions = [
            ("bulk_update_failurereport", "Can assign and change status of many at once"),
            ("export_failurereport", "Can export failure reports"),
        ]

    def clean(self) -> None:
        errors = {}
        if self.detected_at and self.occurred_at and self.detected_at < self.occurred_at:
            errors["detected_at"] = "A failure cannot be detected before it occurred."
        if (
            self.client_notified_at
            and self.occurred_at
            and self.client_notified_at < self.occurred_at
        ):
            errors["client_notified_at"] = "The client cannot be notified before the failure."
        elif (
            self.client_notified_at
            and self.detected_at
            and self.client_notified_at < self.detected_at
        ):
            errors["client_notified_at"] = (
                "The client cannot be notified before the failure was detected."
            )
        if self.service_id and self.client_id and self.service.client_id != self.client_id:
            errors["service"] = "Choose a service of the report's client."
        if self.category == FailureCategory.CUSTOMER_SERVICE and not (
            self.customer_service_failure_type
        ):
            errors["customer_service_failure_type"] = "Choose the kind of customer-service failure."
        if self.category == FailureCategory.DELIVERY and not self.delivery_failure_type:
            errors["delivery_failure_type"] = "Choose the kind of delivery failure."
        if self.category == FailureCategory.COMPLIANCE and not (
            self.contract_clause.strip() or self.sla_metric.strip()
        ):
            errors["contract_clause"] = "Name the contract clause or the SLA metric breached."
        if errors:
            raise ValidationError(errors)

    def closing_problems(self) -> dict[str, str]:
        problems = self.root_cause_problems()
        actions = list(self.corrective_actions.all())
        if not actions:
            problems["corrective_actions"] = "Add at least one corrective action before closing."
        else:
            pending = [action for action in actions if not action.is_settled]
            if pending:
                problems["corrective_actions"] = (
                    "Mark every corrective action done, or waive it with a reason, before "
                    "closing; still open: " + "; ".join(action.action for action in pending) + "."
                )
        return problems

    @classmethod
    def blank_value(cls, name: str):
        """What an unused category-specific field holds: NULL where allowed, else its default."""
        field = cls._meta.get_field(name)
        return None if field.null else field.get_default()


class CorrectiveAction(models.Model):
    """One thing to do so that the failure does not happen again, owned by one person."""

    report = models.ForeignKey(
        FailureReport, on_delete=models.CASCADE, related_name="corrective_actions"
    )
    action = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    waived = models.BooleanField(default=False)
    waiver_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            # The list's "overdue actions" filter: open actions of a report past their date.
            models.Index(
                fields=["report", "due_date"],
                condition=models.Q(done_at__isnull=True, waived=False),
                name="corrective_action_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(waived=False) | ~models.Q(waiver_reason=""),
                name="corrective_action_waiver_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(waived=False) | models.Q(done_at__isnull=True),
                name="corrective_action_not_done_and_waived",
            ),
        ]

    def __str__(self) -> str:
        return self.action

    @property
    def is_settled(self) -> bool:
        """Done, or waived with a reason: nothing left to do for closing."""
        return self.done_at is not None or (self.waived and bool(self.waiver_reason.strip()))

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and not self.waived and self.due_date < timezone.localdate()

    def clean(self) -> None:
        errors = {}
        if self.waived and not self.waiver_reason.strip():
            errors["waiver_reason"] = "Give the reason for waiving this action."
        if self.waived and self.done_at:
            errors["waived"] = "An action is either done or waived, not both."
        if self.done_at and self.done_at > timezone.now():
            errors["done_at"] = "An action cannot be done in the future."
        elif self.done_at and self.report_id and self.done_at < self.report.occurred_at:
            errors["done_at"] = "An action cannot be done before the failure occurred."
        if errors:
            raise ValidationError(errors)
