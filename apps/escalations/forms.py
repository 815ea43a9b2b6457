"""The escalation form, and the small forms of its page's own actions."""

from django import forms

from apps.core.choices import Tier
from apps.core.forms import LogRecordForm, version_field
from apps.core.input_rules import InputRulesMixin
from apps.core.models import CodeListEntry, Team

from .models import Escalation

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FIELDS = ("occurred_at", "first_response_due", "resolution_due", "first_response_at")
INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
SECTIONS = (
    (
        "The escalation",
        ["client", "title", "severity", "origin", "channel", "category", "tier", "occurred_at"],
    ),
    ("Customer", ["customer_name", "account_reference", "reason", "description"]),
    ("Handling", ["team", "assignee", "first_response_due", "resolution_due", "first_response_at"]),
    (
        "Resolution",
        [
            "resolution_steps",
            "outcome",
            "root_cause_category",
            "root_cause_analysis",
            "post_resolution_review",
        ],
    ),
)


class EscalationForm(LogRecordForm):
    class Meta:
        model = Escalation
        fields = [name for _, names in SECTIONS for name in names]
        labels = {"occurred_at": "Escalated at", "tier": "Tier"}
        help_texts = {
            "first_response_due": "Leave empty for the default of its severity.",
            "resolution_due": "Leave empty for the default of its severity.",
            "tier": "Later moves go through “Move to tier” on the escalation's page.",
        }
        widgets = {
            **dict.fromkeys(DATETIME_FIELDS, DATETIME_WIDGET),
            "reason": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "resolution_steps": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
            "root_cause_analysis": forms.Textarea(attrs={"rows": 3}),
            "post_resolution_review": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DATETIME_FIELDS:
            self.fields[name].input_formats = INPUT_FORMATS
        categories = CodeListEntry.objects.filter(
            list_name=CodeListEntry.ListName.ESCALATION_CATEGORY, active=True
        )
        if self.instance.pk and self.instance.category_id:
            # An entry deactivated since stays selectable on the records that use it.
            categories = categories | CodeListEntry.objects.filter(pk=self.instance.category_id)
        self.fields["category"].queryset = categories.order_by("sort_order", "label")
        if self.instance.pk:
            self.fields["tier"].disabled = True

    def sections(self) -> list[dict]:
        return [
            {"title": title, "bound_fields": [self[name] for name in names]}
            for title, names in SECTIONS
        ]


class MoveTierForm(InputRulesMixin, forms.Form):
    version = version_field()
    tier = forms.TypedChoiceField(coerce=int, label="Move to")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label="Team taking it over")
    reason = forms.CharField(
        max_length=2_000,
        widget=forms.TextInput(attrs={"placeholder": "Why it moves"}),
        error_messages={"required": "Give the reason for moving the escalation."},
    )

    def __init__(self, *args, record, **kwargs):
        kwargs.setdefault("initial", {"version": record.version})
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [
            (value, label) for value, label in Tier.choices if value != record.tier
        ]
        self.fields["team"].queryset = Team.objects.filter(clients=record.client_id).order_by(
            "tier", "name"
        )


class FirstResponseForm(InputRulesMixin, forms.Form):
    version = version_field()

    def __init__(self, *args, record, **kwargs):
        kwargs.setdefault("initial", {"version": record.version})
        super().__init__(*args, **kwargs)
