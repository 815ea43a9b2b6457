"""Importing a telephony export (CSV) of calls: every row checked, nothing done twice, a file
imported entirely or not at all.

The file is streamed, never held whole in memory, and read once:

- a thread of its own reads and checks the rows a batch ahead (bad rows are reported by line
  with every reason), while the database writes the batch before: the checks and the
  database's work on the indexes run side by side;
- each batch of valid rows is looked up against the calls the clients already have (those
  are skipped and reported by line, so importing the same file again creates nothing), then
  written with one history version and one timeline entry each.

All the writes are one transaction: a crash, a refused batch, a cancel, or (when importing
all or nothing) an invalid row anywhere in the file rolls the whole file back. Reference
numbers are taken before the transaction for as many calls as the file has lines, and the
unused ones given back after it (see ReferenceNumbers).
"""

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import BinaryIO

from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from apps.core.bulk_insert import refresh_statistics
from apps.core.models import Client

from ..models import Call
from .parsing import Lookups, RowError, parse_row
from .reading import FileProblem, count_lines, read_rows
from .report import ImportMode, ImportReport
from .writing import CallWriter, ReferenceNumbers

BATCH_SIZE = 2_000
READ_AHEAD = 2  # batches checked ahead of the one being written

Batch = list[tuple[int, dict]]  # (line, checked row)


# "Not empty" repeated so the partial unique index on (client, external id) applies.
EXISTING_SQL = (
    f"SELECT client_id, external_call_id FROM {Call._meta.db_table} "
    "WHERE client_id = %s AND external_call_id = ANY(%s) AND external_call_id <> ''"
)


class _Rollback(Exception):
    """Leave the import's transaction without keeping anything."""


def _existing(batch: Batch) -> set[tuple[int, str]]:
    """(client id, external id) of the batch's calls already logged: one index lookup per
    client (an OR across clients would make the planner scan the table)."""
    by_client: dict[int, list[str]] = {}
    for _, row in batch:
        by_client.setdefault(row["client_id"], []).append(row["external_call_id"])
    found: set[tuple[int, str]] = set()
    for client_id, ids in by_client.items():
        if connection.vendor == "postgresql":
            # One array, not a parameter per id: thousands of ids are one cheap statement.
            with connection.cursor() as cursor:
                cursor.execute(EXISTING_SQL, [client_id, ids])
                found.update(cursor.fetchall())
            continue
        # "Not empty" repeated so the partial unique index on (client, id) applies.
        calls = Call.objects.filter(client_id=client_id, external_call_id__in=ids).exclude(
            external_call_id=""
        )
        found.update(calls.order_by().values_list("client_id", "external_call_id"))
    return found


def _checked_batches(
    source: BinaryIO, lookups: Lookups, report: ImportReport
) -> Iterator[tuple[int, Batch]]:
    """(rows read so far, batch of valid rows) for every batch of the file, the last one
    possibly empty; invalid rows go to the report. Asks the database nothing."""
    seen: dict[tuple[int, str], int] = {}
    batch: Batch = []
    for line, values in read_rows(source, report):
        report.rows += 1
        if "__width__" in values:
            report.add_error(line, values["__width__"])
            continue
        try:
            row = parse_row(values, lookups)
        except RowError as error:
            report.add_error(line, str(error))
            continue
        key = (row["client_id"], row["external_call_id"])
        if key in seen:
            report.add_error(line, f"external_call_id “{key[1]}” is already on line {seen[key]}")
            continue
        seen[key] = line
        batch.append((line, row))
        if len(batch) >= BATCH_SIZE:
            yield report.rows, batch
            batch = []
    yield report.rows, batch


class _ReadAhead:
    """Iterates `items` produced in a thread of its own, up to `depth` ahead of the consumer;
    an exception the thread meets is raised in the consumer. Use as a context manager."""

    _ITEM, _END, _ERROR = range(3)

    def __init__(self, items: Iterable, depth: int):
        self.items = items
        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.stopped = threading.Event()
        # The thread words its messages in the caller's language.
        self.thread = threading.Thread(
            target=self._produce, args=(translation.get_language(),), daemon=True
        )

    def _produce(self, language: str | None) -> None:
        try:
            with translation.override(language):
                for item in self.items:
                    if not self._put((self._ITEM, item)):
                        return
            self._put((self._END, None))
        except BaseException as error:  # handed to the consumer, which raises it
            self._put((self._ERROR, error))
        finally:
            close = getattr(self.items, "close", None)
            if close is not None:
                close()

    def _put(self, message) -> bool:
        while not self.stopped.is_set():
            try:
                self.queue.put(message, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __enter__(self) -> "_ReadAhead":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        self.thread.join()

    def __iter__(self) -> "_ReadAhead":
        return self

    def __next__(self):
        kind, value = self.queue.get()
        if kind == self._ERROR:
            self.stopped.set()
            raise value
        if kind == self._END:
            self.stopped.set()
            raise StopIteration
        return value


class _Run:
    """One import: the report it fills and the caller's progress and cancel hooks."""

    def __init__(self, report, total, on_progress, should_cancel):
        self.report = report
        self.total = total
        self.on_progress = on_progress
        self.should_cancel = should_cancel

    def cancelled(self) -> bool:
        if self.should_cancel is not None and self.should_cancel():
            self.report.cancelled = True
        return self.report.cancelled

    def progress(self, rows: int) -> None:
        if self.on_progress is not None:
            self.on_progress(rows, max(self.total, rows))

    def new_rows(self, batch: Batch) -> Batch:
        """The batch less the calls already logged, which are reported as skipped."""
        if not batch:
            return batch
        existing = _existing(batch)
        new = []
        for line, row in batch:
            if (row["client_id"], row["external_call_id"]) in existing:
                self.report.add_skipped(line, row["external_call_id"])
            else:
                new.append((line, row))
        self.report.valid += len(new)
        return new

    def check(self, batches: Iterable[tuple[int, Batch]]) -> None:
        for rows, batch in batches:
            if self.cancelled():
                return
            self.new_rows(batch)
            self.progress(rows)

    def write(self, batches: Iterable[tuple[int, Batch]], writer: CallWriter) -> None:
        all_or_nothing = self.report.mode != ImportMode.VALID_ROWS
        for rows, batch in batches:
            if self.cancelled():
                raise _Rollback
            new = self.new_rows(batch)
            # Once a row is invalid, an all-or-nothing import only checks the rest.
            if new and not (all_or_nothing and self.report.error_count):
                writer.write(new)
            self.progress(rows)
        # Asked once more before the commit: a cancel up to then keeps nothing.
        if self.report.failed or self.cancelled():
            raise _Rollback


def _lock_clients(lookups: Lookups) -> None:
    """One import at a time per client (FOR NO KEY UPDATE: people logging records of the
    client meanwhile are not held up); in one order, so two imports never deadlock."""
    list(
        Client.objects.select_for_update(no_key=True)
        .filter(pk__in=[client.pk for client in lookups.clients.values()])
        .order_by("pk")
    )


def import_calls(
    source: BinaryIO,
    *,
    actor,
    filename: str = "upload.csv",
    mode: str = ImportMode.ALL_OR_NOTHING,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> ImportReport:
    """Check, and unless `mode` says otherwise import, a CSV of calls for `actor`'s clients.

    `source` is a binary file opened for reading (an upload or a file on disk); rows of
    clients `actor` does not work for are refused like any other invalid row.

    After each batch of rows, `on_progress(rows read, rows in all)` is called (the total is
    the file's line count until the end, then the rows read) and `should_cancel()` asked:
    when it answers true, the import stops, nothing is kept and the report says `cancelled`.
    """
    started = time.monotonic()
    report = ImportReport(filename=filename, mode=mode)
    references = None
    kept = 0
    try:
        run = _Run(report, count_lines(source), on_progress, should_cancel)
        lookups = Lookups.for_user(actor)
        with _ReadAhead(_checked_batches(source, lookups, report), READ_AHEAD) as batches:
            # The header is read and checked with the first batch, before anything is taken.
            first = next(batches)
            batches = chain([first], batches)
            if mode == ImportMode.CHECK:
                run.check(batches)
            else:
                references = ReferenceNumbers(timezone.now().year, run.total)
                writer = CallWriter(actor=actor, filename=filename, references=references)
                with transaction.atomic():
                    _lock_clients(lookups)
                    run.write(batches, writer)
                kept, report.created = references.used, writer.written
        if report.created:
            # The planner should know the table grew before the next list or import.
            refresh_statistics(Call)
        if on_progress is not None:
            on_progress(report.rows, report.rows)
    except _Rollback:
        pass
    except FileProblem as problem:
        report.file_error = str(problem)
    except IntegrityError:
        report.file_error = (
            "Some of these calls were logged by someone else while the file was being "
            "imported, so nothing was imported. Import the file again: the calls already "
            "there will be skipped."
        )
    finally:
        if references is not None:
            references.give_back(kept)
        report.seconds = time.monotonic() - started
    return report
