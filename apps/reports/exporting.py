"""A report as a file: CSV (one block per figure list and table) or XLSX (a sheet of figures,
then one sheet per table). The numbers are the ones on the page: both read the same Report."""

import csv
import io
import re

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from apps.core.listing.exports import XLSX_CONTENT_TYPE, neutralised
from apps.core.listing.xlsx import XlsxWriter

from .content import PERCENT, TEXT, Cell, Report

SHEET_NAME_LENGTH = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _heading_rows(report: Report) -> list[list[str]]:
    scope = report.scope
    made_at = timezone.localtime(report.made_at, scope.zone)
    return [
        [report.title],
        ["Client", f"{scope.client.name} ({scope.client.code})"],
        ["Period", f"{scope.period.label} ({scope.zone.key})"],
        ["Made at", f"{made_at:%Y-%m-%d %H:%M} {scope.zone.key}"],
        ["Made by", report.made_by],
    ]


def _value(cell: Cell):
    """A cell's value for a file: numbers stay numbers (rounded as on the page)."""
    if cell.value is None:
        return ""
    if cell.unit == TEXT:
        return neutralised(str(cell.value))
    if isinstance(cell.value, float):
        return round(cell.value, 1 if cell.unit == PERCENT else 2)
    return cell.value


def _figure_rows(report: Report) -> list[list]:
    rows = [["Section", "Figure", "Value", "Unit", "Target", "Previous period"]]
    for section in report.sections:
        for figure in section.figures:
            rows.append(
                [
                    section.title,
                    figure.label,
                    _value(Cell(figure.value, figure.unit)),
                    figure.unit,
                    _value(Cell(figure.target, figure.unit)),
                    _value(Cell(figure.previous, figure.unit)),
                ]
            )
    return rows


def filename(report: Report, extension: str) -> str:
    scope = report.scope
    parts = [report.title, scope.client.code, scope.period.first_day.isoformat()]
    return f"{slugify(' '.join(parts))}.{extension}"


def csv_response(report: Report) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(_heading_rows(report))
    writer.writerow([])
    writer.writerows(_figure_rows(report))
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows([_value(cell) for cell in row] for row in table.rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(report, "csv")}"'
    return response


def _sheet_name(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title)[:SHEET_NAME_LENGTH].strip() or "Sheet"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def xlsx_response(report: Report) -> HttpResponse:
    buffer = io.BytesIO()
    writer = XlsxWriter(buffer)
    taken: set[str] = set()
    figures = _figure_rows(report)
    writer.add_sheet(_sheet_name("Figures", taken), figures[0])
    for row in figures[1:]:
        writer.write_row(row)
    writer.write_row([])
    for row in _heading_rows(report):
        writer.write_row(row)
    for table in report.tables:
        writer.add_sheet(_sheet_name(table.title, taken), table.columns)
        for row in table.rows:
            writer.write_row([_value(cell) for cell in row])
    writer.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(report, "xlsx")}"'
    return response
