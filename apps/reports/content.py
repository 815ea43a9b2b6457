"""What a report holds, whatever it reports on: headline figures and tables of numbers, each
table optionally drawn as a chart from its own columns, so the chart and its accessible table
always show the same numbers. Pages, exports and e-mails all render these objects."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .scope import ReportScope

# How a number is written, on the page and in exports alike.
COUNT, PERCENT, HOURS, MINUTES, SCORE, MONEY, TEXT = (
    "count",
    "percent",
    "hours",
    "minutes",
    "score",
    "money",
    "text",
)
UNIT_SUFFIX = {PERCENT: " %", HOURS: " h", MINUTES: " min"}


def formatted(value, unit: str = TEXT) -> str:
    """`value` as the page writes it: '—' for no value, 94.3 %, 1,204, 3.5 h."""
    if value is None or value == "":
        return "—"
    if unit == COUNT:
        return f"{int(value):,}"
    if unit in (PERCENT, HOURS, MINUTES, SCORE):
        return f"{float(value):,.1f}{UNIT_SUFFIX.get(unit, '')}"
    if unit == MONEY:
        return f"{Decimal(value):,.2f}"
    return str(value)


@dataclass(frozen=True)
class Cell:
    """A value of a table, with the list of the records behind it when there is one."""

    value: object
    unit: str = TEXT
    url: str = ""

    @property
    def text(self) -> str:
        return formatted(self.value, self.unit)


@dataclass(frozen=True)
class Figure:
    """A headline number: its value, the target it is held to, and the same figure over the
    previous period for comparison."""

    label: str
    value: object
    unit: str = COUNT
    url: str = ""
    target: object = None
    previous: object = None
    help_text: str = ""

    @property
    def text(self) -> str:
        return formatted(self.value, self.unit)

    @property
    def target_text(self) -> str:
        return "" if self.target is None else formatted(self.target, self.unit)

    @property
    def previous_text(self) -> str:
        return "" if self.previous is None else formatted(self.previous, self.unit)

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return float(self.value) >= float(self.target)


@dataclass(frozen=True)
class Chart:
    """A table drawn as a chart: `labels_column` gives the x axis, each of `value_columns` a
    series. `kind` is bar, line or stacked (bars stacked per label)."""

    kind: str = "bar"
    labels_column: int = 0
    value_columns: tuple[int, ...] = (1,)
    horizontal: bool = False


@dataclass(frozen=True)
class Table:
    key: str  # unique in its report: the anchor, the chart's id and the export's sheet name
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: Chart | None = None
    note: str = ""
    empty_text: str = "Nothing in this period."

    def chart_data(self) -> dict | None:
        if self.chart is None or not self.rows:
            return None
        chart = self.chart
        return {
            "kind": chart.kind,
            "horizontal": chart.horizontal,
            "labels": [row[chart.labels_column].text for row in self.rows],
            "series": [
                {
                    "label": self.columns[index],
                    "values": [_plain_number(row[index].value) for row in self.rows],
                }
                for index in chart.value_columns
            ],
        }


@dataclass(frozen=True)
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Report:
    title: str
    scope: ReportScope
    sections: list[Section]
    made_by: str
    made_at: datetime
    definitions: list[str] = field(default_factory=list)  # what each figure means, stated

    @property
    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]


def _plain_number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value if isinstance(value, int | float) else None
