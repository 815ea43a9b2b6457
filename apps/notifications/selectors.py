"""Reads of notifications: always one person's own."""

from django.db.models import QuerySet

from .models import Notification


def notifications_for(user) -> QuerySet:
    """`user`'s notifications, newest first; nobody reads anyone else's."""
    return Notification.objects.for_recipient(user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    """How many of `user`'s notifications are unread: one indexed COUNT."""
    return Notification.objects.for_recipient(user).unread().count()
