"""Bulk volume of interruptions for benchmarks: a million rows in a few minutes.

Rows are drafted like the demo batch (valid, every kind and state, over the last 90 days) but
written with their final state only, a batch per transaction: reference numbers, records,
affected services and, if asked, a creation version in the history for each record.
"""

import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, connections, transaction

from apps.core.bulk_insert import (
    BulkTable,
    refresh_statistics,
    secondary_indexes_dropped,
    tune_for_bulk_load,
    worth_rebuilding_indexes,
)
from apps.core.demo import DemoOrganisation

from .demo import WINDOW, history_m2m_model, references_for, through_model
from .demo_drafts import SETTLED_AGE, Draft, InterruptionDrafter
from .models import Interruption

VOLUME_BATCH = 5000
# Drafts kept for re-use at other times; each serves about count / POOL_SIZE old records.
POOL_SIZE = 20000
DATETIME_FIELDS = tuple(
    field.attname
    for field in Interruption._meta.concrete_fields
    if field.get_internal_type() == "DateTimeField"
)

ProgressCallback = Callable[[int, int, float], None]


class _Recycler:
    """Drafts for old records at a fraction of the cost of drafting each one.

    A record older than SETTLED_AGE has a story that fits in the time since it began, so its
    draft is valid at any other such time: draft a pool once, then hand out copies moved in
    time. Younger records, whose stories are cut short by "now", are drafted one by one.
    """

    def __init__(self, drafter: InterruptionDrafter, rng: random.Random, now: datetime, size: int):
        self.drafter = drafter
        self.rng = rng
        self.settled_before = now - SETTLED_AGE
        self.base = now - 2 * SETTLED_AGE
        self.pool = [drafter.draft(self.base) for _ in range(size)]

    def draft(self, occurred_at: datetime) -> Draft:
        if occurred_at > self.settled_before or not self.pool:
            return self.drafter.draft(occurred_at)
        template = self.rng.choice(self.pool)
        shift = occurred_at - self.base
        values = template.values.copy()
        for name in DATETIME_FIELDS:
            if values.get(name) is not None:
                values[name] += shift
        return Draft(values=values, service_ids=template.service_ids, status_path=[], moments={})


class _Tables:
    """The tables one batch writes to."""

    def __init__(self, with_history: bool):
        self.records = BulkTable(Interruption)
        # Link rows need their own ids only when history rows must point at them.
        self.links = BulkTable(through_model(), with_pk=with_history)
        self.versions = BulkTable(Interruption.history.model) if with_history else None
        self.version_links = BulkTable(history_m2m_model()) if with_history else None

    def all(self) -> list[BulkTable]:
        tables = [self.records, self.links, self.versions, self.version_links]
        return [table for table in tables if table is not None]


@dataclass
class _Batch:
    rows: list[dict]
    services: list[list[int]]


def default_workers() -> int:
    """Parallel writers: PostgreSQL spreads index upkeep over cores; SQLite has one writer."""
    return 2 if connection.vendor == "postgresql" else 1


def generate_volume(
    organisation: DemoOrganisation,
    *,
    count: int,
    rng: random.Random,
    now: datetime,
    batch_size: int = VOLUME_BATCH,
    with_history: bool = False,
    workers: int | None = None,
    rebuild_indexes: bool | None = None,
    progress: ProgressCallback | None = None,
    stage: Callable[[str], None] | None = None,
) -> int:
    """Add `count` interruptions spread evenly over the last 90 days, oldest first.

    Rows are drafted and numbered here, in order (so a seed gives the same data); each batch
    is written in one transaction, by `workers` threads with a connection each. Every run
    adds `count` more, with new reference numbers; the demo batch is not touched. On
    PostgreSQL the secondary indexes are dropped for the load and built again after it when
    `rebuild_indexes` says so (by default when that is faster, see
    `worth_rebuilding_indexes`); `stage` hears when that starts. Returns how many records
    were created.
    """
    workers = workers or default_workers()
    if connection.in_atomic_block:
        # Writers on other connections could not see what this transaction has not committed.
        workers = 1
    tables = _Tables(with_history)
    began = time.monotonic()
    done = 0

    def report(size: int) -> None:
        nonlocal done
        done += size
        if progress:
            progress(done, count, time.monotonic() - began)

    batches = _draft_batches(organisation, count=count, rng=rng, now=now, batch_size=batch_size)
    if rebuild_indexes is None:
        rebuild_indexes = worth_rebuilding_indexes(Interruption, count)
    models = [table.model for table in tables.all()]
    with (
        secondary_indexes_dropped(*models, workers=max(workers, 2), stage=stage)
        if rebuild_indexes
        else nullcontext()
    ):
        if workers == 1:
            tune_for_bulk_load()
            for batch in batches:
                _write_batch(tables, batch)
                report(len(batch.rows))
        else:
            _write_in_parallel(tables, batches, workers, report)
    refresh_statistics(*models)
    return done


def _draft_batches(organisation, *, count, rng, now, batch_size) -> Iterator[_Batch]:
    drafter = _Recycler(
        InterruptionDrafter(organisation, rng=rng, now=now), rng, now, min(count, POOL_SIZE)
    )
    start, end = now - WINDOW, now - timedelta(minutes=10)
    slot = (end - start) / max(count, 1)
    drafted = 0
    while drafted < count:
        size = min(batch_size, count - drafted)
        drafts = [
            drafter.draft(start + slot * (drafted + index + rng.random())) for index in range(size)
        ]
        rows = [draft.values for draft in drafts]
        # Numbers are taken in a short transaction of their own, so parallel batches never
        # wait on the sequence row; a batch that fails leaves a gap, never a reused number.
        references = references_for([row["created_at"] for row in rows])
        for row, reference in zip(rows, references, strict=True):
            row["reference"] = reference
        drafted += size
        yield _Batch(rows=rows, services=[draft.service_ids for draft in drafts])


def _write_in_parallel(tables: _Tables, batches: Iterator[_Batch], workers: int, report) -> None:
    """Drafting stays on this thread; writer threads each hold a connection of their own."""
    jobs: queue.Queue = queue.Queue(maxsize=workers)
    results: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            tune_for_bulk_load()
            while (batch := jobs.get()) is not None:
                try:
                    _write_batch(tables, batch)
                except BaseException as error:  # handed to the drafting thread, which raises
                    results.put(error)
                else:
                    results.put(len(batch.rows))
        finally:
            connections.close_all()

    def drain(block: bool) -> None:
        while True:
            try:
                outcome = results.get(block=block)
            except queue.Empty:
                return
            if isinstance(outcome, BaseException):
                raise outcome
            report(outcome)
            block = False

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for batch in batches:
            jobs.put(batch)
            drain(block=False)
    finally:
        for _ in threads:
            jobs.put(None)
        for thread in threads:
            thread.join()
    while not results.empty():
        drain(block=False)


def _write_batch(tables: _Tables, batch: _Batch) -> None:
    with transaction.atomic():
        rows = batch.rows
        for row, pk in zip(rows, tables.records.reserve_ids(len(rows)), strict=True):
            row["id"] = pk
        tables.records.insert(rows)
        links = [
            {"interruption_id": row["id"], "service_id": service_id}
            for row, service_ids in zip(rows, batch.services, strict=True)
            for service_id in service_ids
        ]
        if tables.versions is None:
            tables.links.insert(links)
            return
        for link, pk in zip(links, tables.links.reserve_ids(len(links)), strict=True):
            link["id"] = pk
        tables.links.insert(links)
        _write_versions(tables, rows, links)


def _write_versions(tables: _Tables, rows: list[dict], links: list[dict]) -> None:
    """What `bulk_create_with_history` writes: a "+" version of each record as created."""
    version_of = {}
    versions = []
    for row, history_id in zip(rows, tables.versions.reserve_ids(len(rows)), strict=True):
        version_of[row["id"]] = history_id
        versions.append(
            row
            | {
                "history_id": history_id,
                "history_date": row["created_at"],
                "history_type": "+",
                "history_user_id": row["reported_by_id"],
            }
        )
    tables.versions.insert(versions)
    version_links = [
        link | {"history_id": version_of[link["interruption_id"]], "m2m_history_id": pk}
        for link, pk in zip(links, tables.version_links.reserve_ids(len(links)), strict=True)
    ]
    tables.version_links.insert(version_links)
