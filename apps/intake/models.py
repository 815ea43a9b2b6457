"""Monitoring integrations, the requests they send, and the alert groups those open."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from apps.core.choices import Severity
from apps.core.models import Client, Service
from apps.core.scoping import scope_to_user
from apps.interruptions.models import Interruption, InterruptionKind

# Routes of the app itself: no integration may be named like one.
RESERVED_SLUGS = frozenset({"requests"})


class AlertFormat(models.TextChoices):
    ALERTMANAGER = "alertmanager", "Prometheus Alertmanager (webhook v4)"
    GRAFANA = "grafana", "Grafana alerting (webhook)"
    GENERIC = "generic", "Generic JSON"


class Integration(models.Model):
    """One monitoring source of one client: where its alerts go and how they read."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(
        max_length=60, unique=True, help_text="The address: POST /intake/<slug>/."
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    services = models.ManyToManyField(
        Service, related_name="+", help_text="The services this source watches."
    )
    alert_format = models.CharField(max_length=16, choices=AlertFormat.choices)
    default_kind = models.CharField(
        max_length=16, choices=InterruptionKind.choices, default=InterruptionKind.INCIDENT
    )
    default_severity = models.CharField(
        max_length=4, choices=Severity.choices, default=Severity.SEV3
    )
    severity_label = models.CharField(
        max_length=80,
        default="severity",
        help_text="The alert label that carries the source's own severity.",
    )
    severity_map = models.JSONField(
        default=dict,
        blank=True,
        help_text='The source\'s severities as the portal\'s, e.g. {"critical": "SEV1", '
        '"warning": "SEV3"}; a value not listed takes the default severity.',
    )
    service_label = models.CharField(
        max_length=80,
        default="service",
        help_text="The alert label naming the service hit; when it names none of the "
        "services above, the interruption affects all of them.",
    )
    group_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Comma-separated labels whose values group alerts into one interruption "
        "(e.g. alertname,cluster); empty: one interruption per alert.",
    )
    auto_resolve = models.BooleanField(
        default=False,
        help_text="A resolved alert also resolves the interruption; otherwise a lead does, "
        "after writing the root cause and resolution.",
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        default=1200, help_text="Requests taken per minute; more are answered 429."
    )
    token_hash = models.CharField(max_length=64, editable=False, blank=True)
    token_hint = models.CharField(
        max_length=12, editable=False, blank=True, help_text="The token's first characters."
    )
    token_issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = f"“{self.slug}” is an address of the portal; choose another."
        if self.default_kind == InterruptionKind.MAINTENANCE:
            errors["default_kind"] = "Planned maintenance is logged by hand, with its window."
        if not isinstance(self.severity_map, dict):
            errors["severity_map"] = 'Give an object, e.g. {"critical": "SEV1"}.'
        else:
            wrong = [
                f"{key}: {value}"
                for key, value in self.severity_map.items()
                if value not in Severity.values
            ]
            if wrong:
                errors["severity_map"] = (
                    f"Map to {', '.join(Severity.values)} only, not " + "; ".join(wrong)
                )
        if errors:
            raise ValidationError(errors)

    @property
    def grouping_labels(self) -> list[str]:
        return [name.strip() for name in self.group_by.split(",") if name.strip()]

    @property
    def accepts_tokens(self) -> bool:
        return bool(self.token_hash) and self.revoked_at is None


class Outcome(models.TextChoices):
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    DEDUPLICATED = "deduplicated", "De-duplicated"
    IGNORED = "ignored", "Ignored"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"


class IntakeRequestQuerySet(models.QuerySet):
    def for_user(self, user) -> "IntakeRequestQuerySet":
        return scope_to_user(self, user)


class IntakeRequest(models.Model):
    """One request to an integration's address, kept whatever became of it.

    Taken requests (202) are stored first and worked after the commit; `outcome` says what
    their alerts did. Refused ones keep the status answered and the reason.
    """

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=500, blank=True)
    payload = models.JSONField(null=True, blank=True)
    alert_count = models.PositiveIntegerField(default=0)
    references = models.JSONField(
        default=list, blank=True, help_text="The interruptions its alerts opened or changed."
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    objects = IntakeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at", "id"], name="intake_request_received"),
            models.Index(
                fields=["client", "received_at", "id"], name="intake_request_cli_received"
            ),
            models.Index(fields=["integration", "received_at"], name="intake_request_int_received"),
            # The worker's next request of an integration: the oldest still to be worked.
            models.Index(
                fields=["integration", "id"],
                condition=models.Q(outcome="received"),
                name="intake_request_pending",
            ),
        ]
        permissions = [("export_intakerequest", "Can export intake requests")]

    def __str__(self) -> str:
        return f"{self.integration_id} · {self.received_at:%Y-%m-%d %H:%M:%S} · {self.outcome}"


class AlertGroup(models.Model):
    """The alerts of one grouping key while their interruption is open.

    `firing` holds the fingerprints firing now; when the last one resolves, the
    interruption's end is set. A key fires into a new interruption once its group is closed
    (auto-resolved, or the interruption left the open statuses).
    """

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=64)
    key_text = models.CharField(max_length=500)
    interruption = models.ForeignKey(Interruption, on_delete=models.PROTECT, related_name="+")
    firing = models.JSONField(default=list, blank=True)
    is_open = models.BooleanField(default=True)
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "key"],
                condition=models.Q(is_open=True),
                name="alert_group_one_open_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_text} → {self.interruption_id}"
