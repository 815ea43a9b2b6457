from django.contrib import admin

from .models import AuditFinding


@admin.register(AuditFinding)
class AuditFindingAdmin(admin.ModelAdmin):
    """Read-only: findings are filed by the audits and acknowledged on the findings list."""

    list_display = ("found_at", "client", "kind", "severity", "record_reference", "acknowledged_at")
    list_filter = ("kind", "severity", "client")
    search_fields = ("record_reference", "summary")
    list_select_related = ("client",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
