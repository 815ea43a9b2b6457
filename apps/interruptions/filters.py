import django_filters as filters
from django import forms

from apps.core.listing.filters import LogRecordFilterSet
from apps.core.listing.root_cause import RootCauseFilter
from apps.core.models import Service

from .models import Interruption, InterruptionKind


class InterruptionFilterSet(LogRecordFilterSet):
    kind = filters.MultipleChoiceFilter(
        choices=InterruptionKind.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    service = filters.ModelChoiceFilter(
        field_name="affected_services", queryset=Service.objects.none(), label="Service"
    )
    root_cause = RootCauseFilter()

    class Meta:
        model = Interruption
        fields = [
            "q",
            "client",
            "kind",
            "severity",
            "status",
            "service",
            "root_cause",
            "assignee",
            "assignment",
            "team",
            "occurred_from",
            "occurred_to",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["service"].queryset = Service.objects.filter(
            client__in=self.filters["client"].queryset
        ).select_related("client")
