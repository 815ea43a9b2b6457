from django.contrib import admin

from apps.core.admin import LogRecordAdmin

from .models import Interruption


@admin.register(Interruption)
class InterruptionAdmin(LogRecordAdmin):
    list_display = (*LogRecordAdmin.list_display, "kind")
    list_filter = ("kind", *LogRecordAdmin.list_filter)
