import django_filters as filters
from django import forms
from django.db.models import Q

from apps.core.choices import Severity
from apps.core.listing.choices import RememberedChoicesMixin
from apps.core.listing.filters import DayFromFilter, DayToFilter
from apps.core.models import Client
from apps.core.scoping import accessible_client_ids, sees_every_client

from .models import AuditFinding, FindingKind


class AuditFindingFilterSet(RememberedChoicesMixin, filters.FilterSet):
    q = filters.CharFilter(
        method="filter_text",
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Reference or summary"}),
    )
    client = filters.ModelChoiceFilter(queryset=Client.objects.none())
    kind = filters.MultipleChoiceFilter(
        choices=FindingKind.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    severity = filters.MultipleChoiceFilter(
        choices=Severity.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    acknowledged = filters.BooleanFilter(
        field_name="acknowledged_at",
        lookup_expr="isnull",
        exclude=True,
        label="Acknowledged",
        widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]),
    )
    found_from = DayFromFilter(field_name="found_at", label="Found from")
    found_to = DayToFilter(field_name="found_at", label="Found to")

    class Meta:
        model = AuditFinding
        fields = ["q", "client", "kind", "severity", "acknowledged", "found_from", "found_to"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request is not None else None
        if user is not None and sees_every_client(user):
            clients = Client.objects.all()
        else:
            ids = accessible_client_ids(user) if user is not None else frozenset()
            clients = Client.objects.filter(pk__in=ids)
        self.filters["client"].queryset = clients

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(record_reference__icontains=value) | Q(summary__icontains=value))
