from django.contrib import admin

from .models import MonthlyReportDelivery


@admin.register(MonthlyReportDelivery)
class MonthlyReportDeliveryAdmin(admin.ModelAdmin):
    """Read-only: the monthly schedule writes these; its cadence is edited under Periodic
    tasks ("Monthly SLA report")."""

    list_display = ("month", "client", "sent_at", "recipients")
    list_filter = ("client",)
    date_hierarchy = "month"
    list_select_related = ("client",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
