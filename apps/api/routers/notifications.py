"""A person's own notifications: listed newest first, read, marked read."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from apps.core.listing.keyset import SortKey
from apps.notifications.models import Notification
from apps.notifications.selectors import notifications_for
from apps.notifications.services import notification_mark_all_read, notification_mark_read

from ..auth import require_write
from ..listing import DEFAULT_PER_PAGE, MAX_PER_PAGE, keyset_page
from .common import page_schema

KEYS = [SortKey("created_at", True, False), SortKey("id", True, False)]


class NotificationOut(Schema):
    id: int
    subject: str
    body: str
    reference: str
    web_url: str
    created_at: datetime
    read_at: datetime | None


class MarkedRead(Schema):
    marked_read: int


def notification_data(notification: Notification, request) -> dict:
    return {
        "id": notification.pk,
        "subject": notification.subject,
        "body": notification.body,
        "reference": notification.reference,
        "web_url": request.build_absolute_uri(notification.url) if notification.url else "",
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


def _own(request, pk: int) -> Notification:
    return get_object_or_404(notifications_for(request.user), pk=pk)


router = Router(tags=["Notifications"])


@router.get(
    "/",
    response=page_schema("NotificationPage", NotificationOut),
    url_name="notifications_list",
    summary="Your notifications, newest first",
    description=f"`unread=true` for the unread only; `per_page` 1 to {MAX_PER_PAGE} "
    f"(default {DEFAULT_PER_PAGE}); `after`/`before` from `links`.",
)
def list_notifications(request, unread: bool = False):
    rows = Notification.objects.for_recipient(request.user)
    if unread:
        rows = rows.unread()
    page, links = keyset_page(request, rows, KEYS)
    return {"items": [notification_data(item, request) for item in page], "links": links}


@router.get(
    "/{int:pk}", response=NotificationOut, url_name="notifications_detail", summary="Read one"
)
def read_notification(request, pk: int):
    return notification_data(_own(request, pk), request)


@router.post(
    "/{int:pk}/read", response=NotificationOut, url_name="notifications_read", summary="Mark read"
)
def mark_read(request, pk: int):
    require_write(request)
    notification_mark_read(notification=_own(request, pk), actor=request.user)
    return notification_data(_own(request, pk), request)


@router.post(
    "/read-all", response=MarkedRead, url_name="notifications_read_all", summary="Mark all read"
)
def mark_all_read(request):
    require_write(request)
    return {"marked_read": notification_mark_all_read(actor=request.user)}
