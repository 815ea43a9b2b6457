import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.core.listing.filters import LogRecordFilterSet
from apps.core.listing.root_cause import RootCauseFilter
from apps.core.models import Service

from .actions import ACTION_STATES, OVERDUE, action_condition
from .models import CorrectiveAction, FailureCategory, FailureReport, FollowUpStatus


def overdue_actions():
    """Open corrective actions (not done, not waived) past their due date."""
    return CorrectiveAction.objects.filter(action_condition(OVERDUE, timezone.localdate()))


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
    root_cause = RootCauseFilter()
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        label="Overdue corrective actions",
        widget=forms.Select(
            choices=[("", "Any"), ("true", "With overdue actions"), ("false", "None overdue")]
        ),
    )

    actions = filters.ChoiceFilter(
        choices=ACTION_STATES,
        method="filter_actions",
        label="Holding corrective actions",
        help_text="Reports with at least one corrective action in this state.",
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
            "actions",
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

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Exists(overdue_actions().filter(report=OuterRef("pk")))
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_actions(self, queryset, name, value):
        held = CorrectiveAction.objects.filter(
            action_condition(value, timezone.localdate()), report=OuterRef("pk")
        )
        return queryset.filter(Exists(held))
