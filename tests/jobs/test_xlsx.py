"""The export workbook writer: what a spreadsheet reads back is what was written."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl

from apps.core.listing.xlsx import MAX_TEXT, XlsxWriter


def test_values_read_back_as_written_across_sheets():
    target = io.BytesIO()
    writer = XlsxWriter(target)
    writer.add_sheet("Export", ["Text", "When", "Count", "Yes", "Day"])
    writer.write_row(["a < b & c", datetime(2026, 3, 1, 10, 30, 5), 42, True, date(2026, 3, 2)])
    writer.write_row([" padded ", None, Decimal("1.5"), False, "bell\x07tab\tline\nend"])
    writer.add_sheet("Export 2", ["Text"])
    writer.write_row(["x" * (MAX_TEXT + 10)])
    writer.close()

    book = openpyxl.load_workbook(io.BytesIO(target.getvalue()))
    first, second = book.worksheets
    assert book.sheetnames == ["Export", "Export 2"]
    rows = [list(row) for row in first.iter_rows(values_only=True)]
    assert rows[0] == ["Text", "When", "Count", "Yes", "Day"]
    assert first["A1"].font.b
    assert rows[1] == ["a < b & c", datetime(2026, 3, 1, 10, 30, 5), 42, True, "2026-03-02"]
    assert first["B2"].number_format == "yyyy\\-mm\\-dd\\ hh:mm:ss"
    assert rows[2] == [" padded ", None, 1.5, False, "bell_x0007_tab\tline\nend"]
    assert len(second["A2"].value) == MAX_TEXT
