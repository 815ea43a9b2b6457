"""The whole benchmark: each part measured in turn, each figure a row beside its goal."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from apps.core.demo import DEMO_PASSWORD
from apps.core.summaries.spec import SUMMARY_TABLE

from . import api, database, exports, imports, inprocess, lists, reports, sweep
from .http import PortalClient
from .report import Goal, Row
from .server import served

LISTS = {"interruptions": "/interruptions/", "calls": "/calls/", "escalations": "/escalations/"}
EXPORTS = {
    **LISTS,
    "failures": "/failures/",
    "recovery": "/recovery/",
    "audit findings": "/audits/findings/",
    "quality audits": "/calls/audits/",
}
ROLES = ("agent", "lead", "auditor", "admin")
READER = "auditor"  # the demo auditor: one client, about half of every log
IMPORTER = "lead"  # imports need a lead (or an administrator)

MS = "ms"
P95_FIRST_PAGE = Goal(100, MS)
P95_FULL_PAGE = Goal(150, MS)
REQUESTS_PER_SECOND = Goal(50, "req/s", at_most=False)
QUERIES = Goal(8, "queries")
FIGURES = Goal(10, MS)
CSV_RATE = Goal(100_000, "rows/s", at_most=False)
FIRST_BYTE = Goal(1, "s")
# Fewer rows than this say nothing of a rate: the request's own cost is most of the time.
RATE_FROM_ROWS = 10_000
WORKER_MEMORY = Goal(100, "MB")
XLSX_RATE = Goal(5_000, "rows/s", at_most=False)
IMPORT_SECONDS = Goal(20, "s")
SWEEP_SECONDS = Goal(4, "s")
P95_REPORT = Goal(500, MS)
# The home page's panels per role (the dashboard), measured beside the reports.
HOME_READERS = ("agent", "lead", "auditor")
SEEDING_SECONDS_PER_10M_CALLS = 600


@dataclass
class Options:
    database_url: str
    volume: database.Volume
    history: bool = True
    requests: int = 30
    concurrent_clients: int = 4
    concurrent_seconds: float = 10.0
    import_rows: int = 100_000
    sweep_database_url: str = ""
    xlsx_kinds: tuple[str, ...] = ("escalations",)
    skip: frozenset[str] = frozenset()
    log_dir: Path = Path("var/bench")


@dataclass
class Benchmark:
    options: Options
    say: Callable[[str], None]
    rows: list[Row] = field(default_factory=list)

    def run(self) -> list[Row]:
        self.options.log_dir.mkdir(parents=True, exist_ok=True)
        self.seed()
        if "queries" not in self.options.skip:
            self.queries_and_figures()
        with served(self.options.database_url, log_dir=self.options.log_dir) as server:
            self.say(f"Serving on http://{server.host}:{server.port}/ (gunicorn, 2 sync workers)")
            if "lists" not in self.options.skip:
                self.list_pages(server)
            if "exports" not in self.options.skip:
                self.file_exports(server)
            if "reports" not in self.options.skip:
                self.report_pages(server)
            if "api" not in self.options.skip:
                self.api_lists(server)
        if "import" not in self.options.skip:
            self.call_import()
        if "sweep" not in self.options.skip:
            self.escalation_sweep()
        return self.rows

    def add(self, *rows: Row) -> None:
        for row in rows:
            self.rows.append(row)
            self.say(f"  {row.section} · {row.what}: {row.measured} [{row.verdict}]")

    def client(self, server) -> PortalClient:
        client = PortalClient(server.host, server.port)
        client.log_in(READER, DEMO_PASSWORD)
        return client

    def seed(self) -> None:
        volume = self.options.volume
        self.say(
            f"Volume database {database.database_name(self.options.database_url)}: "
            f"{', '.join(f'{count:,} {kind}' for kind, count in volume.counts.items())}"
        )
        with (self.options.log_dir / "seed.log").open("a") as log:
            seconds = database.build(
                self.options.database_url, volume, log=log, history=self.options.history
            )
        self.settle()
        counts = database.row_counts(self.options.database_url)
        present = ", ".join(f"{count:,} {kind}" for kind, count in counts.items())
        if not seconds:
            self.add(Row("Volume", "seeding", None, note=f"reused ({present})"))
            return
        history = "with history" if self.options.history else "history skipped"
        if "calls" in seconds:
            goal = Goal(SEEDING_SECONDS_PER_10M_CALLS * volume.calls / 10_000_000, "s")
            what = f"seeding {volume.calls:,} calls ({history})"
            self.add(Row("Volume", what, seconds["calls"], goal))
        if "others" in seconds:
            what = f"seeding the other logs ({history})"
            self.add(Row("Volume", what, seconds["others"], note=f"now {present}"))

    def settle(self) -> None:
        """What the minute tasks and autovacuum do in production before anyone opens a list:
        stamp the targets the clock has passed since the rows were seeded, fold the summary
        deltas, then vacuum and analyse what the seeding wrote, the history included. The
        figures are measured as users see them, not after a stopped beat."""
        from apps.core.summaries.fold import fold_deltas
        from apps.reports.downtime.upkeep import DAILY, SPANS, TALLIES, settle_all
        from apps.sla.breaches import stamp_missed_targets

        began = time.monotonic()
        stamped = stamp_missed_targets()
        folded = fold_deltas()
        settled = settle_all()
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE '%%historical%%'")
            histories = [name for (name,) in cursor.fetchall()]
            downtime = (SPANS, TALLIES, DAILY)
            for table in (*database.TABLES.values(), *histories, SUMMARY_TABLE, *downtime):
                cursor.execute(f'VACUUM (ANALYZE) "{table}"')
        self.say(
            f"Settled in {time.monotonic() - began:.0f} s: breaches stamped {stamped}, "
            f"summary deltas folded {folded:,}, downtime of {settled} clients recomputed, "
            "tables vacuumed and analysed"
        )

    def queries_and_figures(self) -> None:
        self.say("SQL queries per list page (in process), every kind × role...")
        for kind, path in EXPORTS.items():
            pages = [inprocess.page_queries(path, username) for username in ROLES]
            seen = [page for page in pages if page.status == 200]
            if not seen:
                continue
            worst = max(seen, key=lambda page: page.queries)
            roles = ", ".join(f"{page.username} {page.queries}" for page in seen)
            self.add(
                Row(
                    "Queries",
                    f"SQL queries per list page, {kind}",
                    worst.queries,
                    QUERIES,
                    note=roles,
                )
            )
        for kind, path in EXPORTS.items():
            page = inprocess.page_queries(path, READER)
            if page.status == 200:
                self.add(
                    Row(
                        "Figures",
                        f"figures' aggregates per page view, {kind}",
                        page.figures_seconds * 1000,
                        FIGURES,
                        note="SQL time",
                    )
                )

    def list_pages(self, server) -> None:
        client = self.client(server)
        requests = self.options.requests
        for kind, path in LISTS.items():
            p50, p95 = lists.p50_p95(lists.latencies(client, path, requests=requests))
            self.add(
                Row("Lists", f"{kind}, first page, median", p50 * 1000, unit=MS),
                Row("Lists", f"{kind}, first page, p95", p95 * 1000, P95_FIRST_PAGE),
            )
        for kind, path in LISTS.items():
            full = lists.latencies(client, f"{path}?per_page=100", requests=requests)
            _, p95 = lists.p50_p95(full)
            self.add(Row("Lists", f"{kind}, 100 rows per page, p95", p95 * 1000, P95_FULL_PAGE))
        client.close()
        clients = self.options.concurrent_clients
        for kind in ("interruptions", "calls"):
            rate = lists.throughput(
                lambda: self.client(server),
                LISTS[kind],
                clients=clients,
                seconds=self.options.concurrent_seconds,
            )
            self.add(
                Row("Lists", f"{clients} concurrent clients, {kind}", rate, REQUESTS_PER_SECOND)
            )

    def api_lists(self, server) -> None:
        client = api.TokenClient(server.host, server.port, api.reader_secret(READER))
        requests = self.options.requests
        for kind, path in api.API_LISTS.items():
            for per_page, goal in ((25, P95_FIRST_PAGE), (100, P95_FULL_PAGE)):
                samples = lists.latencies(client, f"{path}?per_page={per_page}", requests=requests)
                p50, p95 = lists.p50_p95(samples)
                self.add(
                    Row(
                        "API",
                        f"{kind}, {per_page} rows, p95",
                        p95 * 1000,
                        goal,
                        note=f"median {p50 * 1000:.0f} ms",
                    )
                )
        client.close()

    def file_exports(self, server) -> None:
        client = self.client(server)
        runs = []
        for kind, path in EXPORTS.items():
            rows = exports.export_row_count(path, READER)
            run = exports.measure_download(client, server, path, "csv", rows)
            runs.append(run)
            self.add(self._export_row("CSV", kind, run))
        if runs:
            slowest = max(runs, key=lambda run: run.first_row)
            self.add(
                Row(
                    "Exports",
                    "CSV first row (after the header), slowest export",
                    slowest.first_row,
                    FIRST_BYTE,
                    note=f"{slowest.path}; first byte {slowest.first_byte:.2f} s",
                ),
                Row(
                    "Exports",
                    "CSV web worker peak memory",
                    max(r.peak_rss_mib for r in runs),
                    WORKER_MEMORY,
                    note=f"gunicorn worker RSS; {server.worker_peak_mib():.0f} "
                    "MB high-water mark over the whole run",
                ),
            )
        if any(run.job for run in runs):
            self.add(
                Row(
                    "Exports",
                    "background export job worker peak memory",
                    server.job_worker_peak_mib(),
                    WORKER_MEMORY,
                    note="Celery worker (solo pool), high-water mark",
                )
            )
        for kind in self.options.xlsx_kinds:
            path = EXPORTS[kind]
            rows = exports.export_row_count(path, READER)
            self.add(
                self._export_row(
                    "XLSX", kind, exports.measure_download(client, server, path, "xlsx", rows)
                )
            )
        client.close()

    def _export_row(self, label: str, kind: str, run: exports.ExportRun) -> Row:
        goal = CSV_RATE if label == "CSV" else XLSX_RATE
        what = f"{label} export, {kind}"
        expected = "text/csv" if label == "CSV" else "spreadsheetml"
        if run.problem:
            return Row("Exports", what, None, goal, note=run.problem)
        if run.status != 200 or expected not in run.content_type:
            note = f"answered {run.status} {run.content_type or 'without a file'}"
            return Row("Exports", what, None, goal, note=note)
        if run.rows < RATE_FROM_ROWS:
            note = f"only {run.rows:,} rows to export: too few to measure a rate"
            return Row("Exports", what, None, goal, note=note)
        if run.job:
            note = (
                f"{run.rows:,} rows in {run.seconds:.1f} s as a background job, request to "
                f"file; progress page after {run.first_row:.2f} s; job worker peak "
                f"{run.job_worker_peak_mib:.0f} MB"
            )
        else:
            note = f"{run.rows:,} rows in {run.seconds:.1f} s, first row {run.first_row:.2f} s"
        return Row("Exports", what, run.rows_per_second, goal, note=note)

    def report_pages(self, server) -> None:
        requests = max(self.options.requests // 3, 5)
        for username in HOME_READERS:
            client = PortalClient(server.host, server.port)
            client.log_in(username, DEMO_PASSWORD)
            _, p95 = lists.p50_p95(lists.latencies(client, "/", requests=requests))
            self.add(
                Row(
                    "Reports",
                    f"home page (dashboard) of the {username}, p95",
                    p95 * 1000,
                    P95_REPORT,
                )
            )
            client.close()
        client = self.client(server)
        for title, path in reports.report_paths(READER):
            p50, p95 = lists.p50_p95(lists.latencies(client, path, requests=requests))
            self.add(
                Row(
                    "Reports",
                    f"{title}, last month, p95",
                    p95 * 1000,
                    P95_REPORT,
                    note=f"median {p50 * 1000:.0f} ms",
                )
            )
        client.close()

    def call_import(self) -> None:
        from apps.core.models import Client

        lead_client = Client.objects.filter(teams__lead__username=IMPORTER).first()
        content = imports.telephony_file(
            rows=self.options.import_rows, client_code=lead_client.code, agent="agent"
        )
        run = imports.time_import(content, username=IMPORTER)
        what = f"call CSV import, {run.rows:,} rows"
        if run.problem:
            self.add(Row("Imports", what, None, IMPORT_SECONDS, note=run.problem))
            return
        note = f"{run.created:,} created, {run.rows / run.seconds:,.0f} rows/s, rolled back"
        self.add(Row("Imports", what, run.seconds, IMPORT_SECONDS, note=note))

    def escalation_sweep(self) -> None:
        url = self.options.sweep_database_url or self.options.database_url
        with (self.options.log_dir / "sweep.log").open("a") as log:
            seconds, note = sweep.sweep_seconds(url, log=log)
        self.add(Row("Sweep", "escalation sweep", seconds, SWEEP_SECONDS, note=note))
