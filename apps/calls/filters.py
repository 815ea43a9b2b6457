"""Filters of the call log list and of the quality audit list."""

import django_filters as filters
from django import forms
from django.contrib.auth import get_user_model

from apps.core.listing.choices import RememberedChoicesMixin
from apps.core.listing.filters import (
    DayFromFilter,
    DayToFilter,
    LogRecordFilterSet,
    UserChoiceFilter,
    WindowFilter,
)
from apps.core.listing.root_cause import RootCauseFilter
from apps.core.models import Client, CodeListEntry
from apps.core.scoping import accessible_client_ids, sees_every_client
from apps.core.selectors import users_of_clients

from .callbacks import (
    kept_call_backs,
    overdue_call_backs,
    settled_call_backs,
    waiting_call_backs,
)
from .masking import can_view_personal_data
from .models import Call, Direction, Outcome, QualityAudit, Sentiment
from .search import search

# The queue filter's value for calls logged without a queue.
NO_QUEUE = "-"


def _entries(list_name: str):
    return CodeListEntry.objects.filter(list_name=list_name).order_by("sort_order", "label")


class CallFilterSet(LogRecordFilterSet):
    q = filters.CharFilter(
        method="filter_text",
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Reference, title, call id…"}),
    )
    direction = filters.MultipleChoiceFilter(
        choices=Direction.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    outcome = filters.MultipleChoiceFilter(
        choices=Outcome.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    disposition = filters.ModelChoiceFilter(
        queryset=_entries(CodeListEntry.ListName.DISPOSITION), label="Disposition"
    )
    query_category = filters.ModelChoiceFilter(
        queryset=_entries(CodeListEntry.ListName.QUERY_CATEGORY), label="Query category"
    )
    sentiment = filters.MultipleChoiceFilter(
        choices=Sentiment.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    root_cause = RootCauseFilter(through_links=True)
    call_back = filters.ChoiceFilter(
        choices=[
            ("waiting", "Waiting"),
            ("overdue", "Overdue"),
            ("settled", "Made or due by now"),
            ("kept", "Made in time"),
        ],
        method="filter_call_back",
        label="Call-backs",
    )
    queue = filters.CharFilter(
        method="filter_queue",
        label="Queue or campaign",
        help_text=f"Exactly as logged; {NO_QUEUE} for calls without one.",
    )

    class Meta:
        model = Call
        fields = [
            "q",
            "client",
            "direction",
            "outcome",
            "disposition",
            "query_category",
            "sentiment",
            "call_back",
            "root_cause",
            "queue",
            "severity",
            "status",
            "assignee",
            "assignment",
            "team",
            "occurred_from",
            "occurred_to",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assignee"].label = "Agent"
        user = self.request.user if self.request is not None else None
        self.personal = user is not None and can_view_personal_data(user)
        if self.personal:
            self.filters["q"].field.widget.attrs["placeholder"] = (
                "Reference, title, call id, caller…"
            )

    def filter_text(self, queryset, name, value):
        """Reference, title, external call id, account reference; callers' numbers and names
        only for who may see them, or a masked number could be found digit by digit."""
        value = value.strip()
        if not value:
            return queryset
        return search(queryset, value, personal=self.personal)

    def filter_call_back(self, queryset, name, value):
        """Waiting: a follow-up is due and its call not logged yet, on a call not finished;
        overdue: the same, past its due time."""
        if value == "overdue":
            return overdue_call_backs(queryset)
        if value == "settled":
            return settled_call_backs(queryset)
        if value == "kept":
            return kept_call_backs(queryset)
        return waiting_call_backs(queryset)

    def filter_queue(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(queue="" if value == NO_QUEUE else value)


class QualityAuditFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("score_min"), cleaned.get("score_max")
        if low is not None and high is not None and low > high:
            self.add_error("score_max", "The highest total % is below the lowest.")
        return cleaned


class QualityAuditFilterSet(RememberedChoicesMixin, filters.FilterSet):
    client = filters.ModelChoiceFilter(queryset=Client.objects.none())
    auditor = UserChoiceFilter(queryset=get_user_model().objects.none())
    agent = UserChoiceFilter(
        field_name="call__assignee",
        queryset=get_user_model().objects.none(),
        label="Agent",
    )
    score_min = filters.NumberFilter(
        field_name="total_percent",
        lookup_expr="gte",
        label="Total % from",
        min_value=0,
        max_value=100,
    )
    score_max = filters.NumberFilter(
        field_name="total_percent",
        lookup_expr="lte",
        label="Total % to",
        min_value=0,
        max_value=100,
    )
    passed = filters.BooleanFilter(
        widget=forms.Select(choices=[("", "Any"), ("true", "Passed"), ("false", "Failed")])
    )
    coaching_needed = filters.BooleanFilter(
        widget=forms.Select(choices=[("", "Any"), ("true", "Needed"), ("false", "Not needed")])
    )
    scored_from = DayFromFilter(field_name="scored_at", label="From")
    scored_to = DayToFilter(field_name="scored_at", label="To")
    window = WindowFilter()

    window_fields = ("scored_at",)

    class Meta:
        model = QualityAudit
        form = QualityAuditFilterForm
        fields = [
            "client",
            "agent",
            "auditor",
            "score_min",
            "score_max",
            "passed",
            "coaching_needed",
            "scored_from",
            "scored_to",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request is not None else None
        client_ids = accessible_client_ids(user) if user is not None else frozenset()
        self.filters["client"].queryset = (
            Client.objects.all()
            if user is not None and sees_every_client(user)
            else Client.objects.filter(pk__in=client_ids)
        )
        self.filters["auditor"].queryset = users_of_clients(client_ids)
        self.filters["agent"].queryset = users_of_clients(client_ids)
        self.filters["window"].extra["allowed"] = self.window_fields

    def filter_window(self, queryset, name, value):
        if not value:
            return queryset
        field, start, end = value
        return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
