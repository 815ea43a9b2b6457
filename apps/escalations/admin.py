from django.contrib import admin

from apps.core.admin import LogRecordAdmin

from .models import Escalation


@admin.register(Escalation)
class EscalationAdmin(LogRecordAdmin):
    list_display = (*LogRecordAdmin.list_display, "origin", "tier", "category")
    list_filter = ("origin", "channel", "tier", "category", *LogRecordAdmin.list_filter)
    search_fields = (*LogRecordAdmin.search_fields, "customer_name", "account_reference")
    list_select_related = (*LogRecordAdmin.list_select_related, "category")
