"""Who the centre works for and who does the work: clients, teams, services, assignments."""

import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from ..choices import Tier

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Client(models.Model):
    """A business that outsources its customer service to the centre."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(
        max_length=12, unique=True, help_text="Short code shown in lists, e.g. ACME."
    )
    active = models.BooleanField(default=True)
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="UTC")
    retention_months = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(6), MaxValueValidator(36)],
        help_text="How long personal data in this client's logs is kept (6–36 months).",
    )
    contract_reference = models.CharField(max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_months__gte=6, retention_months__lte=36),
                name="client_retention_6_to_36_months",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.FRONTLINE)
    clients = models.ManyToManyField(Client, related_name="teams", blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams", blank=True
    )
    history = HistoricalRecords(m2m_fields=[clients])

    class Meta:
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return f"{self.name} (T{self.tier})"


class TeamMembership(models.Model):
    """A user works in a team, and so for every client the team serves."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class ClientAssignment(models.Model):
    """Direct access to one client's records without team membership (auditors, managers)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_assignments"
    )
    note = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="client_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.client}"


class Service(models.Model):
    """A system or service a client's operation depends on, and which can be interrupted."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=120)
    vendor = models.CharField(max_length=120, blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["client__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="service_name_per_client"),
        ]

    def __str__(self) -> str:
        return self.name
