import django_filters as filters
from django import forms
from django.db.models import Q

from apps.core.listing.choices import RememberedChoicesMixin
from apps.core.listing.filters import DayFromFilter, DayToFilter
from apps.core.models import Client
from apps.core.scoping import accessible_client_ids, sees_every_client

from .models import IntakeRequest, Integration, Outcome


class IntakeRequestFilterSet(RememberedChoicesMixin, filters.FilterSet):
    q = filters.CharFilter(
        method="filter_text",
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Reason or reference"}),
    )
    client = filters.ModelChoiceFilter(queryset=Client.objects.none())
    integration = filters.ModelChoiceFilter(queryset=Integration.objects.none())
    outcome = filters.MultipleChoiceFilter(
        choices=Outcome.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    status_code = filters.NumberFilter(label="Status code")
    received_from = DayFromFilter(field_name="received_at", label="Received from")
    received_to = DayToFilter(field_name="received_at", label="Received to")

    class Meta:
        model = IntakeRequest
        fields = [
            "q",
            "client",
            "integration",
            "outcome",
            "status_code",
            "received_from",
            "received_to",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request is not None else None
        if user is not None and sees_every_client(user):
            clients = Client.objects.all()
        else:
            ids = accessible_client_ids(user) if user is not None else frozenset()
            clients = Client.objects.filter(pk__in=ids)
        self.filters["client"].queryset = clients
        self.filters["integration"].queryset = Integration.objects.filter(client__in=clients)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reason__icontains=value) | Q(references__icontains=value))
