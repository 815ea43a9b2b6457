from django.contrib import admin

from apps.core.admin import LogRecordAdmin, PortalAdmin, ReadOnlyAdmin

from .models import Call, QualityAudit


@admin.register(Call)
class CallAdmin(LogRecordAdmin):
    list_display = (*LogRecordAdmin.list_display, "direction", "outcome", "disposition")
    list_filter = ("direction", "outcome", "sentiment", *LogRecordAdmin.list_filter)
    search_fields = (*LogRecordAdmin.search_fields, "external_call_id", "account_reference")
    list_select_related = (*LogRecordAdmin.list_select_related, "disposition")


@admin.register(QualityAudit)
class QualityAuditAdmin(PortalAdmin, ReadOnlyAdmin):
    """Audits are scored on the call's page, where the call's history and timeline follow."""

    list_display = ("scored_at", "call", "client", "auditor", "total_percent", "passed")
    list_filter = ("passed", "coaching_needed", "client")
    search_fields = ("call__reference",)
    list_select_related = ("call", "client", "auditor")
    date_hierarchy = "scored_at"
    show_full_result_count = False
