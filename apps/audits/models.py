"""What the periodic audits find: one row per problem, filed once, acknowledged by a lead."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from apps.core.choices import Severity
from apps.core.models import Client, TaskRun
from apps.core.scoping import scope_to_user


class FindingKind(models.TextChoices):
    STALE = "stale", "Stale record"
    INCOMPLETE = "incomplete", "Incomplete record"
    RECURRING = "recurring", "Recurring problem"
    SLA_BREACH = "sla_breach", "SLA breach"
    MISSED_FOLLOW_UP = "missed_follow_up", "Missed follow-up"
    MAINTENANCE_OVERRUN = "maintenance_overrun", "Maintenance overrun"


class AuditFindingQuerySet(models.QuerySet):
    def for_user(self, user) -> "AuditFindingQuerySet":
        return scope_to_user(self, user)

    def unacknowledged(self) -> "AuditFindingQuerySet":
        return self.filter(acknowledged_at__isnull=True)


class AuditFinding(models.Model):
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    # The record the finding is about; empty for a finding about many (a recurring problem).
    record_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    record_reference = models.CharField(max_length=24, blank=True)
    severity = models.CharField(max_length=4, choices=Severity.choices)
    summary = models.TextField()
    found_at = models.DateTimeField()
    run = models.ForeignKey(
        TaskRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Names the problem as found (e.g. "stale:<type>:<id>:<last update>"): filed once.
    fingerprint = models.CharField(max_length=200, editable=False)

    objects = AuditFindingQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["fingerprint"], name="audit_finding_fingerprint"),
        ]
        indexes = [
            models.Index(fields=["found_at", "id"], name="audit_finding_found"),
            models.Index(fields=["client", "found_at", "id"], name="audit_finding_cli_found"),
            models.Index(fields=["kind", "found_at"], name="audit_finding_kind_found"),
            models.Index(fields=["severity", "found_at"], name="audit_finding_sev_found"),
            models.Index(fields=["record_type", "record_id"], name="audit_finding_record"),
        ]
        permissions = [
            ("acknowledge_auditfinding", "Can acknowledge audit findings"),
            ("export_auditfinding", "Can export audit findings"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.record_reference or self.summary[:60]}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def record(self):
        if self.record_type_id is None:
            return None
        return self.record_type.get_object_for_this_type(pk=self.record_id)

    @property
    def record_url(self) -> str:
        """The record's page, found from its type and reference without loading it."""
        if self.record_type_id is None or not self.record_reference:
            return ""
        app_label = ContentType.objects.get_for_id(self.record_type_id).app_label
        return reverse(f"{app_label}:detail", args=[self.record_reference])

    @property
    def acknowledge_url(self) -> str:
        return reverse("audits:acknowledge", args=[self.pk])
