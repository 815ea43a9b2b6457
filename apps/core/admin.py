"""Configuration the administrators maintain: clients, teams, memberships, services, codes.

Every admin of the portal saves only what an administrator changed (`ChangesOnlyAdmin`):
submitting a change form as it was shown writes nothing, so no history version, no
timeline event and no notification follows from it.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AlertDelivery,
    Client,
    ClientAssignment,
    CodeListEntry,
    OutboxMessage,
    Service,
    Team,
    TeamMembership,
    TimelineEntry,
)


def _same_text(value, stored) -> bool:
    """Browsers send a text area's line breaks as CR LF whatever was stored."""
    return (
        isinstance(value, str)
        and isinstance(stored, str)
        and value.replace("\r\n", "\n") == stored.replace("\r\n", "\n")
    )


def _keep_untouched(obj: models.Model, stored: models.Model, names, changed) -> None:
    """Put back the stored value of every form field the administrator did not change;
    `changed` (the form's changed_data) loses the fields that only looked changed.

    A form shows some values less precisely than they are stored (date and time without
    microseconds, line breaks as the browser sends them): saving what it read back would
    change them silently.
    """
    for name in names:
        try:
            model_field = obj._meta.get_field(name)
        except FieldDoesNotExist:  # a field of the form alone
            continue
        if not model_field.concrete or model_field.many_to_many:
            continue
        value, before = getattr(obj, model_field.attname), getattr(stored, model_field.attname)
        if name not in changed:
            setattr(obj, model_field.attname, before)
        elif _same_text(value, before):
            setattr(obj, model_field.attname, before)
            changed.remove(name)  # nor does the admin log call it a change


def differs_from_stored(obj: models.Model, stored: models.Model) -> bool:
    """Whether saving `obj` would change any column of its stored row."""
    return any(
        model_field.value_from_object(obj) != model_field.value_from_object(stored)
        for model_field in obj._meta.concrete_fields
    )


def _links_differ(obj: models.Model, form) -> bool:
    """Whether the form's many-to-many fields choose other rows than are linked now."""
    for name in form.fields:
        model_field = next((f for f in obj._meta.many_to_many if f.name == name), None)
        if model_field is None or name not in form.cleaned_data:
            continue
        chosen = {related.pk for related in form.cleaned_data[name]}
        if chosen != set(getattr(obj, name).values_list("pk", flat=True)):
            return True
    return False


class ChangesOnlyAdmin(admin.ModelAdmin):
    """Writes a change form's row and inline rows only where something really changed.

    An unchanged submission saves nothing: no history version (django-simple-history),
    no signal, no admin log entry. Fields left as shown keep their stored value exactly.
    """

    def save_model(self, request, obj, form, change) -> None:
        if change:
            stored = type(obj)._base_manager.get(pk=obj.pk)
            _keep_untouched(obj, stored, form.fields, form.changed_data)
            obj._admin_wrote = _links_differ(obj, form)
            if not differs_from_stored(obj, stored):
                return
        obj._admin_wrote = True
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        changed = {id(obj): names for obj, names in formset.changed_objects}
        stored = formset.model._base_manager.in_bulk([obj.pk for obj in instances if obj.pk])
        wrote = bool(formset.deleted_objects)
        for obj in instances:
            before = stored.get(obj.pk) if id(obj) in changed else None
            if before is not None:
                _keep_untouched(obj, before, formset.form.base_fields, changed[id(obj)])
                if not differs_from_stored(obj, before):
                    continue
            obj.save()
            wrote = True
        formset.save_m2m()
        if wrote:
            form.instance._admin_wrote = True

    def log_change(self, request, obj, message):
        if not getattr(obj, "_admin_wrote", True):  # nothing changed: nothing happened
            return None
        return super().log_change(request, obj, message)


class PortalAdmin(ChangesOnlyAdmin, SimpleHistoryAdmin):
    """An admin of a model that keeps its history."""


class LongSelect(forms.Select):
    """A select of hundreds of plain options (time zones), written in one pass rather than
    one template per option: the same HTML, many times faster to render."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final), options)


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ("name", "vendor", "active")


class ClientAssignmentInline(admin.TabularInline):
    model = ClientAssignment
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Client)
class ClientAdmin(PortalAdmin):
    list_display = ("name", "code", "active", "timezone", "retention_months", "contract_reference")
    list_filter = ("active", "timezone")
    search_fields = ("name", "code", "contract_reference")
    inlines = (ServiceInline, ClientAssignmentInline)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "timezone":
            kwargs["widget"] = LongSelect
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Team)
class TeamAdmin(PortalAdmin):
    list_display = ("name", "tier", "lead", "client_codes")
    list_filter = ("tier", "clients")
    search_fields = ("name", "lead__username", "clients__name")
    filter_horizontal = ("clients",)
    autocomplete_fields = ("lead",)
    inlines = (TeamMembershipInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lead").prefetch_related("clients")

    @admin.display(description="Clients")
    def client_codes(self, team: Team) -> str:
        return ", ".join(client.code.upper() for client in team.clients.all())


@admin.register(TeamMembership)
class TeamMembershipAdmin(PortalAdmin):
    list_display = ("user", "team", "joined_at")
    list_filter = ("team__tier", "team")
    search_fields = ("user__username", "user__first_name", "user__last_name", "team__name")
    autocomplete_fields = ("user", "team")
    list_select_related = ("user", "team")


@admin.register(ClientAssignment)
class ClientAssignmentAdmin(PortalAdmin):
    list_display = ("user", "client", "note")
    list_filter = ("client",)
    search_fields = ("user__username", "client__name", "note")
    autocomplete_fields = ("user", "client")
    list_select_related = ("user", "client")


@admin.register(Service)
class ServiceAdmin(PortalAdmin):
    list_display = ("name", "client", "vendor", "active")
    list_filter = ("active", "client")
    search_fields = ("name", "vendor", "client__name")
    list_select_related = ("client",)


@admin.register(CodeListEntry)
class CodeListEntryAdmin(PortalAdmin):
    list_display = ("label", "code", "list_name", "active", "sort_order")
    list_filter = ("list_name", "active")
    search_fields = ("label", "code")
    list_editable = ("active", "sort_order")


class ReadOnlyAdmin(ChangesOnlyAdmin):
    """Records the portal writes itself: visible to administrators, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "client", "content_type", "object_id", "kind", "actor")
    list_filter = ("kind", "client", "content_type")
    search_fields = ("message",)
    list_select_related = ("client", "content_type", "actor")


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "alert_kind", "content_type", "object_id", "recipients")
    list_filter = ("alert_kind",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Tasks queued by the portal; unsent ones waited out a broker outage (flush_outbox)."""

    list_display = ("created_at", "task_name", "args", "sent_at", "attempts", "last_error")
    list_filter = (("sent_at", admin.EmptyFieldListFilter), "task_name")
    search_fields = ("task_name",)
    show_full_result_count = False


class LogRecordAdmin(PortalAdmin, ReadOnlyAdmin):
    """Log records are written through the portal's forms and services, where the workflow,
    version check and alerts apply; the admin shows them with their history."""

    list_display = ("reference", "client", "title", "severity", "status", "assignee", "occurred_at")
    list_filter = ("status", "severity", "client")
    search_fields = ("reference", "title")
    list_select_related = ("client", "assignee")
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    view_on_site = True


def _changes_only(model: type[models.Model]) -> None:
    """Register `model` again with its library's admin, saving only what changed."""
    base = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (ChangesOnlyAdmin, base), {}))


# The libraries' admins registered before this module (users and groups, periodic task
# schedules, login throttling) follow the same rule.
for _model, _model_admin in list(admin.site._registry.items()):
    if not isinstance(_model_admin, ChangesOnlyAdmin):
        _changes_only(_model)
