"""Bulk volume of call logs for benchmarks: ten million calls in minutes on PostgreSQL.

Calls are drafted like the demo ones (every direction and outcome, valid times, over the last
year) and written with their final state and, unless told otherwise, a creation version each.
On PostgreSQL the database drafts them itself: one `INSERT … SELECT … FROM generate_series`
per chunk of a quarter of a million calls (their versions written by the same statement), two
chunks at a time, so no row passes through Python and triggers on the table run once per
chunk. Elsewhere (SQLite, for the tests) the same rules are drafted here and written through
`insert_calls`.

What the rows hold to, in both ways:
- a call answered is spoken to: category, description, sentiment, talk time; missed, dropped
  and voicemail calls are not; a voicemail is outbound;
- resolved calls are closed as they end (older than an hour); escalated, missed, dropped and
  voicemail calls are closed within two days once older than that; a call needing a follow-up
  stays open, its follow-up due a day after it ended; missed and dropped inbound calls have
  their call-back time set, as the missed-call follow-up would have;
- the resolution is due by the default targets of its severity, and a call closed after that
  time, or still open past it, carries the breach stamp of that due time;
- reference numbers are taken from the year's sequence, so later calls never collide.
"""

import random
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime

from django.db import connection, transaction

from apps.core.bulk_insert import (
    refresh_statistics,
    secondary_indexes_dropped,
    tune_for_bulk_load,
    worth_rebuilding_indexes,
)
from apps.core.demo import DemoOrganisation

from ..bulk_write import insert_calls
from ..models import Call
from .drafting import (
    HISTORY_REASON,
    SQL_CHUNK,
    VOLUME_BATCH,
    CallDrafter,
    ProgressCallback,
    by_year,
    window,
)
from .in_database import generate_in_database


def generate_call_volume(
    organisation: DemoOrganisation,
    *,
    count: int,
    rng: random.Random,
    now: datetime,
    batch_size: int | None = None,
    with_history: bool = True,
    workers: int = 2,
    rebuild_indexes: bool | None = None,
    progress: ProgressCallback | None = None,
    stage: Callable[[str], None] | None = None,
) -> int:
    """Add `count` calls spread evenly over the last year, oldest first; more on every call.

    `batch_size` is the number of calls per transaction (default: SQL_CHUNK on PostgreSQL,
    VOLUME_BATCH elsewhere); `with_history` gives each its creation version. On PostgreSQL,
    `workers` connections write at once, and the secondary indexes are dropped for the load
    and built again after it when `rebuild_indexes` says so (by default, when that is
    faster: see `worth_rebuilding_indexes`); `stage` hears when that starts. Returns how
    many calls were created.
    """
    if count <= 0:
        return 0
    if connection.vendor == "postgresql":
        if rebuild_indexes is None:
            rebuild_indexes = worth_rebuilding_indexes(Call, count)
        tables = (Call, Call.history.model) if with_history else (Call,)
        with (
            secondary_indexes_dropped(*tables, workers=workers, stage=stage)
            if rebuild_indexes
            else nullcontext()
        ):
            done = generate_in_database(
                organisation,
                count=count,
                rng=rng,
                now=now,
                chunk=batch_size or SQL_CHUNK,
                with_history=with_history,
                workers=workers,
                progress=progress,
            )
    else:
        done = _generate_here(
            organisation,
            count=count,
            rng=rng,
            now=now,
            batch_size=batch_size or VOLUME_BATCH,
            with_history=with_history,
            progress=progress,
        )
    refresh_statistics(Call, Call.history.model)
    return done


def _generate_here(organisation, *, count, rng, now, batch_size, with_history, progress) -> int:
    drafter = CallDrafter(organisation, rng, now)
    tune_for_bulk_load()
    start, end = window(now)
    slot = (end - start) / count
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        moments = (start + slot * (done + index + rng.random()) for index in range(size))
        rows = [drafter.draft(moment) for moment in moments]
        with transaction.atomic():
            for year, of_year in by_year(rows):
                insert_calls(
                    of_year,
                    year=year,
                    history_reason=HISTORY_REASON,
                    timeline=False,
                    history=with_history,
                )
        done += size
        if progress is not None:
            progress(done, count)
    return done
