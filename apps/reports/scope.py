"""What a report is about: one client the viewer works for, one period in its time zone."""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from apps.core.dates import validate_plausible
from apps.core.models import Client
from apps.core.scoping import accessible_client_ids, sees_every_client

from .periods import (
    CUSTOM,
    MONTH,
    PERIOD_KINDS,
    Period,
    custom_period,
    period_containing,
    today_in,
)

CALENDAR, BUSINESS = "calendar", "business"
TIME_BASES = [(CALENDAR, "Calendar time (24×7)"), (BUSINESS, "Business hours of the client")]
TREND_PERIODS = 6


@dataclass(frozen=True)
class ReportScope:
    client: Client
    period: Period
    basis: str = CALENDAR
    now: datetime = field(default_factory=timezone.now)

    @property
    def zone(self) -> ZoneInfo:
        return self.period.zone

    @property
    def business_time(self) -> bool:
        return self.basis == BUSINESS

    def trend(self, count: int = TREND_PERIODS) -> list[Period]:
        return self.period.trend(count)

    def query_string(self) -> dict[str, str]:
        parameters = {"client": str(self.client.pk), **self.period.query_string()}
        if self.basis != CALENDAR:
            parameters["basis"] = self.basis
        return parameters


def clients_for(user) -> QuerySet[Client]:
    """The clients whose reports `user` may read: the ones whose records they reach."""
    clients = Client.objects.order_by("name")
    if sees_every_client(user):
        return clients
    return clients.filter(pk__in=accessible_client_ids(user))


class ReportScopeForm(forms.Form):
    """The selectors above every report. Unbound (no choice made), it means the first client
    and the month so far."""

    client = forms.ModelChoiceField(queryset=Client.objects.none(), empty_label=None)
    period = forms.ChoiceField(choices=PERIOD_KINDS, initial=MONTH)
    day = forms.DateField(
        required=False,
        label="Within",
        help_text="Any day of the week, month or quarter.",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible],
    )
    start = forms.DateField(
        required=False,
        label="First day",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible],
    )
    end = forms.DateField(
        required=False,
        label="Last day",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible],
    )
    # Left out (as `query_string` leaves it for calendar time), it means calendar time.
    basis = forms.ChoiceField(choices=TIME_BASES, initial=CALENDAR, label="Time", required=False)

    def __init__(self, data=None, *, user, with_basis: bool = False, **kwargs):
        self.user = user
        clients = clients_for(user)
        if data is not None and not any(name in data for name in self.base_fields):
            data = None
        super().__init__(data, **kwargs)
        self.fields["client"].queryset = clients
        if not with_basis:
            del self.fields["basis"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == CUSTOM:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                raise forms.ValidationError("A custom period needs its first and last day.")
            if end < start:
                self.add_error("end", "The last day comes before the first day.")
            else:
                zone = ZoneInfo(cleaned["client"].timezone) if cleaned.get("client") else None
                if zone is not None:
                    try:
                        custom_period(start, end, zone)
                    except ValueError as problem:
                        self.add_error("end", str(problem))
        return cleaned

    def scope(self, now: datetime | None = None) -> ReportScope | None:
        """The scope chosen, or the default one when nothing was chosen; None when the
        choice is invalid or the user works for no client."""
        now = now or timezone.now()
        if self.is_bound:
            if not self.is_valid():
                return None
            client, kind = self.cleaned_data["client"], self.cleaned_data["period"]
            basis = self.cleaned_data.get("basis") or CALENDAR
        else:
            client = self.fields["client"].queryset.first()
            kind, basis = MONTH, CALENDAR
            if client is None:
                return None
        zone = ZoneInfo(client.timezone)
        if kind == CUSTOM:
            period = custom_period(self.cleaned_data["start"], self.cleaned_data["end"], zone)
        else:
            day = (self.cleaned_data.get("day") if self.is_bound else None) or today_in(zone, now)
            period = period_containing(kind, day, zone)
        return ReportScope(client=client, period=period, basis=basis, now=now)
