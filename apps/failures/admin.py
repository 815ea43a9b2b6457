from django.contrib import admin

from apps.core.admin import LogRecordAdmin

from .models import CorrectiveAction, FailureReport


class CorrectiveActionInline(admin.TabularInline):
    """Shown with the report; changed only through the portal's services."""

    model = CorrectiveAction
    extra = 0
    fields = ("action", "owner", "due_date", "done_at", "waived", "waiver_reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FailureReport)
class FailureReportAdmin(LogRecordAdmin):
    list_display = (*LogRecordAdmin.list_display, "category")
    list_filter = ("category", *LogRecordAdmin.list_filter)
    inlines = (CorrectiveActionInline,)
