"""Configuration the administrators maintain: clients, teams, memberships, services, codes."""

from django.contrib import admin
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


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ("name", "vendor", "active")


class ClientAssignmentInline(admin.TabularInline):
    model = ClientAssignment
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "active", "timezone", "retention_months", "contract_reference")
    list_filter = ("active", "timezone")
    search_fields = ("name", "code", "contract_reference")
    inlines = (ServiceInline, ClientAssignmentInline)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
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
class TeamMembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "team", "joined_at")
    list_filter = ("team__tier", "team")
    search_fields = ("user__username", "user__first_name", "user__last_name", "team__name")
    autocomplete_fields = ("user", "team")
    list_select_related = ("user", "team")


@admin.register(ClientAssignment)
class ClientAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("user", "client", "note")
    list_filter = ("client",)
    search_fields = ("user__username", "client__name", "note")
    autocomplete_fields = ("user", "client")
    list_select_related = ("user", "client")


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "client", "vendor", "active")
    list_filter = ("active", "client")
    search_fields = ("name", "vendor", "client__name")
    list_select_related = ("client",)


@admin.register(CodeListEntry)
class CodeListEntryAdmin(SimpleHistoryAdmin):
    list_display = ("label", "code", "list_name", "active", "sort_order")
    list_filter = ("list_name", "active")
    search_fields = ("label", "code")
    list_editable = ("active", "sort_order")


class ReadOnlyAdmin(admin.ModelAdmin):
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


class LogRecordAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """Log records are written through the portal's forms and services, where the workflow,
    version check and alerts apply; the admin shows them with their history."""

    list_display = ("reference", "client", "title", "severity", "status", "assignee", "occurred_at")
    list_filter = ("status", "severity", "client")
    search_fields = ("reference", "title")
    list_select_related = ("client", "assignee")
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    view_on_site = True
