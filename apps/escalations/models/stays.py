"""Where an escalation was raised, when it moved between tiers and how long it stayed at each,
kept as rows in step with its history (see `apps.escalations.tier_stays`)."""

from django.db import models

from apps.core.choices import Tier
from apps.core.models import Client

from .escalation import Escalation


class TierStay(models.Model):
    """A spell of an escalation at one tier, from one change of its tier or of its being open
    to the next: waiting there (open, the report's *stays*) or finished there (resolved,
    closed or cancelled). Its first spell (`seq` 1) is at the tier where it was raised."""

    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, related_name="tier_stays", db_index=False
    )
    # The escalation's client, copied so the report's reads of one client use an index.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", db_index=False)
    seq = models.PositiveIntegerField(help_text="1 for the spell it was raised in.")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    waiting = models.BooleanField(help_text="Open at the tier, rather than finished at it.")
    moved_from = models.PositiveSmallIntegerField(
        choices=Tier.choices,
        null=True,
        blank=True,
        help_text="The tier it moved from, when it came by a tier move.",
    )
    entered_at = models.DateTimeField(help_text="When raised, for the first spell.")
    left_at = models.DateTimeField(null=True, blank=True, help_text="Empty while still there.")

    class Meta:
        constraints = [
            # Also the raised tier of an escalation (`seq` 1), and its spells to rewrite.
            models.UniqueConstraint(fields=["escalation", "seq"], name="tier_stay_unique"),
        ]
        indexes = [
            # The raised tier of the escalations the report reads, by client.
            models.Index(
                fields=["client", "escalation"],
                include=["tier"],
                condition=models.Q(seq=1),
                name="tier_stay_raised",
            ),
            # The report's time at tier: the stays still open or left after the period began.
            models.Index(
                fields=["client", "left_at"],
                include=["entered_at", "tier", "escalation"],
                condition=models.Q(waiting=True),
                name="tier_stay_waiting",
            ),
            # The report's tier moves in the trend's periods.
            models.Index(
                fields=["client", "entered_at"],
                include=["moved_from", "tier", "escalation"],
                condition=models.Q(moved_from__isnull=False),
                name="tier_stay_moves",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.escalation_id} #{self.seq} at tier {self.tier}"
