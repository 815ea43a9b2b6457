"""The benchmark's own arithmetic and table: no database, no server."""

import pytest

from apps.core.benchmarking.database import Volume, missing
from apps.core.benchmarking.report import Goal, Row, number, percentile, summary, table
from apps.core.benchmarking.sweep import PRINTED


def test_percentiles_interpolate_between_ranks():
    samples = [0.4, 0.1, 0.3, 0.2, 0.5]
    assert percentile(samples, 0.5) == 0.3
    assert percentile(samples, 0) == 0.1
    assert percentile(samples, 1) == 0.5
    assert percentile(samples, 0.95) == pytest.approx(0.48)
    assert percentile([7.0], 0.95) == 7.0


@pytest.mark.parametrize(("samples", "fraction"), [([], 0.5), ([1.0], 1.5), ([1.0], -0.1)])
def test_percentile_refuses_what_has_none(samples, fraction):
    with pytest.raises(ValueError):
        percentile(samples, fraction)


def test_a_goal_is_met_at_its_bound_and_says_which_way():
    at_most, at_least = Goal(100, "ms"), Goal(50, "req/s", at_most=False)
    assert at_most.met_by(100) and not at_most.met_by(100.5)
    assert at_least.met_by(50) and not at_least.met_by(49.9)
    assert (str(at_most), str(at_least)) == ("≤ 100 ms", "≥ 50 req/s")


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234567, "1,234,567"), (104_321.6, "104,322"), (12.345, "12.3"), (0.01234, "0.0123")],
)
def test_numbers_read_as_people_write_them(value, text):
    assert number(value) == text


def test_rows_say_measured_goal_and_verdict():
    met = Row("Lists", "calls, p95", 82.4, Goal(100, "ms"))
    missed = Row("Exports", "CSV, calls", 61_000, Goal(100_000, "rows/s", at_most=False))
    informative = Row("Lists", "calls, median", 40.2, unit="ms")
    not_taken = Row("Imports", "call import", None, Goal(20, "s"), note="answered 302")

    assert (met.verdict, met.measured) == ("met", "82.4 ms")
    assert (missed.verdict, missed.measured) == ("MISSED", "61,000 rows/s")
    assert (informative.verdict, informative.measured) == ("—", "40.2 ms")
    assert (not_taken.verdict, not_taken.measured) == ("—", "answered 302")


def test_the_table_groups_rows_under_their_sections():
    rows = [
        Row("Lists", "calls, p95", 82.4, Goal(100, "ms")),
        Row("Lists", "escalations | p95", 120, Goal(100, "ms"), note="cold"),
        Row("Sweep", "escalation sweep", 3.2, Goal(4, "s")),
    ]
    assert table(rows).splitlines() == [
        "| what | measured | goal | verdict |",
        "| --- | --- | --- | --- |",
        "| **Lists** | | | |",
        "| calls, p95 | 82.4 ms | ≤ 100 ms | met |",
        "| escalations \\| p95 | 120 ms (cold) | ≤ 100 ms | MISSED |",
        "| **Sweep** | | | |",
        "| escalation sweep | 3.2 s | ≤ 4 s | met |",
    ]
    assert summary(rows) == "2 of 3 goals met; missed: Lists · escalations | p95."


def test_a_volume_is_seeded_only_where_it_falls_short():
    volume = Volume(interruptions=1_000_000, calls=10_000_000, escalations=100_000)
    assert volume.scaled(0.01) == Volume(10_000, 100_000, 1_000)
    counts = {"interruptions": 999_000, "calls": 2_000_000, "escalations": 0}
    assert missing(volume, counts) == {"calls": 8_000_000, "escalations": 100_000}


def test_the_sweep_time_is_read_from_what_its_benchmark_prints():
    found = PRINTED.search("\nsweep of 100,000 open, 10,000 due: 3.87 s\n.")
    assert found.groups() == ("100,000", "10,000", "3.87")
