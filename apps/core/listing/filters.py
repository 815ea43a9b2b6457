"""The filters every log list offers; each app's FilterSet extends this one."""

from datetime import datetime, time, timedelta

import django_filters as filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django_filters.constants import EMPTY_VALUES

from ..choices import Severity, Status
from ..compliance import CLOCKS, OUTCOMES, outcome_condition
from ..dates import validate_plausible
from ..forms import UserChoiceField
from ..models import Client, Team
from ..models.records import breached_condition
from ..scoping import accessible_client_ids, sees_every_client
from ..selectors import teams_for_clients, users_of_clients
from ..staleness import stale_condition
from .choices import RememberedChoicesMixin


class UserChoiceFilter(filters.ModelChoiceFilter):
    """A person to filter by, named as the forms name them (full name and username)."""

    field_class = UserChoiceField


def _start_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class DayFromFilter(filters.DateFilter):
    """Rows whose `field_name` moment falls on or after the chosen day (the viewer's zone);
    days outside the portal's plausible range are a filter error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        kwargs.setdefault("validators", [validate_plausible])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__gte": _start_of_day(value)})


class DayToFilter(DayFromFilter):
    """Rows whose `field_name` moment falls on or before the chosen day (the viewer's zone)."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__lt": _start_of_day(value + timedelta(days=1))})


class WindowField(forms.CharField):
    def __init__(self, *args, allowed: tuple[str, ...] = (), **kwargs):
        self.allowed = allowed
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return parse_window(value, self.allowed) if value else None


class WindowFilter(filters.CharFilter):
    """Rows whose moment `field` falls in `[start, end)`, written `field:start/end` with ISO
    8601 times: the exact rows behind a report's figure. Only the filterset's
    `window_fields` may be named; anything else is a filter error, never ignored."""

    field_class = WindowField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Report window")
        kwargs.setdefault("method", "filter_window")
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"readonly": True, "class": "form-control-plaintext"})
        )
        super().__init__(*args, **kwargs)


def parse_window(value: str, allowed: tuple[str, ...]) -> tuple[str, datetime, datetime]:
    """`field:start/end` → (field, start, end); ValidationError when it is not that."""
    field, _, span = value.partition(":")
    start_text, _, end_text = span.partition("/")
    if field not in allowed:
        raise forms.ValidationError(
            f"A report window is over one of: {', '.join(allowed) or 'nothing in this list'}."
        )
    try:
        start, end = datetime.fromisoformat(start_text), datetime.fromisoformat(end_text)
    except ValueError:
        raise forms.ValidationError(
            "A report window is written field:start/end with ISO 8601 times."
        ) from None
    if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
        raise forms.ValidationError("A report window needs two times with zones, in order.")
    return field, start, end


class TargetFilter(filters.ChoiceFilter):
    """Rows by how they stand against one SLA target (see apps.core.compliance): counted in
    compliance, met, or missed. The filter's name is the clock's key plus `_target`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", list(OUTCOMES.items()))
        kwargs.setdefault("method", "filter_target")
        super().__init__(*args, **kwargs)


def window_value(field: str, start: datetime, end: datetime) -> str:
    """The `window` parameter of a list naming the rows whose `field` is in [start, end)."""
    return f"{field}:{start.isoformat()}/{end.isoformat()}"


class LogRecordFilterSet(RememberedChoicesMixin, filters.FilterSet):
    q = filters.CharFilter(
        method="filter_text",
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Reference or title"}),
    )
    client = filters.ModelChoiceFilter(queryset=Client.objects.none())
    severity = filters.MultipleChoiceFilter(
        choices=Severity.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    status = filters.MultipleChoiceFilter(
        choices=Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    breached = filters.BooleanFilter(
        method="filter_breached",
        label="Resolution target",
        widget=forms.Select(choices=[("", "Any"), ("true", "Breached"), ("false", "Not breached")]),
    )
    stale = filters.BooleanFilter(
        method="filter_stale",
        label="Updates",
        widget=forms.Select(
            choices=[
                ("", "Any"),
                ("true", "Stale (open, no update within its limit)"),
                ("false", "Not stale"),
            ]
        ),
    )
    assignment = filters.ChoiceFilter(
        choices=[("me", "Assigned to me"), ("nobody", "Unassigned")],
        method="filter_assignment",
        label="Assignment",
    )
    assignee = UserChoiceFilter(queryset=get_user_model().objects.none())
    team = filters.ModelChoiceFilter(queryset=Team.objects.none())
    occurred_from = DayFromFilter(field_name="occurred_at", label="From")
    occurred_to = DayToFilter(field_name="occurred_at", label="To")
    resolution_target = TargetFilter(label="Resolution SLA")
    window = WindowFilter()

    text_fields = ("reference", "title")
    # The moments a report's drill-down may narrow a list by (see WindowFilter).
    window_fields = (
        "occurred_at",
        "resolved_at",
        "closed_at",
        "resolution_due",
        "resolution_breached_at",
        "resolution_due_final",
        "created_at",
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request is not None else None
        client_ids = accessible_client_ids(user) if user is not None else frozenset()
        clients = (
            Client.objects.all()
            if user and sees_every_client(user)
            else (Client.objects.filter(pk__in=client_ids))
        )
        self.filters["client"].queryset = clients
        self.filters["team"].queryset = teams_for_clients(client_ids)
        self.filters["assignee"].queryset = users_of_clients(client_ids)
        self.filters["window"].extra["allowed"] = self.window_fields

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = Q()
        for field in self.text_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)

    def filter_window(self, queryset, name, value):
        if not value:
            return queryset
        field, start, end = value
        for clock in CLOCKS:
            if field == clock.final_due_name:
                queryset = queryset.alias(**{field: clock.final_due()})
        return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})

    def filter_target(self, queryset, name, value):
        if not value:
            return queryset
        clock = next(clock for clock in CLOCKS if f"{clock.key}_target" == name)
        return queryset.filter(outcome_condition(clock, value, timezone.now()))

    def filter_breached(self, queryset, name, value):
        if value is None:
            return queryset
        condition = breached_condition()
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_stale(self, queryset, name, value):
        if value is None:
            return queryset
        condition = stale_condition(timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_assignment(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        return queryset.filter(assignee__isnull=True)
