"""Writing to a record's timeline: notes by people, events by the portal."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from ..bulk_insert import BulkTable
from ..choices import TimelineKind
from ..models import TimelineEntry
from ..record_events import announce, event_of


def timeline_log(record, *, kind: str, message: str, actor=None, data=None) -> TimelineEntry:
    """Append an entry to `record`'s timeline (and pass it on to the record's listeners)."""
    entry = TimelineEntry.objects.create(
        client_id=record.client_id,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        kind=kind,
        actor=actor,
        message=message,
        data=data or {},
    )
    announce([event_of(record, kind, data)])
    return entry


def timeline_log_many(events, *, actor=None) -> int:
    """Append many portal events at once: `events` are (record, kind, message, data).

    Written straight to the driver (COPY on PostgreSQL): a sweep may log thousands.
    """
    events = list(events)
    now = timezone.now()
    rows = [
        {
            "client_id": record.client_id,
            "content_type_id": ContentType.objects.get_for_model(record).pk,
            "object_id": record.pk,
            "kind": kind,
            "actor_id": actor.pk if actor else None,
            "message": message,
            "data": data or {},
            "created_at": now,
        }
        for record, kind, message, data in events
    ]
    if not rows:
        return 0
    written = BulkTable(TimelineEntry, with_pk=False).insert(rows)
    announce(event_of(record, kind, data) for record, kind, _, data in events)
    return written


def timeline_add_note(record, *, text: str, actor) -> TimelineEntry:
    """A person's note on the record; empty notes are refused."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write something before adding a note."})
    return timeline_log(record, kind=TimelineKind.NOTE, message=text, actor=actor)


def timeline_for(record):
    """The record's timeline, oldest first, with who wrote each entry."""
    return (
        TimelineEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
