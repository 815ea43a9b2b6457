"""Measure the portal at volume and print each figure of the performance table beside its goal."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.benchmarking.database import Volume
from apps.core.benchmarking.report import summary, table
from apps.core.benchmarking.runner import Benchmark, Options

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_vol"
DEFAULT_VOLUME = Volume(
    interruptions=1_000_000,
    calls=10_000_000,
    escalations=100_000,
    failures=200_000,
    recovery=200_000,
)
PARTS = ("queries", "lists", "exports", "reports", "api", "import", "sweep")


class Command(BaseCommand):
    help = (
        "Build (or reuse) a volume database on PostgreSQL, serve it with gunicorn and measure "
        "lists, queries, figures, exports, reports, the API, the call import and the sweep against "
        "their goals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database-url",
            default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
            help=f"The volume database (BENCH_DATABASE_URL; default {DEFAULT_URL}). "
            "Created when missing; its rows are reused on later runs.",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply the default volume (1M interruptions, 10M calls, 100k escalations, "
            "200k failure reports, 200k recovery cases), e.g. 0.01 for a quick run.",
        )
        for kind in DEFAULT_VOLUME.counts:
            parser.add_argument(f"--{kind}", type=int, help=f"Rows of {kind} (overrides --scale).")
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="Seed volume interruptions without their creation versions (faster).",
        )
        parser.add_argument("--requests", type=int, default=30, help="Page loads per latency.")
        parser.add_argument(
            "--concurrent-seconds", type=float, default=10.0, help="Length of the load test."
        )
        parser.add_argument(
            "--import-rows", type=int, default=100_000, help="Rows of the call import."
        )
        parser.add_argument(
            "--sweep-database-url",
            default="",
            help="Where the sweep benchmark makes its test database (test_<name>); "
            "default: the volume database's server and name.",
        )
        parser.add_argument(
            "--xlsx", nargs="*", default=["escalations"], help="Kinds exported as XLSX."
        )
        parser.add_argument("--skip", nargs="*", choices=PARTS, default=[], help="Parts to skip.")

    def handle(self, *args, database_url: str, scale: float, **options) -> None:
        if os.environ.get("DATABASE_URL") != database_url:
            # The in-process parts read the volume database through Django's own connection.
            environment = os.environ | {"DATABASE_URL": database_url}
            command = [sys.executable, "manage.py", "bench", *sys.argv[2:]]
            if "--database-url" not in " ".join(sys.argv):
                command.append(f"--database-url={database_url}")
            result = subprocess.run(command, cwd=settings.BASE_DIR, env=environment, check=False)
            if result.returncode:
                raise CommandError("The benchmark failed.", returncode=result.returncode)
            return
        if scale <= 0:
            raise CommandError("--scale must be above 0.")
        volume = DEFAULT_VOLUME.scaled(scale)
        volume = Volume(**{kind: options[kind] or count for kind, count in volume.counts.items()})
        benchmark = Benchmark(
            Options(
                database_url=database_url,
                volume=volume,
                history=not options["no_history"],
                requests=options["requests"],
                concurrent_seconds=options["concurrent_seconds"],
                import_rows=options["import_rows"],
                sweep_database_url=options["sweep_database_url"],
                xlsx_kinds=tuple(options["xlsx"]),
                skip=frozenset(options["skip"]),
                log_dir=Path(settings.BASE_DIR) / "var" / "bench",
            ),
            say=self._say,
        )
        began = time.monotonic()
        rows = benchmark.run()
        self.stdout.write("")
        self.stdout.write(table(rows))
        self.stdout.write("")
        self.stdout.write(summary(rows))
        self.stdout.write(f"(benchmark took {time.monotonic() - began:.0f} s; logs in var/bench)")

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
