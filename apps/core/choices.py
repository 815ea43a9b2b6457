"""The code lists that are fixed by the standard: one definition, used by every log."""

from django.db import models


class Severity(models.TextChoices):
    SEV1 = "SEV1", "SEV1 · Critical"
    SEV2 = "SEV2", "SEV2 · High"
    SEV3 = "SEV3", "SEV3 · Medium"
    SEV4 = "SEV4", "SEV4 · Low"

    @classmethod
    def alerting(cls) -> frozenset[str]:
        """Severities that alert the client's team leads the moment they are logged."""
        return frozenset({cls.SEV1, cls.SEV2})


SEVERITY_COLOURS = {
    Severity.SEV1: "danger",
    Severity.SEV2: "warning",
    Severity.SEV3: "info",
    Severity.SEV4: "secondary",
}


class Status(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    ON_HOLD = "on_hold", "On hold"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def open_values(cls) -> tuple[str, ...]:
        return (cls.NEW, cls.IN_PROGRESS, cls.ON_HOLD)


class RootCause(models.TextChoices):
    PEOPLE = "people", "People"
    PROCESS = "process", "Process"
    TECHNOLOGY = "technology", "Technology"
    THIRD_PARTY = "third_party", "Third party / vendor"
    FACILITY = "facility", "Facility / environment"
    CUSTOMER = "customer", "Customer"
    UNKNOWN = "unknown", "Unknown"


class Tier(models.IntegerChoices):
    FRONTLINE = 1, "Tier 1 · Frontline"
    TECHNICAL = 2, "Tier 2 · Technical"
    EXPERT = 3, "Tier 3 · Expert / management"


class LinkRelation(models.TextChoices):
    CAUSED_BY = "caused_by", "Caused by"
    RELATED_TO = "related_to", "Related to"


class TimelineKind(models.TextChoices):
    NOTE = "note", "Note"
    CREATED = "created", "Created"
    STATUS = "status", "Status changed"
    ASSIGNMENT = "assignment", "Assigned"
    EDIT = "edit", "Edited"
    ALERT = "alert", "Alert sent"
    LINK = "link", "Linked"
    WARNING = "warning", "Warning"
    ESCALATED = "escalated", "Escalated automatically"
    BREACH = "breach", "Breached"
    INTAKE = "intake", "Monitoring alert"
