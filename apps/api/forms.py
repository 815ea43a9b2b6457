"""The form a person issues one of their own API tokens with."""

from datetime import datetime, timedelta

from django import forms

from .models import ApiToken, Scope

NEVER = ""
EXPIRY_CHOICES = [
    (NEVER, "Never"),
    ("30", "In 30 days"),
    ("90", "In 90 days"),
    ("365", "In a year"),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What it is for, to tell it apart from your others, e.g. “Grafana dashboard”.",
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text="A read-only token cannot change anything, whatever your role allows.",
    )
    expires = forms.ChoiceField(
        label="Expires",
        choices=EXPIRY_CHOICES,
        required=False,
        initial=NEVER,
    )

    def expires_at(self, now: datetime) -> datetime | None:
        days = self.cleaned_data.get("expires")
        return now + timedelta(days=int(days)) if days else None
