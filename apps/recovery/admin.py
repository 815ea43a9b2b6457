from django.contrib import admin

from apps.core.admin import LogRecordAdmin

from .models import (
    RecoveryAction,
    RecoveryCase,
    RecoveryFeedback,
    RecoveryInteraction,
    RecoveryResolution,
)


class ReadOnlyInline(admin.TabularInline):
    """Shown with the case; changed only through the portal's services."""

    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InteractionInline(ReadOnlyInline):
    model = RecoveryInteraction
    fields = ("at", "channel", "summary", "resolution_offered", "customer_satisfied", "recorded_by")


class ActionInline(ReadOnlyInline):
    model = RecoveryAction
    fields = ("at", "action_type", "amount", "currency", "department", "details", "recorded_by")


class ResolutionInline(ReadOnlyInline):
    model = RecoveryResolution
    fields = (
        "final_resolution",
        "customer_confirmed",
        "confirmed_at",
        "unreachable_reason",
        "follow_up_done",
        "follow_up_at",
        "updated_by",
    )


class FeedbackInline(ReadOnlyInline):
    model = RecoveryFeedback
    fields = ("at", "satisfaction", "likelihood_to_return", "suggestions", "recorded_by")


@admin.register(RecoveryCase)
class RecoveryCaseAdmin(LogRecordAdmin):
    list_display = (*LogRecordAdmin.list_display, "nature", "customer_name")
    list_filter = ("nature", *LogRecordAdmin.list_filter)
    search_fields = (*LogRecordAdmin.search_fields, "customer_name", "account_reference")
    inlines = (InteractionInline, ActionInline, ResolutionInline, FeedbackInline)
