"""Stamping breaches: a record that passes a due time is stamped with it, once, for good.

The services stamp a record whenever they write it (before anything can move its due time),
and a resolve after the due time is stamped as it happens. What nobody writes is stamped
here, every minute, set-based: the open records whose due time has passed, and any record
met late by a path that wrote it without the services (an import).

Safe to run twice or on two workers at once: each batch is claimed with
`SELECT … FOR UPDATE SKIP LOCKED` (on SQLite the write transaction itself is exclusive) and
written only where the stamp is still empty. A stamp is a fact the portal records, not an
edit: it leaves the record's version and last-update time as they are (an agent's form
opened before the due time still saves, and the stale-record audit still sees no update),
and writes one history version and one timeline event.
"""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.core.bulk_writes import copy_to_history
from apps.core.choices import TimelineKind
from apps.core.models import Client
from apps.core.roles import log_models
from apps.core.services.timeline import timeline_log_many
from apps.core.targets import (
    breach_stamps_of,
    missed_target_branches,
    missed_target_condition,
)

BATCH_SIZE = 1000
LABELS = {"first_response_due": "first-response", "resolution_due": "resolution"}


def stamp_missed_targets(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Stamp every record, of every log, that has missed a target by `now` and is not
    stamped for it yet; returns how many stamps were set per log."""
    now = now or timezone.now()
    stamped: dict[str, int] = {}
    for model in log_models():
        clocks = breach_stamps_of(model)
        if not clocks:
            continue
        conditions = {
            due_name: missed_target_condition(model, due_name, met_names, now)
            for due_name, _, met_names in clocks
        }
        branches = [
            branch
            for due_name, _, met_names in clocks
            for branch in missed_target_branches(model, due_name, met_names, now)
        ]
        count = 0
        while True:
            with transaction.atomic():
                claimed = _claim(model, branches, batch_size)
                if not claimed:
                    break
                count += _stamp_batch(model, claimed, clocks, conditions, now)
        stamped[model._meta.label_lower] = count
    return stamped


def _claim(model, branches: list[Q], batch_size: int) -> list[int]:
    """Up to `batch_size` records that some branch finds, locked for this batch.

    Each branch is read by itself, one client at a time, with neither order nor limit, so
    PostgreSQL reads it through the partial index led by the client that holds its few
    rows: with an order or a limit it guessed it would meet them soon on another path and
    walked ten million calls to find none. A claimed record is stamped and leaves every
    branch it matched, so the next claim finds the rest."""
    candidates: set[int] = set()
    clients = list(Client.objects.order_by("pk").values_list("pk", flat=True))
    for branch in branches:
        for client_id in clients:
            if len(candidates) >= batch_size:
                break
            found = model.objects.filter(branch, client_id=client_id).order_by()
            candidates.update(found.values_list("pk", flat=True))
    if not candidates:
        return []
    any_missed = Q(pk__in=[])
    for branch in branches:
        any_missed |= branch
    rows = model.objects.filter(any_missed, pk__in=sorted(candidates)[:batch_size]).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return list(rows.values_list("pk", flat=True))


def _stamp_batch(model, pks: list[int], clocks, conditions: dict, now: datetime) -> int:
    reasons: dict[int, list[str]] = {}
    events = []
    for due_name, stamp_name, _ in clocks:
        rows = model.objects.filter(conditions[due_name], pk__in=pks)
        found = list(rows.values_list("pk", "client_id", due_name))
        if not found:
            continue
        rows.filter(pk__in=[pk for pk, _, _ in found]).update(**{stamp_name: F(due_name)})
        for pk, client_id, due in found:
            message = (
                f"Breached: the {LABELS[due_name]} due time "
                f"{timezone.localtime(due):%Y-%m-%d %H:%M %Z} passed."
            )
            reasons.setdefault(pk, []).append(message)
            events.append(
                (
                    model(pk=pk, client_id=client_id),
                    TimelineKind.BREACH,
                    message,
                    {"target": due_name, "due": due.isoformat()},
                )
            )
    copy_to_history(model, {pk: " ".join(texts) for pk, texts in reasons.items()}, date=now)
    timeline_log_many(events)
    return len(events)
