"""What a measurement is (a row of the table, measured beside its goal) and how the table
prints. No database, no server: the pure part of the benchmark."""

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The `fraction` (0–1) percentile of `samples`, interpolated between the closest ranks."""
    if not samples:
        raise ValueError("No samples.")
    if not 0 <= fraction <= 1:
        raise ValueError("The fraction lies between 0 and 1.")
    ordered = sorted(samples)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Goal:
    """A target: `value` in `unit`, met when the measured value is at most (or at least) it."""

    value: float
    unit: str
    at_most: bool = True

    def met_by(self, measured: float) -> bool:
        return measured <= self.value if self.at_most else measured >= self.value

    def __str__(self) -> str:
        return f"{'≤' if self.at_most else '≥'} {number(self.value)} {self.unit}".rstrip()


@dataclass(frozen=True)
class Row:
    """One line of the table: what was measured, the figure, its goal and whether it is met.

    `value` is None when the figure is informative only (no goal), or could not be taken;
    `note` then says why (or adds detail to a measured one)."""

    section: str
    what: str
    value: float | None
    goal: Goal | None = None
    note: str = ""
    unit: str = ""

    @property
    def verdict(self) -> str:
        if self.goal is None or self.value is None:
            return "—"
        return "met" if self.goal.met_by(self.value) else "MISSED"

    @property
    def measured(self) -> str:
        if self.value is None:
            return self.note or "not measured"
        unit = self.unit or (self.goal.unit if self.goal else "")
        text = f"{number(self.value)} {unit}".rstrip()
        return f"{text} ({self.note})" if self.note else text


def number(value: float) -> str:
    """1234567 → 1,234,567; 12.345 → 12.3; 0.0123 → 0.012."""
    if value == int(value) and abs(value) >= 1:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(rows: Iterable[Row]) -> str:
    """The rows as a Markdown table, grouped under their sections in the order given."""
    lines = ["| what | measured | goal | verdict |", "| --- | --- | --- | --- |"]
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            lines.append(f"| **{_cell(section)}** | | | |")
        goal = str(row.goal) if row.goal else "—"
        lines.append(f"| {_cell(row.what)} | {_cell(row.measured)} | {goal} | {row.verdict} |")
    return "\n".join(lines)


def summary(rows: Iterable[Row]) -> str:
    """ "14 goals met, 3 missed: …" — the missed ones named."""
    judged = [row for row in rows if row.verdict != "—"]
    missed = [row for row in judged if row.verdict == "MISSED"]
    text = f"{len(judged) - len(missed)} of {len(judged)} goals met"
    if missed:
        text += "; missed: " + "; ".join(f"{row.section} · {row.what}" for row in missed)
    return text + "."


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def timed(function: Callable[[], object], clock: Callable[[], float]) -> float:
    """Seconds `function` took by `clock` (time.perf_counter in use, a fake in tests)."""
    began = clock()
    function()
    return clock() - began
