"""Webhook events: written in the transaction of the change they tell of, with one delivery
for each subscription that wants them.

`events_record` is the one writer. Records' events reach it from the timeline (core's
`record_events`: creation, status change, tier move, breach); findings from `finding_filed`,
which the audits' filing service calls. Nothing is written for a client without a
subscription to that kind of event, so a change costs one indexed query more and no row.

Each record's events are numbered from 1 (`sequence`) under the lock of the record's row in
`WebhookStream`, taken in the change's transaction: the numbers follow the order in which the
changes commit. The first pending delivery of a record to a subscription is queued through
the outbox at once; the others wait for it (see `delivery.py`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from apps.core.choices import TimelineKind
from apps.core.models import Client
from apps.core.queueing import enqueue_on_commit
from apps.core.record_events import RecordEvent

from .models import Delivery, DeliveryState, EventKind, Subscription, WebhookEvent, WebhookStream

DELIVER_TASK = "apps.webhooks.tasks.deliver_webhook"
# How long a queued delivery is left to its task before the retry sweep queues it again (a
# task lost with its worker, or still in the outbox while the broker is down).
QUEUED_RECHECK = timedelta(minutes=5)
# Of a record, only what every list shows to everyone who may see the record: no customer
# names, numbers or account references (calls' personal data is masked in lists).
RECORD_FIELDS = ("reference", "title", "severity", "status")


@dataclass
class NewEvent:
    """An event to write: `record` is the summary of the record it is about, if any."""

    client_id: int
    kind: str
    stream: str
    reference: str = ""
    record: dict | None = None
    data: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def stream_of(model: type[models.Model], pk: int) -> str:
    return f"{model._meta.label_lower}:{pk}"


def _translate(event: RecordEvent) -> tuple[str, dict] | None:
    """The webhook event of a timeline event, or None for those not sent (notes, edits…)."""
    data = event.data or {}
    if event.kind == TimelineKind.CREATED:
        return EventKind.RECORD_CREATED, {}
    if event.kind == TimelineKind.STATUS:
        return EventKind.STATUS_CHANGED, {"from": data.get("from"), "to": data.get("to")}
    if event.kind == TimelineKind.ESCALATED or (
        event.kind == TimelineKind.ASSIGNMENT and "to_tier" in data
    ):
        return EventKind.TIER_MOVED, {
            "from_tier": data.get("from_tier"),
            "to_tier": data.get("to_tier"),
        }
    if event.kind == TimelineKind.BREACH:
        if "target" in data:
            return EventKind.BREACHED, {"target": data["target"], "due": data.get("due")}
        return EventKind.BREACHED, {"target": "tier", "tier": data.get("tier")}
    return None


def _subscriptions(client_ids) -> dict[int, list[tuple[int, set[str], bool]]]:
    """(id, kinds wanted, paused) of each active subscription, by client: one query."""
    found = defaultdict(list)
    rows = Subscription.objects.filter(client_id__in=set(client_ids), active=True).values_list(
        "pk", "client_id", "events", "paused_at"
    )
    for pk, client_id, kinds, paused_at in rows:
        found[client_id].append((pk, set(kinds), paused_at is not None))
    return found


def _record_summaries(keys: set[tuple[type, int]]) -> dict[tuple[type, int], dict]:
    by_model = defaultdict(set)
    for model, pk in keys:
        by_model[model].add(pk)
    summaries = {}
    for model, pks in by_model.items():
        names = {field.name for field in model._meta.concrete_fields}
        wanted = [*RECORD_FIELDS, *(["tier"] if "tier" in names else [])]
        for row in model.objects.filter(pk__in=pks).values("pk", *wanted):
            pk = row.pop("pk")
            summaries[model, pk] = {
                "type": model._meta.model_name,
                **row,
                "url": settings.PORTAL_BASE_URL + model(pk=pk, **row).get_absolute_url(),
            }
    return summaries


def on_record_events(events: list[RecordEvent]) -> None:
    """Write the webhook events of these record events that some subscription wants."""
    translated = [(event, found) for event in events if (found := _translate(event))]
    if not translated:
        return
    subscriptions = _subscriptions(event.client_id for event, _ in translated)
    wanted = [
        (event, kind, data)
        for event, (kind, data) in translated
        if any(kind in kinds for _, kinds, _ in subscriptions.get(event.client_id, ()))
    ]
    if not wanted:
        return
    summaries = _record_summaries({(event.model, event.pk) for event, _, _ in wanted})
    new_events = []
    for event, kind, data in wanted:
        summary = summaries.get((event.model, event.pk))
        if summary is None:
            continue  # written and removed in the same transaction
        new_events.append(
            NewEvent(
                client_id=event.client_id,
                kind=kind,
                stream=stream_of(event.model, event.pk),
                reference=summary["reference"],
                record=summary,
                data=data,
            )
        )
    events_record(new_events, subscriptions=subscriptions)


def finding_filed(finding, record=None) -> None:
    """Write the event of a newly filed audit finding (about `record`, if any)."""
    subscriptions = _subscriptions([finding.client_id])
    if not any(
        EventKind.FINDING_FILED in kinds for _, kinds, _ in subscriptions.get(finding.client_id, ())
    ):
        return
    summary = None
    if record is not None:
        summary = _record_summaries({(type(record), record.pk)}).get((type(record), record.pk))
    stream = stream_of(type(record), record.pk) if record is not None else None
    events_record(
        [
            NewEvent(
                client_id=finding.client_id,
                kind=EventKind.FINDING_FILED,
                stream=stream or stream_of(type(finding), finding.pk),
                reference=finding.record_reference,
                record=summary,
                extra={
                    "finding": {
                        "id": finding.pk,
                        "kind": finding.kind,
                        "severity": finding.severity,
                        "summary": finding.summary,
                        "found_at": finding.found_at.isoformat(),
                    }
                },
            )
        ],
        subscriptions=subscriptions,
    )


def _next_sequences(streams: list[str]) -> dict[str, int]:
    """Reserve as many numbers for each stream as it occurs in `streams`; the first of each.

    One statement, streams in sorted order (so two writers lock them in the same order);
    each stream's row stays locked until the change commits.
    """
    counts: dict[str, int] = defaultdict(int)
    for stream in streams:
        counts[stream] += 1
    ordered = sorted(counts)
    table = connection.ops.quote_name(WebhookStream._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(ordered))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (stream, last_sequence) VALUES {values} "
            f"ON CONFLICT (stream) DO UPDATE "
            f"SET last_sequence = {table}.last_sequence + excluded.last_sequence "
            "RETURNING stream, last_sequence",
            [value for stream in ordered for value in (stream, counts[stream])],
        )
        return {stream: last - counts[stream] + 1 for stream, last in cursor.fetchall()}


def events_record(
    new_events: list[NewEvent],
    *,
    subscriptions: dict[int, list[tuple[int, set[str], bool]]] | None = None,
    now: datetime | None = None,
) -> list[WebhookEvent]:
    """Write `new_events` (in order) and a delivery of each to every active subscription of
    its client that wants its kind; queue the deliveries that are first in their record's
    line. Runs in the caller's transaction."""
    if not new_events:
        return []
    if subscriptions is None:
        subscriptions = _subscriptions(event.client_id for event in new_events)
    codes = dict(
        Client.objects.filter(pk__in={event.client_id for event in new_events}).values_list(
            "pk", "code"
        )
    )
    sequences = _next_sequences([event.stream for event in new_events])
    now = now or timezone.now()  # once the numbers are ours: times follow them per record
    rows = []
    for event in new_events:
        sequence = sequences[event.stream]
        sequences[event.stream] += 1
        row = WebhookEvent(
            client_id=event.client_id,
            kind=event.kind,
            stream=event.stream,
            reference=event.reference,
            sequence=sequence,
            created_at=now,
        )
        row.payload = {
            "id": str(row.id),
            "event": str(event.kind),
            "created_at": now.isoformat(),
            "client": codes[event.client_id],
            "sequence": sequence,
            "record": event.record,
            "data": event.data,
            **event.extra,
        }
        rows.append(row)
    WebhookEvent.objects.bulk_create(rows)
    _deliver(rows, subscriptions, now)
    return rows


def _deliver(rows: list[WebhookEvent], subscriptions, now: datetime) -> None:
    deliveries = [
        (Delivery(event=row, subscription_id=pk, stream=row.stream, sequence=row.sequence), paused)
        for row in rows
        for pk, kinds, paused in subscriptions.get(row.client_id, ())
        if row.kind in kinds
    ]
    if not deliveries:
        return
    waiting = set(
        Delivery.objects.filter(
            state=DeliveryState.PENDING,
            subscription_id__in={delivery.subscription_id for delivery, _ in deliveries},
            stream__in={row.stream for row in rows},
        ).values_list("subscription_id", "stream")
    )
    heads = []
    for delivery, paused in deliveries:
        line = (delivery.subscription_id, delivery.stream)
        if line in waiting:
            continue
        waiting.add(line)
        if not paused:
            delivery.next_attempt_at = now + QUEUED_RECHECK
            heads.append(delivery)
    Delivery.objects.bulk_create([delivery for delivery, _ in deliveries])
    for delivery in heads:
        enqueue_on_commit(DELIVER_TASK, delivery.pk)
