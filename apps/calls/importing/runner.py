"""Importing a telephony export (CSV) of calls: every row checked, nothing done twice.

The file is streamed, never held whole in memory, in two steps:

1. the check: every row is parsed and validated (and looked up against the calls already
   imported); nothing is written to the database. Bad rows are reported by line with the
   reasons; the good ones wait in a temporary file, a batch at a time.
2. the import, if the mode allows it: reference numbers for the new calls are reserved in
   one short step (so agents logging calls meanwhile do not wait for the import), then one
   transaction writes the checked calls in batches with one history version and one
   timeline entry each. A crash or a refused batch rolls the whole file back: a file is
   imported entirely or not at all.

Rows whose external call id the client already has are skipped and reported, so importing
the same file again creates nothing twice.
"""

import csv
import io
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from apps.core.bulk_insert import BulkTable, refresh_statistics
from apps.core.choices import Severity, TimelineKind
from apps.core.models import Client, TimelineEntry
from apps.core.services.references import format_reference, reserve_reference_numbers

from ..models import Call
from .columns import COLUMN_NAMES, REQUIRED
from .parsing import Lookups, RowError, parse_row

BATCH_SIZE = 2_000
LISTED = 500  # errors and skipped rows kept for the report; the rest are counted


class ImportMode(models.TextChoices):
    CHECK = "check", "Check the file only; import nothing"
    ALL_OR_NOTHING = "all", "Import if every row is valid; otherwise import nothing"
    VALID_ROWS = "valid", "Import the valid rows and skip the invalid ones"


class FileProblem(Exception):
    """The file as a whole cannot be read as the expected CSV."""


class Cancelled(Exception):
    """The caller asked the import to stop: nothing of the file is written."""


def _line_count(source: BinaryIO) -> int:
    """Lines in the file, less the header: the rows to expect (a cell's own line breaks
    count too, so the progress may end short of it)."""
    source.seek(0)
    count = sum(block.count(b"\n") for block in iter(lambda: source.read(1 << 20), b""))
    source.seek(0)
    return max(count - 1, 0)


@dataclass
class ImportReport:
    filename: str
    mode: str
    rows: int = 0
    valid: int = 0  # new calls the file would create
    created: int = 0
    skipped: int = 0  # already imported before
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    file_error: str = ""
    seconds: float = 0.0

    def add_error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < LISTED:
            self.errors.append((line, message))

    def add_skipped(self, line: int, external_id: str) -> None:
        self.skipped += 1
        if len(self.skipped_rows) < LISTED:
            self.skipped_rows.append((line, external_id))

    @property
    def failed(self) -> bool:
        return bool(self.file_error) or (
            self.mode != ImportMode.VALID_ROWS and self.error_count > 0
        )

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _column_name(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def _read(source: BinaryIO, report: ImportReport) -> Iterator[tuple[int, dict[str, str]]]:
    """(first line number, column → text) of each non-blank row; FileProblem if unreadable."""
    source.seek(0)
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    # strict: broken quoting is a damaged file, not something to guess around.
    reader = csv.reader(text, strict=True)
    try:
        try:
            header = next(reader)
        except StopIteration:
            raise FileProblem("The file is empty.") from None
        names = [_column_name(cell) for cell in header]
        if len(names) == 1 and ";" in header[0]:
            raise FileProblem("The columns are separated by semicolons; save the file as CSV "
                              "with commas.")  # fmt: skip
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            raise FileProblem(
                "The header row lacks the required column(s): " + ", ".join(missing)
                + ". Download the template to see the expected columns."
            )  # fmt: skip
        doubled = sorted({name for name in names if names.count(name) > 1 and name})
        if doubled:
            raise FileProblem("These columns appear twice in the header: " + ", ".join(doubled))
        report.ignored_columns = [
            h for h, n in zip(header, names, strict=True) if n not in COLUMN_NAMES
        ]
        indices = [(name, index) for index, name in enumerate(names) if name in COLUMN_NAMES]
        width = len(names)
        line = reader.line_num
        for row in reader:
            first, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != width:
                cells = ngettext("%d cell", "%d cells", len(row)) % len(row)
                yield first, {"__width__": f"the row has {cells}, the header {width}"}
                continue
            yield first, {name: row[index] for name, index in indices}
    except UnicodeDecodeError:
        line = _first_undecodable_line(source)
        raise FileProblem(
            f"The file is not UTF-8 text (line {line}). Export it from the telephony system, "
            "or save it from the spreadsheet, as “CSV UTF-8”."
        ) from None
    except csv.Error as error:
        raise FileProblem(
            f"The file is not a readable CSV file (line {reader.line_num}): {error}."
        ) from None
    finally:
        text.detach()  # leave the upload open for the second pass


def _first_undecodable_line(source: BinaryIO) -> int:
    """The number of the first line that is not UTF-8 (the decoder reads ahead in blocks,
    so the reader's own line count does not say)."""
    source.seek(0)
    for number, raw in enumerate(source, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return 1


def _existing(batch: list[tuple[int, dict]]) -> set[tuple[int, str]]:
    """(client id, external id) of the batch's calls already logged: one index lookup per
    client (an OR across clients would make the planner scan the table)."""
    by_client: dict[int, list[str]] = {}
    for _, row in batch:
        by_client.setdefault(row["client_id"], []).append(row["external_call_id"])
    found: set[tuple[int, str]] = set()
    for client_id, ids in by_client.items():
        # "Not empty" repeated so the partial unique index on (client, id) applies.
        calls = Call.objects.filter(client_id=client_id, external_call_id__in=ids).exclude(
            external_call_id=""
        )
        found.update(calls.order_by().values_list("client_id", "external_call_id"))
    return found


def _scan(
    source: BinaryIO,
    lookups: Lookups,
    report: ImportReport,
    on_batch: Callable[[list[tuple[int, dict]]], None],
    on_flush: Callable[[], None] = lambda: None,
) -> None:
    """Parse and check every row; hand each batch of new, valid calls to `on_batch`."""
    seen: dict[tuple[int, str], int] = {}
    batch: list[tuple[int, dict]] = []

    def flush():
        if not batch:
            return
        existing = _existing(batch)
        new = []
        for line, row in batch:
            if (row["client_id"], row["external_call_id"]) in existing:
                report.add_skipped(line, row["external_call_id"])
            else:
                new.append((line, row))
        report.valid += len(new)
        if new:
            on_batch(new)
        batch.clear()
        on_flush()

    for line, values in _read(source, report):
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
            flush()
    flush()


class _Numbers:
    """Reference numbers reserved ahead; more are taken if the import needs more."""

    def __init__(self, year: int, count: int):
        self.year = year
        self.pending = iter(reserve_reference_numbers(Call.reference_prefix, year, count))

    def next_reference(self) -> str:
        number = next(self.pending, None)
        if number is None:
            self.pending = iter(reserve_reference_numbers(Call.reference_prefix, self.year, 1))
            number = next(self.pending)
        return format_reference(Call.reference_prefix, self.year, number)


class _Tables:
    """Where an import writes: the calls, a creation version of each, a timeline entry each.

    Straight to the driver (COPY on PostgreSQL) through core's BulkTable: the rows were
    checked against the model's rules already, and Django's per-value preparation in
    `bulk_create` would cost more than the whole import may take.
    """

    def __init__(self):
        self.calls = BulkTable(Call)
        self.versions = BulkTable(Call.history.model)
        self.timeline = BulkTable(TimelineEntry, with_pk=False)
        self.content_type_id = ContentType.objects.get_for_model(Call).pk


def _writer(actor, report: ImportReport, numbers: _Numbers):
    tables = _Tables()
    source = f"Imported from {report.filename}"
    severity_labels = dict(Severity.choices)

    def write(batch: list[tuple[int, dict]]) -> None:
        now = timezone.now()
        rows = [row for _, row in batch]
        for row, pk in zip(rows, tables.calls.reserve_ids(len(rows)), strict=True):
            row.update(
                id=pk,
                reference=numbers.next_reference(),
                created_at=now,
                updated_at=now,
                version=1,
            )
        tables.calls.insert(rows)
        history_ids = tables.versions.reserve_ids(len(rows))
        tables.versions.insert(
            row
            | {
                "history_id": history_id,
                "history_date": now,
                "history_type": "+",
                "history_user_id": actor.pk,
                "history_change_reason": f"{source}, line {line}",
            }
            for (line, row), history_id in zip(batch, history_ids, strict=True)
        )
        tables.timeline.insert(
            {
                "client_id": row["client_id"],
                "content_type_id": tables.content_type_id,
                "object_id": row["id"],
                "kind": TimelineKind.CREATED.value,
                "actor_id": actor.pk,
                "message": f"{source} (line {line}); logged as {severity_labels[row['severity']]}.",
                "data": "{}",
                "created_at": now,
            }
            for line, row in batch
        )
        report.created += len(rows)

    return write


def _spooled(spool) -> Iterator[list[tuple[int, dict]]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)  # our own file, written just before
        except EOFError:
            return


def _write_spooled(spool, report: ImportReport, write, on_batch=lambda: None) -> None:
    """Write the checked batches; calls someone logged since the check are skipped."""
    for batch in _spooled(spool):
        on_batch()
        existing = _existing(batch)
        fresh = []
        for line, row in batch:
            if (row["client_id"], row["external_call_id"]) in existing:
                report.add_skipped(line, row["external_call_id"])
                report.valid -= 1
            else:
                fresh.append((line, row))
        if fresh:
            write(fresh)


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
    clients `actor` does not work for are refused like any other invalid row. The checked
    rows wait in a temporary file, a batch at a time, so the file is parsed only once and
    never held in memory.

    `on_progress(rows done, rows total)` is called after each batch (rows are counted once
    when checked and once more when written); `should_cancel()` is asked as often, and
    when it answers True the import stops, writing nothing.
    """
    started = time.monotonic()
    report = ImportReport(filename=filename, mode=mode)
    lookups = Lookups.for_user(actor)
    clients: set[int] = set()
    with tempfile.TemporaryFile() as spool:

        def keep(batch):
            clients.update(row["client_id"] for _, row in batch)
            if mode != ImportMode.CHECK:
                pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)

        lines = _line_count(source) if on_progress else 0
        total = lines if mode == ImportMode.CHECK else 2 * lines

        def reached(done: int) -> None:
            if should_cancel and should_cancel():
                raise Cancelled
            if on_progress:
                on_progress(min(done, total), total)

        def checked():
            reached(report.rows)

        def writing():
            reached(lines + report.created)

        try:
            _scan(source, lookups, report, keep, checked)
            if mode == ImportMode.CHECK or report.failed or report.valid == 0:
                return report
            numbers = _Numbers(timezone.now().year, report.valid)
            with transaction.atomic():
                # One import at a time per client (FOR NO KEY UPDATE: people logging records
                # of the client meanwhile are not held up).
                list(
                    Client.objects.select_for_update(no_key=True)
                    .filter(pk__in=clients)
                    .order_by("pk")
                )
                _write_spooled(spool, report, _writer(actor, report, numbers), writing)
            # The planner should know the table grew before the next list or import.
            refresh_statistics(Call)
        except Cancelled:
            report.file_error = "The import was cancelled."
            report.created = 0
        except FileProblem as problem:
            report.file_error = str(problem)
            report.created = 0
        except IntegrityError:
            report.file_error = (
                "Some of these calls were logged by someone else while the file was being "
                "imported, so nothing was imported. Import the file again: the calls already "
                "there will be skipped."
            )
            report.created = 0
        finally:
            report.seconds = time.monotonic() - started
    return report
