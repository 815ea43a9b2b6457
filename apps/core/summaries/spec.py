"""One spec per summarised kind, and the SQL generated from it.

A spec says how a row of the kind's table maps to a summary row: its dimensions (client, day,
severity, status, team, the kind's own `variant`, the `flag`) and its metrics (named sums such
as talk seconds). From it come the projection of rows into summary shape, the triggers that
append deltas on every write (statement-level with transition tables on PostgreSQL, one grouped
insert per statement; row-level on SQLite), and the rebuild of a kind's summaries.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from ..models.summaries import METRIC_SLOTS, SummaryRow

SUMMARY_TABLE = SummaryRow._meta.db_table
GROUP_COLUMNS = ("kind", "client_id", "day", "severity", "status", "team_id", "variant", "flag")


@dataclass(frozen=True)
class Dialect:
    """Renders column references and the few functions whose SQL differs by database."""

    vendor: str
    alias: str

    def c(self, column: str) -> str:
        return f'{self.alias}."{column}"'

    def day(self, moment: str) -> str:
        """The local day (settings.TIME_ZONE) of a moment (SQL): the lists' From/To days."""
        zone = settings.TIME_ZONE
        if self.vendor == "postgresql":
            return f"(({moment}) AT TIME ZONE '{zone}')::date"
        # Django's own function on SQLite connections, the one TruncDate uses.
        return f"django_datetime_cast_date({moment}, '{zone}', 'UTC')"

    def seconds_between(self, later: str, earlier: str) -> str:
        if self.vendor == "postgresql":
            return f"EXTRACT(EPOCH FROM ({self.c(later)} - {self.c(earlier)}))"
        return f"(django_timestamp_diff({self.c(later)}, {self.c(earlier)}) / 1000000.0)"


SqlOf = Callable[[Dialect], str]


@dataclass(frozen=True)
class Metric:
    """A named sum: `value` over the rows where `condition` holds (both SQL of one row)."""

    name: str
    condition: SqlOf
    value: SqlOf = lambda d: "1"  # noqa: E731 - a count unless a value is given


@dataclass(frozen=True)
class SummarySpec:
    kind: str  # the model's label_lower, or another name for a second summary of one table
    table: str
    day_column: str
    flag: SqlOf
    severity_column: str | None = "severity"
    status_column: str | None = "status"
    team_column: str | None = "team_id"
    variant: SqlOf | None = None
    # The list filters the variant and the flag answer ("true" there means flag true).
    variant_filter: str = ""
    flag_filter: str = "breached"
    metrics: tuple[Metric, ...] = ()
    # The summarised model's label_lower when `kind` is not it (a second summary of a table).
    model: str = ""
    # Told apart in trigger names when a table has more than one summary.
    trigger_suffix: str = ""
    # The moment whose day a row is kept under, when it is not `day_column` itself (SQL of
    # one row, e.g. a due time as it stood); `day_column` then names the field it starts from.
    moment: SqlOf | None = None
    # Which rows of the table the summary keeps (SQL of one row); all of them when None.
    keeps: SqlOf | None = None

    @property
    def model_label(self) -> str:
        return self.model or self.kind

    def __post_init__(self):
        if len(self.metrics) > len(METRIC_SLOTS):
            raise ValueError(f"{self.kind}: at most {len(METRIC_SLOTS)} metrics")

    def slot(self, metric: str) -> str:
        """The summary column holding `metric`."""
        names = [item.name for item in self.metrics]
        return METRIC_SLOTS[names.index(metric)]

    def moment_sql(self, d: Dialect) -> str:
        return self.moment(d) if self.moment else d.c(self.day_column)

    def keeps_sql(self, d: Dialect) -> str:
        """A WHERE clause (with its keyword) for the rows kept, or nothing."""
        return f" WHERE {self.keeps(d)}" if self.keeps else ""

    # The projection: one row of the table in summary shape (n = 1).
    def projection(self, d: Dialect) -> list[tuple[str, str]]:
        columns = [
            ("kind", f"'{self.kind}'"),
            ("client_id", d.c("client_id")),
            ("day", d.day(self.moment_sql(d))),
            ("severity", d.c(self.severity_column) if self.severity_column else "''"),
            ("status", d.c(self.status_column) if self.status_column else "''"),
            ("team_id", f"COALESCE({d.c(self.team_column)}, 0)" if self.team_column else "0"),
            ("variant", f"COALESCE(CAST({self.variant(d)} AS TEXT), '')" if self.variant else "''"),
            ("flag", f"COALESCE(({self.flag(d)}), FALSE)"),
            ("n", "1"),
        ]
        for slot, metric in zip(METRIC_SLOTS, self.metrics, strict=False):
            columns.append(
                (slot, f"CASE WHEN {metric.condition(d)} THEN {metric.value(d)} ELSE 0 END")
            )
        return columns

    def projection_sql(self, d: Dialect, *, sign: str = "") -> str:
        parts = [f"{sign} AS sign"] if sign else []
        parts += [f"{sql} AS {name}" for name, sql in self.projection(d)]
        return ", ".join(parts)

    @property
    def sum_columns(self) -> list[str]:
        return ["n", *METRIC_SLOTS[: len(self.metrics)]]

    def grouped_delta_insert(self, sources: list[tuple[str, str]], vendor: str) -> str:
        """INSERT of one delta row per changed group; `sources` are (sign, FROM clause or "")
        pairs, their rows aliased as `r`, or SQLite's NEW/OLD when the clause is empty."""
        selects = []
        for sign, source in sources:
            dialect = Dialect(vendor, "r" if source else source_alias(sign))
            selects.append(
                f"SELECT {self.projection_sql(dialect, sign=sign)}"
                + (f" FROM {source} AS r" if source else "")
                + self.keeps_sql(dialect)
            )
        sums = ", ".join(f"SUM(sign * {column})" for column in self.sum_columns)
        nonzero = " OR ".join(f"SUM(sign * {column}) <> 0" for column in self.sum_columns)
        groups = ", ".join(GROUP_COLUMNS)
        return (
            f"INSERT INTO {SUMMARY_TABLE} ({groups}, folded, {', '.join(self.sum_columns)}) "
            f"SELECT {groups}, FALSE, {sums} FROM ({' UNION ALL '.join(selects)}) AS changed "
            f"GROUP BY {groups} HAVING {nonzero}"
        )

    def trigger_name(self, event: str) -> str:
        suffix = f"_{self.trigger_suffix}" if self.trigger_suffix else ""
        return f"summary_{self.table}{suffix}_{event}"

    def install_sql(self, vendor: str) -> list[str]:
        """Statements creating (or replacing) the triggers of this kind's table."""
        statements = self.drop_sql(vendor)
        events = {
            "ins": ("INSERT", [("1", "new_rows")]),
            "upd": ("UPDATE", [("-1", "old_rows"), ("1", "new_rows")]),
            "del": ("DELETE", [("-1", "old_rows")]),
        }
        for event, (verb, sources) in events.items():
            name = self.trigger_name(event)
            if vendor == "postgresql":
                referencing = " ".join(
                    f"{'NEW' if table == 'new_rows' else 'OLD'} TABLE AS {table}"
                    for _, table in sources
                )
                statements.append(
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"{self.grouped_delta_insert(sources, vendor)}; RETURN NULL; END $$"
                )
                statements.append(
                    f'CREATE TRIGGER {name} AFTER {verb} ON "{self.table}" '
                    f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                )
            else:
                row_sources = [(sign, "") for sign, _ in sources]
                statements.append(
                    f'CREATE TRIGGER {name} AFTER {verb} ON "{self.table}" FOR EACH ROW BEGIN '
                    f"{self.grouped_delta_insert(row_sources, vendor)}; END"
                )
        return statements

    def drop_sql(self, vendor: str) -> list[str]:
        statements = []
        for event in ("ins", "upd", "del"):
            name = self.trigger_name(event)
            statements.append(f'DROP TRIGGER IF EXISTS {name} ON "{self.table}"')
            if vendor == "postgresql":
                statements.append(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                statements[-1] = f"DROP TRIGGER IF EXISTS {name}"
        return statements

    def rebuild_sql(self, vendor: str) -> list[str]:
        """Replace every summary row of this kind by one delta per group of the table."""
        return [
            f"DELETE FROM {SUMMARY_TABLE} WHERE kind = '{self.kind}'",
            self.grouped_delta_insert([("1", f'"{self.table}"')], vendor),
        ]


def source_alias(sign: str) -> str:
    """SQLite's row-level triggers name the row after the change NEW, before it OLD."""
    return "NEW" if sign == "1" else "OLD"
