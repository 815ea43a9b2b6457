"""Streaming exports of a filtered queryset: CSV row by row, XLSX through a temporary file.

Nothing holds the whole result in memory: rows come from the database in chunks
(`values_list().iterator()`, a server-side cursor on PostgreSQL) and leave at once.
"""

import csv
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import connections
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone

from config.routers import on_replica

from .xlsx import XlsxWriter

CHUNK_SIZE = 2_000
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
# Data rows per sheet: past it an export goes on in the next sheet.
XLSX_SHEET_ROWS = XLSX_MAX_ROWS
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Cells a spreadsheet would run as a formula: prefixed so they stay text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportColumn:
    header: str
    path: str  # a values_list() path or an annotation name
    choices: dict | None = None  # stored value -> label
    render: Callable | None = None
    # The n-th (from 0) of the whole numbers packed as "a|b|c" in the `path` annotation: one
    # subquery counting several things at once, read once per row (see `packed_counts`).
    part: int | None = None


def export_rows(queryset: QuerySet, columns: list[ExportColumn]) -> Iterator[list]:
    """The rows of `queryset` as lists of plain values, in `columns` order, chunk by chunk,
    read from the replica when there is one: labels for choices, times in the current time
    zone without it (as spreadsheets want)."""
    paths = list(dict.fromkeys(column.path for column in columns))
    positions = [paths.index(column.path) for column in columns]
    repeated = len(paths) < len(columns)
    zone = timezone.get_current_timezone()
    plain_columns = not any(
        column.choices is not None or column.render or column.part is not None for column in columns
    )
    for values in on_replica(queryset).values_list(*paths).iterator(chunk_size=CHUNK_SIZE):
        if repeated:
            values = [values[position] for position in positions]
        if not plain_columns:
            values = [
                _labelled(column, value) for column, value in zip(columns, values, strict=True)
            ]
        yield [
            value.astimezone(zone).replace(tzinfo=None) if type(value) is datetime else value
            for value in values
        ]


def _labelled(column: ExportColumn, value):
    if column.part is not None:
        return int(value.split("|")[column.part]) if value else 0
    if column.choices is not None and value is not None:
        value = column.choices.get(value, value)
    if column.render is not None:
        value = column.render(value)
    return value


def neutralised(text: str) -> str:
    """Text a spreadsheet would take for a formula, prefixed with an apostrophe to stay text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def invalid_filters_response(filterset) -> HttpResponseBadRequest:
    """The answer to an export asked for with filters that do not validate: what is wrong."""
    reasons = "; ".join(
        f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
    )
    return HttpResponseBadRequest(
        f"These filters are not valid, so nothing was exported: {reasons}",
        content_type="text/plain; charset=utf-8",
    )


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return neutralised(value) if isinstance(value, str) else str(value)


class _LineBuffer:
    """csv.writer writes into this; each write is handed straight to the response."""

    def write(self, line: str) -> str:
        return line


def csv_header(columns: list[ExportColumn]) -> str:
    """The first line: a byte-order mark (so spreadsheets read UTF-8), then the headers."""
    return "\ufeff" + csv.writer(_LineBuffer()).writerow([column.header for column in columns])


def _csv_lines(queryset: QuerySet, columns: list[ExportColumn]) -> Iterator[str]:
    writer = csv.writer(_LineBuffer())
    yield csv_header(columns)
    for row in export_rows(queryset, columns):
        yield writer.writerow([_csv_cell(value) for value in row])


def copy_available(queryset: QuerySet) -> bool:
    """PostgreSQL writes the CSV itself (copy_export.py); other databases get the row writer."""
    return connections[queryset.db].vendor == "postgresql"


def csv_response(queryset: QuerySet, columns: list[ExportColumn], filename: str):
    queryset = on_replica(queryset)
    if copy_available(queryset):
        from .copy_export import copy_csv_response

        return copy_csv_response(queryset, columns, filename, csv_header(columns))
    response = StreamingHttpResponse(
        _csv_lines(queryset, columns), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx(
    target,
    queryset: QuerySet,
    columns: list[ExportColumn],
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Write the rows to `target` (a binary file) as a workbook, row by row (flat memory).

    Past XLSX_SHEET_ROWS data rows the export goes on in a new sheet (“Export 2”, …), each
    with the header row. `on_rows(rows written so far)` is called every CHUNK_SIZE rows.
    Returns the number of rows written.
    """
    workbook = XlsxWriter(target)
    headers = [column.header for column in columns]
    sheets, line, written = 0, XLSX_SHEET_ROWS, 0
    for row in export_rows(queryset, columns):
        if line >= XLSX_SHEET_ROWS:
            sheets += 1
            workbook.add_sheet("Export" if sheets == 1 else f"Export {sheets}", headers)
            line = 0
        line += 1
        workbook.write_row([neutralised(value) if type(value) is str else value for value in row])
        written += 1
        if on_rows is not None and written % CHUNK_SIZE == 0:
            on_rows(written)
    if not sheets:
        workbook.add_sheet("Export", headers)
    workbook.close()
    return written


def xlsx_response(queryset: QuerySet, columns: list[ExportColumn], filename: str):
    """Write the workbook to a temporary file (flat memory), then stream it."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    write_xlsx(spool, queryset, columns)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def packed_counts(model, parent_field: str, conditions: list[Q]) -> Subquery:
    """One correlated subquery counting the rows of the child `model` of each parent row
    that match each of `conditions` (an empty Q counts them all), packed as "a|b|c" (None
    for a parent without children).
    Columns read the counts with `ExportColumn(part=n)`: one index scan per row instead of
    one per count."""
    counts = [Cast(Count("pk", filter=condition or None), CharField()) for condition in conditions]
    separated = [piece for count in counts for piece in (count, Value("|"))][:-1]
    packed = (
        model.objects.filter(**{parent_field: OuterRef("pk")})
        .order_by()
        .values(parent_field)
        .annotate(packed=Concat(*separated, output_field=CharField()))
        .values("packed")
    )
    return Subquery(packed, output_field=CharField())
