"""The call log form, the quality audit form of a call's page, and the import upload."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from apps.core.forms import LogRecordForm
from apps.core.input_rules import InputRulesMixin
from apps.core.models import CodeListEntry

from .importing import ImportMode
from .masking import MASKED_FIELDS, can_view_personal_data
from .models import Call, Direction, Outcome, QualityAudit

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FIELDS = ("occurred_at", "answered_at", "ended_at", "follow_up_due")
INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
NEEDS_FOLLOW_UP = (Outcome.FOLLOW_UP, Outcome.MISSED, Outcome.DROPPED, Outcome.VOICEMAIL)

# Title, fields, and when the section shows ("field:value,value"; always when empty).
# Without JavaScript every section shows; call_form.js hides those that do not apply.
SECTIONS = (
    ("The call", "", [
        "client", "direction", "title", "severity", "occurred_at", "answered_at", "ended_at",
        "wait_seconds", "talk_seconds", "queue", "external_call_id",
    ]),
    ("Customer", "", ["caller_number", "customer_name", "account_reference", "follow_up_of"]),
    ("Handling", "", [
        "assignee", "team", "query_category", "disposition", "outcome", "sentiment",
        "description", "resolution",
    ]),
    ("Escalation", f"outcome:{Outcome.ESCALATED}", ["escalation_notes"]),
    ("Follow-up", "outcome:" + ",".join(NEEDS_FOLLOW_UP), ["follow_up_due"]),
)  # fmt: skip
# Fields shown for one direction only.
FIELD_CONDITIONS = {"wait_seconds": f"direction:{Direction.INBOUND}"}


def _code_choices(list_name: str, current_id: int | None):
    entries = CodeListEntry.objects.filter(list_name=list_name, active=True)
    if current_id:
        # An entry deactivated since stays selectable on the calls that use it.
        entries = entries | CodeListEntry.objects.filter(pk=current_id)
    return entries.order_by("sort_order", "label")


class CallForm(LogRecordForm):
    follow_up_of = forms.CharField(
        required=False,
        max_length=24,
        label="Follow-up of",
        help_text="Reference of the previous call this one follows up, e.g. CALL-2026-000042.",
    )
    close_now = forms.BooleanField(
        required=False,
        label="Dealt with on this call: close the log now",
        help_text="Needs the disposition, outcome and, if the customer was spoken to, the "
        "query category and resolution.",
    )

    class Meta:
        model = Call
        fields = [name for _, _, names in SECTIONS for name in names]
        labels = {
            "occurred_at": "Started at",
            "assignee": "Agent",
            "title": "Summary",
            "queue": "Queue / campaign",
            "wait_seconds": "Wait (seconds)",
            "talk_seconds": "Talk (seconds)",
        }
        help_texts = {
            "wait_seconds": "Empty: worked out from started and answered.",
            "talk_seconds": "Empty: worked out from answered and ended.",
        }
        widgets = {
            **dict.fromkeys(DATETIME_FIELDS, DATETIME_WIDGET),
            "description": forms.Textarea(attrs={"rows": 3}),
            "resolution": forms.Textarea(attrs={"rows": 3}),
            "escalation_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DATETIME_FIELDS:
            self.fields[name].input_formats = INPUT_FORMATS
        for name, list_name in (
            ("query_category", CodeListEntry.ListName.QUERY_CATEGORY),
            ("disposition", CodeListEntry.ListName.DISPOSITION),
        ):
            current = getattr(self.instance, f"{name}_id", None)
            self.fields[name].queryset = _code_choices(list_name, current)
        if not can_view_personal_data(self.user):
            # Neither shown nor changed by someone who may not see them.
            for name in MASKED_FIELDS:
                del self.fields[name]
        if self.instance.pk:
            del self.fields["close_now"]
            if self.instance.follow_up_of_id:
                self.initial["follow_up_of"] = self.instance.follow_up_of.reference

    def clean_follow_up_of(self):
        reference = (self.cleaned_data.get("follow_up_of") or "").strip().upper()
        if not reference:
            return None
        call = Call.objects.for_user(self.user).filter(reference=reference).first()
        if call is None:
            raise forms.ValidationError(f"No call {reference} among your clients' calls.")
        return call

    def sections(self) -> list[dict]:
        groups = []
        for title, condition, names in SECTIONS:
            fields = [
                {"field": self[name], "condition": FIELD_CONDITIONS.get(name, "")}
                for name in names
                if name in self.fields
            ]
            if fields:
                groups.append({"title": title, "condition": condition, "fields": fields})
        return groups


# No score chosen in advance: each criterion is a judgement the auditor makes.
SCORE_CHOICES = [("", "–"), *((value, str(value)) for value in range(QualityAudit.MAX_SCORE + 1))]


class QualityAuditForm(InputRulesMixin, forms.Form):
    """Scores of one audit; the total and the verdict are the service's to work out."""

    greeting = forms.TypedChoiceField(coerce=int, choices=SCORE_CHOICES)
    tone = forms.TypedChoiceField(coerce=int, choices=SCORE_CHOICES)
    accuracy = forms.TypedChoiceField(coerce=int, choices=SCORE_CHOICES)
    compliance = forms.TypedChoiceField(
        coerce=int, choices=SCORE_CHOICES, label="Script / compliance"
    )
    resolution = forms.TypedChoiceField(coerce=int, choices=SCORE_CHOICES)
    empathy = forms.TypedChoiceField(coerce=int, choices=SCORE_CHOICES)
    pass_mark = forms.IntegerField(
        min_value=1, max_value=100, initial=QualityAudit.DEFAULT_PASS_MARK, label="Pass mark %"
    )
    coaching_needed = forms.BooleanField(required=False)
    comments = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in QualityAudit.SCORE_FIELDS}


class CallImportForm(forms.Form):
    file = forms.FileField(
        label="Telephony export (CSV, UTF-8)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    mode = forms.ChoiceField(
        choices=ImportMode.choices,
        initial=ImportMode.CHECK,
        widget=forms.RadioSelect,
        label="What to do",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"At most {filesizeformat(settings.CALL_IMPORT_MAX_BYTES)}; split a larger export "
            "into several files."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CALL_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}, more than the {filesizeformat(limit)} "
                "an import may be. Split it into several files and import each.",
                code="too_large",
            )
        return upload
