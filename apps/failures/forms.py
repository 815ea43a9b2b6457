"""The standard failure report form (common fields, then the chosen category's) and the
inline formset of its corrective actions."""

from django import forms
from django.utils import timezone

from apps.core.forms import LogRecordForm, PortalFieldsMixin, UserChoiceField
from apps.core.scoping import accessible_client_ids
from apps.core.selectors import assignable_users

from .models import CATEGORY_FIELDS, CorrectiveAction, FailureCategory, FailureReport
from .services import ACTION_FIELDS

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


COMMON_FIELDS = [
    "client",
    "category",
    "title",
    "severity",
    "service",
    "occurred_at",
    "detected_at",
    "description",
    "customer_impact",
    "assignee",
    "team",
]
FOLLOW_UP_FIELDS = [
    "root_cause_category",
    "root_cause_analysis",
    "follow_up_status",
    "lessons_learned",
]
TEXTAREAS = (
    "description",
    "customer_impact",
    "recovery_actions",
    "deviation_point",
    "resulting_impact",
    "missed_handoff",
    "root_cause_analysis",
    "lessons_learned",
)


class FailureReportForm(LogRecordForm):
    class Meta:
        model = FailureReport
        fields = [
            *COMMON_FIELDS,
            *[name for names in CATEGORY_FIELDS.values() for name in names],
            *FOLLOW_UP_FIELDS,
        ]
        labels = {
            "occurred_at": "Occurred at",
            "service": "Service concerned",
            "follow_up_status": "Follow-up status",
        }
        widgets = {
            "occurred_at": datetime_widget(),
            "detected_at": datetime_widget(),
            "client_notified_at": datetime_widget(),
            # portal.js shows the section of the category chosen here.
            "category": forms.Select(attrs={"data-kind-field": ""}),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in TEXTAREAS},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("occurred_at", "detected_at", "client_notified_at"):
            self.fields[name].input_formats = DATETIME_FORMATS

    def sections(self) -> list[dict]:
        """Field groups for the template: common, one per category, then follow-up."""
        groups = [{"title": "What failed", "kind": "", "fields": COMMON_FIELDS}]
        for category, names in CATEGORY_FIELDS.items():
            groups.append(
                {
                    "title": f"{FailureCategory(category).label} details",
                    "kind": category,
                    "fields": list(names),
                }
            )
        groups.append({"title": "Root cause and follow-up", "kind": "", "fields": FOLLOW_UP_FIELDS})
        for group in groups:
            group["bound_fields"] = [self[name] for name in group["fields"] if name in self.fields]
        return groups


class CorrectiveActionForm(PortalFieldsMixin, forms.ModelForm):
    class Meta:
        model = CorrectiveAction
        fields = ["action", "owner", "due_date", "done_at", "waived", "waiver_reason"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "done_at": datetime_widget(),
            "waiver_reason": forms.TextInput(),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        client_ids = accessible_client_ids(user) if user is not None else frozenset()
        self.fields["owner"] = UserChoiceField(
            queryset=assignable_users(client_ids, keep=self.instance.owner_id), required=False
        )
        self.fields["done_at"].input_formats = DATETIME_FORMATS
        # Laid out as a table row, without crispy's labels: the header names the columns.
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            field.widget.attrs["class"] = css
            field.widget.attrs["aria-label"] = str(field.label)

    def clean(self):
        data = super().clean()
        if data.get("waived") and not (data.get("waiver_reason") or "").strip():
            self.add_error("waiver_reason", "Give the reason for waiving this action.")
        if data.get("waived") and data.get("done_at"):
            self.add_error("waived", "An action is either done or waived, not both.")
        if data.get("done_at") and data["done_at"] > timezone.now():
            self.add_error("done_at", "An action cannot be done in the future.")
        return data

    def _post_clean(self):
        # The model's own clean() runs in the service, against the saved report.
        pass


class BaseCorrectiveActionFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "user": self.user}

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or (
                not form.has_changed() and not form.instance.pk
            ):
                continue
            text = (form.cleaned_data.get("action") or "").strip().lower()
            if text and text in seen:
                raise forms.ValidationError("The same corrective action is listed twice.")
            seen.add(text)

    def added(self) -> list[dict]:
        """Values of the new rows someone filled in."""
        return [
            {name: form.cleaned_data[name] for name in ACTION_FIELDS}
            for form in self.forms
            if not form.instance.pk and form.has_changed()
        ]

    def edited(self) -> list[tuple[CorrectiveAction, dict]]:
        """Existing rows whose values changed, with the new values of the changed fields."""
        return [
            (
                form.instance,
                {
                    name: form.cleaned_data[name]
                    for name in form.changed_data
                    if name in ACTION_FIELDS
                },
            )
            for form in self.forms
            if form.instance.pk and form.has_changed()
        ]


CorrectiveActionFormSet = forms.inlineformset_factory(
    FailureReport,
    CorrectiveAction,
    form=CorrectiveActionForm,
    formset=BaseCorrectiveActionFormSet,
    fields=CorrectiveActionForm.Meta.fields,
    extra=2,
    can_delete=False,
)
