"""Service interruptions: anything that stopped or slowed the service run for a client."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from apps.core.models import LogRecord, RootCauseFields, Service


class InterruptionKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    OUTAGE = "outage", "Outage"
    DEGRADATION = "degradation", "Performance degradation"
    ERROR = "error", "Application / system error"
    COMMUNICATION = "communication", "Communication failure"
    MAINTENANCE = "maintenance", "Planned maintenance"
    THIRD_PARTY = "third_party", "Third-party / vendor"


class CommunicationChannel(models.TextChoices):
    VOICE = "voice", "Voice"
    DATA = "data", "Data"
    CHAT = "chat", "Chat"
    EMAIL = "email", "E-mail"


# The fields each kind adds to the standard form, in display order.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    InterruptionKind.INCIDENT: (),
    InterruptionKind.OUTAGE: ("scheduled",),
    InterruptionKind.DEGRADATION: ("metric", "observed_value", "normal_value"),
    InterruptionKind.ERROR: ("error_code", "module", "occurrence_count"),
    InterruptionKind.COMMUNICATION: ("channel", "carrier"),
    InterruptionKind.MAINTENANCE: ("planned_start", "planned_end"),
    InterruptionKind.THIRD_PARTY: ("vendor", "vendor_ticket_reference"),
}
ALL_KIND_FIELDS = tuple(name for names in KIND_FIELDS.values() for name in names)


class Interruption(RootCauseFields, LogRecord):
    reference_prefix = "INT"

    kind = models.CharField(max_length=16, choices=InterruptionKind.choices)
    affected_services = models.ManyToManyField(Service, related_name="interruptions")
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty while the interruption is ongoing."
    )
    impact_assessment = models.TextField(blank=True)
    customers_affected = models.PositiveIntegerField(null=True, blank=True)
    agents_affected = models.PositiveIntegerField(null=True, blank=True)
    corrective_actions = models.TextField(blank=True)
    resolution = models.TextField(blank=True)

    scheduled = models.BooleanField(default=False, help_text="Outage announced in advance.")
    metric = models.CharField(max_length=80, blank=True, help_text="e.g. CRM response time (ms)")
    observed_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    normal_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    module = models.CharField(max_length=120, blank=True)
    occurrence_count = models.PositiveIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=8, choices=CommunicationChannel.choices, blank=True)
    carrier = models.CharField(max_length=120, blank=True)
    vendor = models.CharField(max_length=120, blank=True)
    vendor_ticket_reference = models.CharField(max_length=80, blank=True)
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_end = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[affected_services])

    class Meta(LogRecord.Meta):
        indexes = [
            *LogRecord.Meta.indexes,
            models.Index(fields=["kind", "occurred_at"], name="interruption_kind_occ"),
            # The root-cause report's counts of a client's period per category (and, through
            # the id, per affected service), read from the index alone.
            models.Index(
                fields=["client", "occurred_at", "id"],
                include=["root_cause_category"],
                name="interruption_cli_occ_cause",
            ),
            # Downtime over a window, read from the indexes alone: the client's interruptions
            # begun in it, those begun before it and ended after its start, and the ongoing.
            models.Index(
                fields=["client", "occurred_at"],
                include=["ended_at", "kind", "status", "id"],
                name="interruption_cli_span",
            ),
            models.Index(
                fields=["client", "ended_at"],
                include=["occurred_at", "kind", "status", "id"],
                name="interruption_cli_end",
            ),
            models.Index(
                fields=["client", "occurred_at"],
                include=["kind", "status", "id"],
                condition=models.Q(ended_at__isnull=True),
                name="interruption_cli_ongoing",
            ),
            # A client's maintenance windows over a period (apps.sla.maintenance), by the
            # planned end that bounds each window's end.
            models.Index(
                fields=["client", "planned_end"],
                include=["planned_start", "ended_at", "status", "reference"],
                condition=models.Q(kind=InterruptionKind.MAINTENANCE),
                name="interruption_maint_window",
            ),
        ]
        permissions = [
            ("bulk_update_interruption", "Can assign and change status of many at once"),
            ("export_interruption", "Can export interruptions"),
        ]

    @property
    def duration(self) -> timedelta | None:
        if self.ended_at is None:
            return None
        return self.ended_at - self.occurred_at

    @property
    def overran(self) -> bool | None:
        """For maintenance: did the work end after the planned window?"""
        if self.kind != InterruptionKind.MAINTENANCE or not self.planned_end:
            return None
        return bool(self.ended_at and self.ended_at > self.planned_end)

    def clean(self) -> None:
        errors = {}
        if self.ended_at and self.occurred_at and self.ended_at < self.occurred_at:
            errors["ended_at"] = "The end cannot be before the start."
        if self.kind == InterruptionKind.MAINTENANCE:
            if not self.planned_start:
                errors["planned_start"] = "Planned maintenance needs the window's start."
            if not self.planned_end:
                errors["planned_end"] = "Planned maintenance needs the window's end."
        if self.planned_start and self.planned_end and self.planned_end <= self.planned_start:
            errors["planned_end"] = "The planned window must end after it starts."
        if errors:
            raise ValidationError(errors)

    def closing_problems(self) -> dict[str, str]:
        problems = self.root_cause_problems()
        if not self.resolution.strip():
            problems["resolution"] = "Describe the resolution before closing."
        if self.ended_at is None:
            problems["ended_at"] = "Record when the interruption ended before closing."
        return problems

    @classmethod
    def blank_value(cls, name: str):
        """What an unused kind-specific field holds: NULL where allowed, else its default."""
        field = cls._meta.get_field(name)
        return None if field.null else field.get_default()
