from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import MonthlyReportDelivery


@admin.register(MonthlyReportDelivery)
class MonthlyReportDeliveryAdmin(ReadOnlyAdmin):
    """The monthly schedule writes these; its cadence is edited under Periodic tasks
    ("Monthly SLA report")."""

    list_display = ("month", "client", "sent_at", "recipients")
    list_filter = ("client",)
    date_hierarchy = "month"
    list_select_related = ("client",)
