import django_filters as filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef

from apps.core.access import remembered
from apps.core.listing.filters import LogRecordFilterSet
from apps.core.listing.root_cause import RootCauseFilter
from apps.core.models import CodeListEntry

from .models import NatureOfIssue, RecoveryAction, RecoveryCase
from .selectors import recovered_condition

SATISFACTION_CHOICES = [(str(score), str(score)) for score in range(1, 6)]
RETURN_CHOICES = [(str(answer), str(answer)) for answer in range(0, 11)]


def action_type_choices() -> list[tuple[str, str]]:
    """The recovery action types of the code list, kept until the organisation changes."""
    return remembered(
        "recovery-action-types",
        lambda: list(
            CodeListEntry.objects.filter(list_name=CodeListEntry.ListName.RECOVERY_ACTION)
            .order_by("sort_order", "label")
            .values_list("code", "label")
        ),
    )


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
    satisfaction = filters.MultipleChoiceFilter(
        field_name="latest_satisfaction",
        choices=SATISFACTION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        label="Latest satisfaction (1–5)",
    )
    likelihood_to_return = filters.MultipleChoiceFilter(
        field_name="latest_likelihood_to_return",
        choices=RETURN_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        label="Likelihood to return (0–10)",
    )
    action_type = filters.MultipleChoiceFilter(
        choices=action_type_choices,
        method="filter_actions",
        widget=forms.CheckboxSelectMultiple,
        label="Action taken",
    )
    currency = filters.CharFilter(
        method="filter_actions",
        label="Currency of a refund or credit",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Give the currency as a code: GBP, USD, EUR…")],
        widget=forms.TextInput(attrs={"placeholder": "GBP", "maxlength": 3}),
    )

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
            "satisfaction",
            "likelihood_to_return",
            "action_type",
            "currency",
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

    def filter_actions(self, queryset, name, value):
        """Cases with at least one action matching both the action types and the currency
        chosen: the same action, so "refund" and "EUR" mean a refund in euros."""
        data = self.form.cleaned_data
        types, currency = data.get("action_type"), data.get("currency")
        if name == "currency" and types:
            return queryset  # applied with the action types
        actions = RecoveryAction.objects.filter(case=OuterRef("pk"))
        if types:
            actions = actions.filter(
                action_type__list_name=CodeListEntry.ListName.RECOVERY_ACTION,
                action_type__code__in=types,
            )
        if currency:
            actions = actions.filter(currency=currency)
        return queryset.filter(Exists(actions))
