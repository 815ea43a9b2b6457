from django.contrib import admin

from apps.core.admin import LogRecordAdmin, PortalAdmin

from .models import Escalation, EscalationMatrix, MatrixStep
from .services import matrix_edited


@admin.register(Escalation)
class EscalationAdmin(LogRecordAdmin):
    list_display = (*LogRecordAdmin.list_display, "origin", "tier", "category")
    list_filter = (
        "origin",
        "channel",
        "tier",
        "category",
        "root_cause_category",
        *LogRecordAdmin.list_filter,
    )
    search_fields = (*LogRecordAdmin.search_fields, "customer_name", "account_reference")
    list_select_related = (*LogRecordAdmin.list_select_related, "category")


class MatrixStepInline(admin.StackedInline):
    model = MatrixStep
    extra = 0
    min_num = 1
    autocomplete_fields = ("team",)


@admin.register(EscalationMatrix)
class EscalationMatrixAdmin(PortalAdmin):
    """Every edit raises the version; escalations under way keep the copy they started with.
    A save that changes nothing writes nothing."""

    list_display = ("client", "category", "severity", "active", "version", "updated_at")
    list_filter = ("client", "active", "severity", "category")
    search_fields = ("client__name", "client__code", "category__label")
    list_select_related = ("client", "category")
    inlines = (MatrixStepInline,)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and getattr(form.instance, "_admin_wrote", False):
            matrix_edited(form.instance)
