"""A call import is one transaction: a crash or a cancel midway keeps nothing, the same file
twice adds nothing, and progress is told batch by batch."""

import io

import pytest
from django.core.management import call_command

from apps.calls.importing import ImportMode, import_calls, runner
from apps.calls.importing.reading import count_lines
from apps.calls.importing.writing import CallWriter
from apps.calls.models import Call
from apps.core.models import ReferenceSequence, TimelineEntry
from apps.core.services.references import next_reference
from tests.calls.test_import import csv_bytes, row

pytestmark = pytest.mark.django_db

ROWS = [row(number) for number in range(1, 8)]


@pytest.fixture
def batches_of_two(monkeypatch):
    monkeypatch.setattr(runner, "BATCH_SIZE", 2)


def run(content: bytes, actor, **options):
    return import_calls(io.BytesIO(content), actor=actor, filename="calls.csv", **options)


def last_number() -> int:
    sequence = ReferenceSequence.objects.filter(prefix="CALL").first()
    return sequence.last_value if sequence else 0


def nothing_kept() -> bool:
    return not (Call.objects.exists() or Call.history.exists() or TimelineEntry.objects.exists())


def test_progress_is_told_after_every_batch_and_ends_at_the_rows_read(world, codes, batches_of_two):
    told = []

    report = run(csv_bytes(ROWS), world.lead, on_progress=lambda *step: told.append(step))

    assert report.created == 7
    assert told == [(2, 7), (4, 7), (6, 7), (7, 7), (7, 7)]


def test_the_total_counts_lines_until_the_rows_are_known(world, codes, batches_of_two):
    content = csv_bytes([row(1, description="one\ntwo\nthree"), row(2)]) + b"\n\n"
    told = []

    run(content, world.lead, on_progress=lambda *step: told.append(step))

    assert told == [(2, 6), (2, 6), (2, 2)]


def test_a_crash_on_the_second_batch_keeps_nothing(world, codes, batches_of_two, monkeypatch):
    before = last_number()
    write = CallWriter.write
    batches = []

    def crash_on_second(self, batch):
        batches.append(batch)
        if len(batches) == 2:
            raise RuntimeError("worker lost")
        write(self, batch)

    monkeypatch.setattr(CallWriter, "write", crash_on_second)

    with pytest.raises(RuntimeError, match="worker lost"):
        run(csv_bytes(ROWS), world.lead)

    assert len(batches) == 2
    assert nothing_kept()
    # The numbers taken for the file were given back.
    assert last_number() == before
    assert next_reference("CALL").endswith("-000001")


def test_a_cancel_midway_keeps_nothing_and_says_so(world, codes, batches_of_two):
    asked = []

    def cancel_on_third_ask():
        asked.append(True)
        return len(asked) == 3

    report = run(csv_bytes(ROWS), world.lead, should_cancel=cancel_on_third_ask)

    assert report.cancelled
    assert report.created == 0
    assert len(asked) == 3
    assert nothing_kept()
    assert last_number() == 0


def test_a_check_may_be_cancelled_too(world, codes, batches_of_two):
    report = run(csv_bytes(ROWS), world.lead, mode=ImportMode.CHECK, should_cancel=lambda: True)

    assert report.cancelled
    assert report.valid <= 2  # one batch at most was looked at before the first question


def test_the_same_file_twice_adds_nothing_the_second_time(world, codes, batches_of_two):
    first = run(csv_bytes(ROWS), world.lead)
    counts = (Call.objects.count(), Call.history.count(), TimelineEntry.objects.count())
    numbers = last_number()

    again = run(csv_bytes(ROWS), world.lead)

    assert (first.created, again.created, again.skipped) == (7, 0, 7)
    assert again.skipped_rows == [(line, f"GEN-{line - 1:04d}") for line in range(2, 9)]
    assert (Call.objects.count(), Call.history.count(), TimelineEntry.objects.count()) == counts
    assert last_number() == numbers == 7


def test_numbers_someone_took_meanwhile_are_never_reused(world, codes, batches_of_two, monkeypatch):
    write = CallWriter.write
    taken = []

    def someone_logs_a_call(self, batch):
        if not taken:
            taken.append(next_reference("CALL"))
        write(self, batch)

    monkeypatch.setattr(CallWriter, "write", someone_logs_a_call)
    # Five lines, three rows: five numbers are taken for the file, two of them not used.
    content = csv_bytes(ROWS[:3]) + b"\n\n"

    report = run(content, world.lead)

    references = sorted(Call.objects.values_list("reference", flat=True))
    assert report.created == 3
    assert [reference[-6:] for reference in references] == ["000001", "000002", "000003"]
    # Someone's number came after the file's five; the two unused ones stay unused.
    assert taken[0].endswith("-000006")
    assert last_number() == 6


def test_an_invalid_row_late_in_the_file_rolls_back_what_was_written(
    world, codes, batches_of_two, monkeypatch
):
    written = []
    write = CallWriter.write
    monkeypatch.setattr(
        CallWriter, "write", lambda self, batch: written.append(len(batch)) or write(self, batch)
    )

    # More batches than are checked ahead: some are written before the last row is read.
    rows = [row(number) for number in range(1, 21)]

    report = run(csv_bytes([*rows, row(99, outcome="lost")]), world.lead)

    assert report.failed and report.error_count == 1
    assert report.valid == 20
    assert report.created == 0
    assert written  # the first batches were written before the bad row was read
    assert nothing_kept()
    assert last_number() == 0


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        (b"", 0),
        (b"header\n", 0),
        (b"header", 0),
        (b"header\nrow\nrow\n", 2),
        (b"header\r\nrow\r\nrow", 2),
        (b"header\rrow\rrow\r", 2),
        (b"header\nrow\n\n\n", 3),
    ],
)
def test_lines_are_counted_whatever_ends_them(content, lines):
    assert count_lines(io.BytesIO(content)) == lines


def test_a_line_break_split_between_two_reads_counts_once(monkeypatch):
    from apps.calls.importing import reading

    monkeypatch.setattr(reading, "CHUNK", 3)

    assert count_lines(io.BytesIO(b"ab\r\ncd\r\nef\r\n")) == 2
    assert count_lines(io.BytesIO(b"a\r\nb\r\nc")) == 2


def test_the_command_prints_progress_when_asked(world, codes, batches_of_two, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_bytes(csv_bytes(ROWS[:3]))
    out = io.StringIO()

    call_command("import_calls", str(path), "--actor", "lead", "--progress", stdout=out)

    assert out.getvalue().splitlines()[:3] == ["2 of 3 rows", "3 of 3 rows", "3 of 3 rows"]
    assert "3 calls created" in out.getvalue()
