import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.core.listing.filters import LogRecordFilterSet
from apps.core.models import Service

from .models import CorrectiveAction, FailureCategory, FailureReport, FollowUpStatus


def overdue_actions():
    """Open corrective actions (not done, not waived) past their due date."""
    return CorrectiveAction.objects.filter(
        done_at__isnull=True, waived=False, due_date__lt=timezone.localdate()
    )


class FailureReportFilterSet(LogRecordFilterSet):
    category = filters.MultipleChoiceFilter(
        choices=FailureCategory.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    follow_up_status = filters.MultipleChoiceFilter(
        choices=FollowUpStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        label="Follow-up",
    )
    service = filters.ModelChoiceFilter(queryset=Service.objects.none(), label="Service")
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        label="Overdue corrective actions",
        widget=forms.Select(
            choices=[("", "Any"), ("true", "With overdue actions"), ("false", "None overdue")]
        ),
    )

    class Meta:
        model = FailureReport
        fields = [
            "q",
            "client",
            "category",
            "severity",
            "status",
            "follow_up_status",
            "overdue",
            "service",
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

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Exists(overdue_actions().filter(report=OuterRef("pk")))
        return queryset.filter(late) if value else queryset.exclude(late)
