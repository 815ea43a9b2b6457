"""Streaming exports of a filtered queryset: CSV row by row, XLSX through a temporary file.

Nothing holds the whole result in memory: rows come from the database in chunks
(`values_list().iterator()`, a server-side cursor on PostgreSQL) and leave at once.
"""

import csv
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import xlsxwriter
from django.db import connections
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone

from config.routers import on_replica

CHUNK_SIZE = 2_000
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
# Cells a spreadsheet would run as a formula: prefixed so they stay text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportColumn:
    header: str
    path: str  # a values_list() path or an annotation name
    choices: dict | None = None  # stored value -> label
    render: Callable | None = None


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def export_rows(queryset: QuerySet, columns: list[ExportColumn]) -> Iterator[list]:
    """The rows of `queryset` as lists of plain values, in `columns` order, chunk by chunk,
    read from the replica when there is one."""
    paths = [column.path for column in columns]
    for values in on_replica(queryset).values_list(*paths).iterator(chunk_size=CHUNK_SIZE):
        row = []
        for column, value in zip(columns, values, strict=True):
            if column.choices is not None and value is not None:
                value = column.choices.get(value, value)
            if column.render is not None:
                value = column.render(value)
            row.append(_plain(value))
        yield row


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


def xlsx_response(queryset: QuerySet, columns: list[ExportColumn], filename: str):
    """Write the workbook row by row to a temporary file (flat memory), then stream it."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook = xlsxwriter.Workbook(
        spool, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet("Export")
    bold = workbook.add_format({"bold": True})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, [column.header for column in columns], bold)
    for line, row in enumerate(export_rows(queryset, columns), start=1):
        if line > XLSX_MAX_ROWS:
            break
        for position, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(line, position, value, when)
            elif isinstance(value, bool):
                sheet.write_boolean(line, position, value)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(line, position, float(value))
            else:
                sheet.write_string(line, position, neutralised(str(value)))
    workbook.close()
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
