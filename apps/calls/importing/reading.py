"""Reading a telephony export: the header checked, then each row as column → text, with
the line it starts on."""

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import ngettext

from .columns import COLUMN_NAMES, REQUIRED
from .report import ImportReport

CHUNK = 1 << 20


class FileProblem(Exception):
    """The file as a whole cannot be read as the expected CSV."""


def count_lines(source: BinaryIO) -> int:
    """Lines after the header, blank ones included: at least as many as the rows the file
    holds (a row ends at a line break, or at the end of the file), found without parsing."""
    source.seek(0)
    breaks, previous = 0, b""
    while chunk := source.read(CHUNK):
        # A CR LF split across two chunks is one break, as it is within a chunk.
        joined = previous + chunk
        breaks += joined.count(b"\n") + joined.count(b"\r") - joined.count(b"\r\n")
        breaks -= previous.count(b"\n") + previous.count(b"\r")
        previous = chunk[-1:]
    source.seek(0)
    if previous and previous not in (b"\n", b"\r"):
        breaks += 1  # the last line has no break of its own
    return max(breaks - 1, 0)


def _column_name(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def read_rows(source: BinaryIO, report: ImportReport) -> Iterator[tuple[int, dict[str, str]]]:
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
        text.detach()  # leave the upload open for the caller


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
