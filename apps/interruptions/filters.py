import django_filters as filters
from django import forms
from django.db.models import Q
from django_filters.constants import EMPTY_VALUES

from apps.core.listing.filters import LogRecordFilterSet, parse_window
from apps.core.listing.root_cause import RootCauseFilter
from apps.core.models import Service

from .models import Interruption, InterruptionKind


class ActiveDuringField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        _, start, end = parse_window(f"occurred_at:{value}", ("occurred_at",))
        return start, end


class ActiveDuringFilter(filters.CharFilter):
    """Interruptions going on at some moment of `[start, end)`, written `start/end` with ISO
    8601 times: started before the end, and ended after the start or not ended at all. The
    rows behind a report's downtime."""

    field_class = ActiveDuringField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Active during")
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"readonly": True, "class": "form-control-plaintext"})
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        start, end = value
        return qs.filter(
            Q(occurred_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        )


class InterruptionFilterSet(LogRecordFilterSet):
    kind = filters.MultipleChoiceFilter(
        choices=InterruptionKind.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    service = filters.ModelChoiceFilter(
        field_name="affected_services", queryset=Service.objects.none(), label="Service"
    )
    root_cause = RootCauseFilter()
    active = ActiveDuringFilter()

    window_fields = (*LogRecordFilterSet.window_fields, "ended_at")

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
