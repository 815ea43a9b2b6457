import django_filters as filters
from django import forms

from apps.core.listing.filters import LogRecordFilterSet
from apps.core.listing.root_cause import RootCauseFilter

from .models import NatureOfIssue, RecoveryCase
from .selectors import recovered_condition


class RecoveryCaseFilterSet(LogRecordFilterSet):
    q = filters.CharFilter(
        method="filter_text",
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Reference, title or customer"}),
    )
    nature = filters.MultipleChoiceFilter(
        choices=NatureOfIssue.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        label="Nature of issue",
    )
    confirmed = filters.BooleanFilter(
        method="filter_confirmed",
        label="Customer confirmed",
        widget=forms.Select(choices=[("", "Any"), ("true", "Confirmed"), ("false", "Not yet")]),
    )

    recovered = filters.BooleanFilter(
        method="filter_recovered",
        label="Recovered",
        widget=forms.Select(choices=[("", "Any"), ("true", "Recovered"), ("false", "Not yet")]),
    )

    root_cause = RootCauseFilter(through_links=True)

    text_fields = ("reference", "title", "customer_name", "account_reference")

    class Meta:
        model = RecoveryCase
        fields = [
            "q",
            "client",
            "nature",
            "severity",
            "status",
            "confirmed",
            "recovered",
            "root_cause",
            "assignee",
            "assignment",
            "team",
            "occurred_from",
            "occurred_to",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assignee"].label = "Owner"

    def filter_confirmed(self, queryset, name, value):
        """Confirmed: the resolution is recorded and the customer confirmed it."""
        if value is None:
            return queryset
        return queryset.filter(confirmed_at__isnull=not value)

    def filter_recovered(self, queryset, name, value):
        """Recovered: confirmed, and the customer's latest word is satisfied."""
        if value is None:
            return queryset
        recovered = recovered_condition()
        return queryset.filter(recovered) if value else queryset.exclude(recovered)
