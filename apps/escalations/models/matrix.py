"""Escalation matrices: per client, category and severity, who handles each tier and for how long.

An escalation copies the matrix's steps when it enters it (`Escalation.matrix_steps`), so an
administrator's later edit never changes what happens to escalations already under way.
"""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from apps.core.choices import Severity, Tier
from apps.core.models import Client, CodeListEntry, Team


class EscalationMatrix(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        CodeListEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"list_name": CodeListEntry.ListName.ESCALATION_CATEGORY},
        help_text="Empty: every category without a matrix of its own.",
    )
    severity = models.CharField(
        max_length=4,
        choices=Severity.choices,
        blank=True,
        help_text="Empty: every severity without a matrix of its own.",
    )
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "escalation matrices"
        ordering = ["client__name", "category__label", "severity"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "category", "severity"],
                name="escalation_matrix_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        category = self.category.label if self.category_id else "any category"
        return f"{self.client} · {category} · {self.severity or 'any severity'} (v{self.version})"

    def clean(self) -> None:
        if (
            self.category_id
            and self.category.list_name != CodeListEntry.ListName.ESCALATION_CATEGORY
        ):
            raise ValidationError({"category": "Choose an escalation category."})


class MatrixStep(models.Model):
    """One tier of a matrix: the team that takes it and the business minutes it may stay."""

    matrix = models.ForeignKey(EscalationMatrix, on_delete=models.CASCADE, related_name="steps")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    minutes_allowed = models.PositiveIntegerField(
        help_text="Business minutes the escalation may stay at this tier before it moves up."
    )
    notify_team = models.BooleanField(
        default=True, help_text="Tell the team's members when an escalation reaches them."
    )
    notify_lead = models.BooleanField(
        default=True, help_text="Tell the team's lead (warnings and breaches always do)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["matrix", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["matrix", "tier"], name="matrix_step_one_per_tier"),
            models.CheckConstraint(
                condition=models.Q(minutes_allowed__gt=0), name="matrix_step_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{Tier(self.tier).label}: {self.team} for {self.minutes_allowed} min"

    def clean(self) -> None:
        errors = {}
        if self.team_id and self.tier and self.team.tier != self.tier:
            errors["team"] = f"{self.team} works at {Tier(self.team.tier).label}."
        serves = self.team_id and self.matrix_id
        if serves and not self.team.clients.filter(pk=self.matrix.client_id).exists():
            errors["team"] = f"{self.team} does not serve {self.matrix.client}."
        if errors:
            raise ValidationError(errors)

    def snapshot(self) -> dict:
        return {
            "tier": self.tier,
            "team": self.team_id,
            "team_name": self.team.name,
            "lead": self.team.lead_id,
            "minutes": self.minutes_allowed,
            "notify_team": self.notify_team,
            "notify_lead": self.notify_lead,
        }
