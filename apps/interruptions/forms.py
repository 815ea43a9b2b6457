"""The standard interruption form: common fields, then the fields of the chosen kind."""

from django import forms

from apps.core.forms import LogRecordForm

from .models import KIND_FIELDS, Interruption, InterruptionKind

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
COMMON_FIELDS = [
    "client",
    "kind",
    "title",
    "severity",
    "affected_services",
    "occurred_at",
    "ended_at",
    "description",
    "impact_assessment",
    "customers_affected",
    "agents_affected",
    "assignee",
    "team",
]
RESOLUTION_FIELDS = [
    "root_cause_category",
    "root_cause_analysis",
    "corrective_actions",
    "resolution",
]


class InterruptionForm(LogRecordForm):
    class Meta:
        model = Interruption
        fields = [
            *COMMON_FIELDS,
            *[name for names in KIND_FIELDS.values() for name in names],
            *RESOLUTION_FIELDS,
        ]
        labels = {
            "occurred_at": "Started at",
            "ended_at": "Ended at",
            "observed_value": "Observed value",
            "normal_value": "Normal value",
            "planned_start": "Planned window start",
            "planned_end": "Planned window end",
            "scheduled": "Scheduled outage",
        }
        widgets = {
            "occurred_at": DATETIME_WIDGET,
            "ended_at": DATETIME_WIDGET,
            "planned_start": DATETIME_WIDGET,
            "planned_end": DATETIME_WIDGET,
            "affected_services": forms.SelectMultiple(attrs={"size": 6}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "impact_assessment": forms.Textarea(attrs={"rows": 3}),
            "root_cause_analysis": forms.Textarea(attrs={"rows": 3}),
            "corrective_actions": forms.Textarea(attrs={"rows": 3}),
            "resolution": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("occurred_at", "ended_at", "planned_start", "planned_end"):
            self.fields[name].input_formats = [
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S",
            ]
        self.fields["affected_services"].help_text = "Hold Ctrl (⌘ on a Mac) to pick several."

    def sections(self) -> list[dict]:
        """Field groups for the template: common, one per kind (shown for that kind), closing."""
        groups = [{"title": "What happened", "kind": "", "fields": COMMON_FIELDS}]
        for kind, names in KIND_FIELDS.items():
            if names:
                groups.append(
                    {
                        "title": f"{InterruptionKind(kind).label} details",
                        "kind": kind,
                        "fields": list(names),
                    }
                )
        groups.append(
            {"title": "Root cause and resolution", "kind": "", "fields": RESOLUTION_FIELDS}
        )
        for group in groups:
            group["bound_fields"] = [self[name] for name in group["fields"] if name in self.fields]
        return groups
