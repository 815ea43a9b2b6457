"""Administrators configure business calendars and SLA policies here.

A save that changes something recomputes the due times of the open records it may move (see
`sla_recompute_open_records_soon`): at once, saying how many moved, or, for a client with
many open records, by a worker after the save, saying so. A save that changes nothing writes
nothing: no row, no history version, no log entry, no recompute.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from apps.core.admin import PortalAdmin
from apps.core.models import Client

from .models import BusinessCalendar, Holiday, SlaPolicy, WorkingHours, overlapping_hours
from .services import RECOMPUTE_IN_REQUEST, sla_recompute_open_records_soon


class RecomputingAdmin(PortalAdmin):
    """Recomputes the open records' due times of the clients an edit touches."""

    # Attribute path from the edited object to its client, and the reason the history gives.
    client_path = ("client",)
    recompute_reason = "SLA configuration changed"
    # Fields of the edited object that due times depend on; a save changing none of them
    # (nor an inline row) moves nothing.
    clock_fields: tuple[str, ...] = ()

    def clients_of(self, obj) -> list[Client]:
        for name in self.client_path:
            obj = getattr(obj, name)
        return [obj]

    def severities_of(self, objs) -> set[str] | None:
        """The severities whose records the objects' change may move (None: every one)."""
        return None

    def reason_for(self, obj) -> str:
        return self.recompute_reason

    def recompute(self, request, clients, *, reason: str, severities=None) -> None:
        seen = set()
        for client in clients:
            if client.pk in seen:
                continue
            seen.add(client.pk)
            count = sla_recompute_open_records_soon(
                client, actor=request.user, reason=reason, severities=severities
            )
            if count is None:
                self.message_user(
                    request,
                    f"{client} has more than {RECOMPUTE_IN_REQUEST:,} open records: their due "
                    "times are being recomputed in the background; each record that moves "
                    "says so in its history and timeline.",
                    messages.INFO,
                )
                continue
            self.message_user(
                request,
                f"Due times recomputed for {client}: {count} open record"
                f"{'' if count == 1 else 's'} changed.",
                messages.INFO,
            )

    def save_model(self, request, obj, form, change) -> None:
        obj._stored_before_change = type(obj).objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        # After the inlines are saved, so the calendar is complete when it is read.
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(obj, "_stored_before_change", None)
        moved = any(name in form.changed_data for name in self.clock_fields) or any(
            formset.has_changed() for formset in formsets
        )
        if change and not moved:
            return
        objs = [obj] if before is None else [before, obj]
        self.recompute(
            request,
            [client for one in objs for client in self.clients_of(one)],
            reason=self.reason_for(obj),
            severities=self.severities_of(objs),
        )

    def delete_model(self, request, obj) -> None:
        clients = self.clients_of(obj)
        super().delete_model(request, obj)
        self.recompute(
            request, clients, reason=self.reason_for(obj), severities=self.severities_of([obj])
        )

    def delete_queryset(self, request, queryset) -> None:
        objs = list(queryset)
        clients = [client for obj in objs for client in self.clients_of(obj)]
        super().delete_queryset(request, queryset)
        self.recompute(
            request, clients, reason=self.recompute_reason, severities=self.severities_of(objs)
        )


class WorkingHoursFormSet(BaseInlineFormSet):
    """Checks overlaps among all the rows as submitted, not against their stored values."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.check_stored_rows = False
        return form

    def clean(self) -> None:
        super().clean()
        rows = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None):
                continue  # an extra row left empty
            if self.can_delete and self._should_delete_form(form):
                continue
            rows.append(form.instance)
        problems = overlapping_hours(rows)
        if problems:
            raise ValidationError([message for _, message in problems])


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0
    fields = ("weekday", "start_time", "end_time")


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0
    fields = ("date", "name")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(RecomputingAdmin):
    list_display = ("client", "timezone", "notes")
    list_filter = ("client__timezone", "client__active")
    search_fields = ("client__name", "client__code", "notes")
    list_select_related = ("client",)
    autocomplete_fields = ("client",)
    inlines = (WorkingHoursInline, HolidayInline)
    recompute_reason = "business calendar changed"
    clock_fields = ("client",)

    @admin.display(description="Time zone", ordering="client__timezone")
    def timezone(self, calendar: BusinessCalendar) -> str:
        return calendar.client.timezone


@admin.register(WorkingHours)
class WorkingHoursAdmin(RecomputingAdmin):
    list_display = ("calendar", "weekday", "start_time", "end_time")
    list_filter = ("weekday", "calendar__client")
    search_fields = ("calendar__client__name", "calendar__client__code")
    list_select_related = ("calendar__client",)
    client_path = ("calendar", "client")
    recompute_reason = "working hours changed"
    clock_fields = ("calendar", "weekday", "start_time", "end_time")


@admin.register(Holiday)
class HolidayAdmin(RecomputingAdmin):
    list_display = ("date", "name", "calendar")
    list_filter = ("calendar__client", "date")
    search_fields = ("name", "calendar__client__name", "calendar__client__code")
    list_select_related = ("calendar__client",)
    date_hierarchy = "date"
    client_path = ("calendar", "client")
    recompute_reason = "holidays changed"
    clock_fields = ("calendar", "date")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(RecomputingAdmin):
    list_display = ("client", "severity", "first_response_minutes", "resolution_minutes", "active")
    list_filter = ("active", "severity", "client")
    search_fields = ("client__name", "client__code")
    list_select_related = ("client",)
    recompute_reason = "SLA policies changed"
    clock_fields = (
        "client",
        "severity",
        "first_response_minutes",
        "resolution_minutes",
        "active",
    )

    def severities_of(self, objs) -> set[str]:
        return {policy.severity for policy in objs}

    def reason_for(self, obj) -> str:
        return f"SLA policy {obj} changed"
