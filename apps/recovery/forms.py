"""The recovery case form, and the small forms on the case's page for its child rows."""

from django import forms
from django.http import Http404
from django.utils import timezone

from apps.core.followups import follow_up_for
from apps.core.forms import LogRecordForm, PortalFieldsMixin, version_field
from apps.core.lookup import find_record
from apps.core.models import CodeListEntry

from .models import (
    RecoveryAction,
    RecoveryCase,
    RecoveryFeedback,
    RecoveryInteraction,
    RecoveryResolution,
)
from .services import (
    ACTION_FIELDS,
    FEEDBACK_FIELDS,
    INTERACTION_FIELDS,
    RESOLUTION_FIELDS,
    resolution_times_follow_ticks,
)

INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


SECTIONS = (
    ("The case", ["client", "title", "severity", "nature", "occurred_at", "origin_reference"]),
    ("Customer", ["customer_name", "account_reference", "initial_feedback", "description"]),
    ("Handling", ["team", "assignee"]),
)
WIDE_FIELDS = {"title", "initial_feedback", "description"}


class RecoveryCaseForm(LogRecordForm):
    origin_reference = forms.CharField(
        label="Caused by (reference)",
        required=False,
        max_length=24,
        help_text="The interruption, failure report, escalation or call the customer suffered "
        "from, e.g. INT-2026-000042. Optional.",
        widget=forms.TextInput(attrs={"placeholder": "INT-2026-000042"}),
    )

    class Meta:
        model = RecoveryCase
        fields = [name for _, names in SECTIONS for name in names if name != "origin_reference"]
        labels = {"assignee": "Owner", "occurred_at": "Issue occurred at", "title": "Title"}
        widgets = {
            "occurred_at": datetime_widget(),
            "initial_feedback": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.origin = None
        self.fields["occurred_at"].input_formats = INPUT_FORMATS
        self.fields["assignee"].label = "Owner"
        if self.instance.pk:
            # Further links are made with "Linked records" on the case's page.
            del self.fields["origin_reference"]

    def clean_origin_reference(self) -> str:
        reference = self.cleaned_data["origin_reference"].strip().upper()
        if not reference:
            return ""
        try:
            origin = find_record(self.user, reference)
        except Http404:
            raise forms.ValidationError(
                f"No record {reference} among your clients' records."
            ) from None
        follow_up = follow_up_for(RecoveryCase)
        if follow_up is None or not follow_up.accepts(origin):
            raise forms.ValidationError(
                f"{origin.reference} is a {origin._meta.verbose_name}: a recovery case is "
                "caused by an interruption, failure report, escalation or call."
            )
        self.origin = origin
        return reference

    def clean(self):
        data = super().clean()
        client = data.get("client")
        if self.origin is not None and client is not None and self.origin.client_id != client.pk:
            self.add_error(
                "origin_reference",
                f"{self.origin.reference} belongs to {self.origin.client}, not to {client}.",
            )
            self.origin = None
        return data

    def sections(self) -> list[dict]:
        return [
            {
                "title": title,
                "bound_fields": [
                    {"field": self[name], "wide": name in WIDE_FIELDS}
                    for name in names
                    if name in self.fields
                ],
            }
            for title, names in SECTIONS
        ]


class CaseEntryForm(PortalFieldsMixin, forms.ModelForm):
    """A child row's form on the case page: its moment defaults to now."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "at" in self.fields:
            self.fields["at"].input_formats = INPUT_FORMATS
            self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class InteractionForm(CaseEntryForm):
    prefix = "interaction"

    class Meta:
        model = RecoveryInteraction
        fields = list(INTERACTION_FIELDS)
        labels = {"at": "When", "customer_satisfied": "Customer satisfied?"}
        widgets = {
            "at": datetime_widget(),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "resolution_offered": forms.Textarea(attrs={"rows": 2}),
        }


class ActionForm(CaseEntryForm):
    prefix = "action"

    class Meta:
        model = RecoveryAction
        fields = list(ACTION_FIELDS)
        labels = {"at": "Taken at", "action_type": "Action"}
        widgets = {"at": datetime_widget(), "details": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_type"].queryset = CodeListEntry.objects.filter(
            list_name=CodeListEntry.ListName.RECOVERY_ACTION, active=True
        ).order_by("sort_order", "label")

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()


class ResolutionForm(PortalFieldsMixin, forms.ModelForm):
    prefix = "resolution"
    version = version_field()

    class Meta:
        model = RecoveryResolution
        fields = list(RESOLUTION_FIELDS)
        labels = {
            "confirmed_at": "Confirmed at",
            "follow_up_done": "Follow-up done",
            "follow_up_at": "Follow-up at",
        }
        help_texts = {
            "confirmed_at": "Empty with the box ticked: now.",
            "follow_up_at": "Empty with the box ticked: now.",
        }
        widgets = {
            "final_resolution": forms.Textarea(attrs={"rows": 3}),
            "unreachable_reason": forms.Textarea(attrs={"rows": 2}),
            "confirmed_at": datetime_widget(),
            "follow_up_at": datetime_widget(),
        }

    def __init__(self, *args, record, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", record.version)
        kwargs.setdefault("instance", record.resolution_or_none())
        super().__init__(*args, **kwargs)
        for name in ("confirmed_at", "follow_up_at"):
            self.fields[name].input_formats = INPUT_FORMATS

    def clean(self):
        # The model's checks (run next) see the times as the service will store them.
        data = super().clean()
        return resolution_times_follow_ticks(data, timezone.now())


# Nothing chosen in advance: an untouched form records no satisfaction nobody gave.
SATISFACTION_CHOICES = [
    ("", "choose 1 to 5"),
    (5, "5 · very satisfied"),
    (4, "4 · satisfied"),
    (3, "3 · neutral"),
    (2, "2 · dissatisfied"),
    (1, "1 · very dissatisfied"),
]
LIKELIHOOD_CHOICES = [("", "not asked / no answer"), *[(n, str(n)) for n in range(10, -1, -1)]]


class FeedbackForm(CaseEntryForm):
    prefix = "feedback"

    class Meta:
        model = RecoveryFeedback
        fields = list(FEEDBACK_FIELDS)
        labels = {"at": "Given at", "likelihood_to_return": "Likelihood to return (0–10)"}
        widgets = {
            "at": datetime_widget(),
            "satisfaction": forms.Select(choices=SATISFACTION_CHOICES),
            "likelihood_to_return": forms.Select(choices=LIKELIHOOD_CHOICES),
            "suggestions": forms.Textarea(attrs={"rows": 2}),
        }
