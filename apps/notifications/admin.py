"""Notifications in the admin: to answer "was this person told, and when?"."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "client", "reference", "subject", "read_at")
    list_filter = ("client", "content_type")
    search_fields = ("reference", "subject", "event_key", "recipient__username")
    list_select_related = ("recipient", "client")
    date_hierarchy = "created_at"
    show_full_result_count = False
