"""Code lists that administrators maintain: what agents pick from instead of typing."""

from django.db import models
from simple_history.models import HistoricalRecords


class CodeListEntry(models.Model):
    class ListName(models.TextChoices):
        DISPOSITION = "disposition", "Disposition codes"
        QUERY_CATEGORY = "query_category", "Query categories"
        RECOVERY_ACTION = "recovery_action", "Recovery action types"
        ESCALATION_CATEGORY = "escalation_category", "Escalation categories"

    list_name = models.CharField(max_length=32, choices=ListName.choices)
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["list_name", "sort_order", "label"]
        verbose_name = "code list entry"
        verbose_name_plural = "code list entries"
        constraints = [
            models.UniqueConstraint(fields=["list_name", "code"], name="code_unique_per_list"),
        ]

    def __str__(self) -> str:
        return self.label
