"""Everything a save could touch, read from the database: the record's row, its
many-to-many sets, its child rows, and how many history versions, timeline events,
links, notifications, alert deliveries and queued tasks there are."""

from functools import cache

from django.apps import apps
from django.db import connection
from django.db.models import Model

from apps.core.models import AlertDelivery, OutboxMessage, RecordLink, TimelineEntry
from apps.notifications.models import Notification


@cache
def _watched() -> tuple[str, ...]:
    history = [model for model in apps.get_models() if model.__name__.startswith("Historical")]
    watched = [TimelineEntry, RecordLink, Notification, AlertDelivery, OutboxMessage, *history]
    return tuple(model._meta.db_table for model in watched)


@cache
def _counting_query() -> str:
    quote = connection.ops.quote_name
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in _watched())


def row_counts() -> dict[str, int]:
    """Rows in every table a save writes to besides the record's own, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_counting_query())
        return dict(zip(_watched(), cursor.fetchone(), strict=True))


def snapshot(record: Model) -> dict:
    """The stored state of `record` and of what a save of it writes besides."""
    model = type(record)
    state: dict = {"row": model.objects.filter(pk=record.pk).values().get()}
    for field in model._meta.many_to_many:
        state[field.name] = sorted(getattr(record, field.name).values_list("pk", flat=True))
    for relation in model._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            rows = relation.related_model.objects.filter(**{relation.field.name: record.pk})
            state[relation.name] = list(rows.order_by("pk").values())
    return state | row_counts()


def differences(before: dict, after: dict) -> dict:
    """What changed between two snapshots, by part: (before, after)."""
    return {
        name: (before.get(name), after.get(name))
        for name in before.keys() | after.keys()
        if before.get(name) != after.get(name)
    }
