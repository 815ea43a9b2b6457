from datetime import datetime

import django_filters as filters
from django import forms
from django.db.models import F
from django.utils import timezone

from apps.core.choices import Status, Tier
from apps.core.listing.filters import LogRecordFilterSet, TargetFilter
from apps.core.listing.root_cause import RootCauseFilter
from apps.core.models import CodeListEntry

from .models import Escalation, EscalationChannel, EscalationOrigin
from .tier_moves import moved_ids, raised_tier, stayed_ids, waiting_ids

ANY_TIER = "*"


def _tier(text: str) -> int | None:
    """A tier number, or None for `*` (any tier)."""
    if text == ANY_TIER:
        return None
    if text.isdigit() and int(text) in Tier.values:
        return int(text)
    raise forms.ValidationError(f"{text!r} is not a tier: write 1, 2, 3 or {ANY_TIER}.")


def _moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise forms.ValidationError(f"{text!r} is not an ISO 8601 time.") from None
    if timezone.is_naive(value):
        raise forms.ValidationError(f"{text!r} needs its time zone.")
    return value


def _span(text: str) -> tuple[datetime, datetime]:
    start_text, _, end_text = text.partition("/")
    start, end = _moment(start_text), _moment(end_text)
    if end <= start:
        raise forms.ValidationError("The window ends before it starts.")
    return start, end


class TierMoveField(forms.CharField):
    """`from-to:start/end`, each tier 1–3 or `*`: moves between those tiers in the window."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        tiers, _, span = value.partition(":")
        from_text, dash, to_text = tiers.partition("-")
        if not dash:
            raise forms.ValidationError("A tier move is written from-to:start/end.")
        return (_tier(from_text), _tier(to_text), *_span(span))


class TierStayField(forms.CharField):
    """`tier:start/end`: open at that tier at some moment of the window."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        tier, _, span = value.partition(":")
        return (_tier(tier), *_span(span))


class WaitingAtField(forms.CharField):
    """`tier@moment`: entered that tier before the moment and still waiting there at it."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        tier, at, when = value.partition("@")
        if not at:
            raise forms.ValidationError("Waiting at a tier is written tier@time.")
        return (_tier(tier), _moment(when))


def _report_filter(field_class, label: str, method: str) -> filters.CharFilter:
    filter_ = filters.CharFilter(
        label=label,
        method=method,
        widget=forms.TextInput(attrs={"readonly": True, "class": "form-control-plaintext"}),
    )
    filter_.field_class = field_class
    return filter_


REPORT_FILTERS = ("tier_move", "tier_stay", "waiting_at")


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
    raised_tier = filters.MultipleChoiceFilter(
        choices=Tier.choices,
        widget=forms.CheckboxSelectMultiple,
        method="filter_raised_tier",
        label="Raised at tier",
    )
    at_raised_tier = filters.BooleanFilter(
        method="filter_at_raised_tier",
        label="Tier now",
        widget=forms.Select(
            choices=[("", "Any"), ("true", "Where raised"), ("false", "Not where raised")]
        ),
    )
    tier_move = _report_filter(TierMoveField, "Tier move", "filter_tier_move")
    tier_stay = _report_filter(TierStayField, "At tier during", "filter_tier_stay")
    waiting_at = _report_filter(WaitingAtField, "Waiting at tier at", "filter_waiting_at")
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
            "raised_tier",
            "at_raised_tier",
            "severity",
            "status",
            "overdue",
            "root_cause",
            "assignee",
            "assignment",
            "team",
            "occurred_from",
            "occurred_to",
            "tier_move",
            "tier_stay",
            "waiting_at",
        ]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # The report's drill-downs show only when a link from a report set them.
        for name in REPORT_FILTERS:
            if not (data or {}).get(name):
                self.filters[name].extra["widget"] = forms.HiddenInput()

    def filter_overdue(self, queryset, name, value):
        """Overdue: still open and its resolution due time has passed."""
        if value is None:
            return queryset
        overdue = {"status__in": Status.open_values(), "resolution_due__lt": timezone.now()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)

    def filter_raised_tier(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.alias(raised_tier=raised_tier()).filter(raised_tier__in=value)

    def filter_at_raised_tier(self, queryset, name, value):
        if value is None:
            return queryset
        queryset = queryset.alias(raised_tier=raised_tier())
        same = {"raised_tier": F("tier")}
        return queryset.filter(**same) if value else queryset.exclude(**same)

    def filter_tier_move(self, queryset, name, value):
        return queryset.filter(pk__in=moved_ids(*value)) if value else queryset

    def filter_tier_stay(self, queryset, name, value):
        return queryset.filter(pk__in=stayed_ids(*value)) if value else queryset

    def filter_waiting_at(self, queryset, name, value):
        return queryset.filter(pk__in=waiting_ids(*value)) if value else queryset
