import django_filters as filters
from django import forms
from django.utils import timezone

from apps.core.choices import Status, Tier
from apps.core.listing.filters import LogRecordFilterSet, TargetFilter
from apps.core.listing.root_cause import RootCauseFilter
from apps.core.models import CodeListEntry

from .models import Escalation, EscalationChannel, EscalationOrigin


class EscalationFilterSet(LogRecordFilterSet):
    origin = filters.MultipleChoiceFilter(
        choices=EscalationOrigin.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    channel = filters.MultipleChoiceFilter(
        choices=EscalationChannel.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    category = filters.ModelChoiceFilter(
        queryset=CodeListEntry.objects.filter(
            list_name=CodeListEntry.ListName.ESCALATION_CATEGORY
        ).order_by("sort_order", "label")
    )
    tier = filters.MultipleChoiceFilter(
        choices=Tier.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    root_cause = RootCauseFilter()
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        label="Overdue",
        widget=forms.Select(choices=[("", "Any"), ("true", "Overdue"), ("false", "Not overdue")]),
    )

    first_response_target = TargetFilter(label="First-response SLA")

    text_fields = ("reference", "title", "customer_name", "account_reference")
    window_fields = (
        *LogRecordFilterSet.window_fields,
        "first_response_due",
        "first_response_at",
        "first_response_breached_at",
        "first_response_due_final",
    )

    class Meta:
        model = Escalation
        fields = [
            "q",
            "client",
            "origin",
            "channel",
            "category",
            "tier",
            "severity",
            "status",
            "overdue",
            "root_cause",
            "assignee",
            "assignment",
            "team",
            "occurred_from",
            "occurred_to",
        ]

    def filter_overdue(self, queryset, name, value):
        """Overdue: still open and its resolution due time has passed."""
        if value is None:
            return queryset
        overdue = {"status__in": Status.open_values(), "resolution_due__lt": timezone.now()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)
