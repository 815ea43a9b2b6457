"""Measure the alert intake endpoint: alerts per second taken and the 95th percentile answer."""

import os
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from apps.core.benchmarking.database import ensure_database
from apps.core.benchmarking.report import summary, table
from apps.core.benchmarking.server import served
from apps.intake.benchmark import bench_integration, drained, rows, storm


class Command(BaseCommand):
    help = (
        "Serve the portal with gunicorn and a Celery worker on this DATABASE_URL (PostgreSQL), "
        "post a storm of Alertmanager alerts to one integration from several clients at once, "
        "and print alerts per second taken, the answer's median and 95th percentile, the time "
        "the worker takes to work them and whether every request was kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=10_000, help="Posts in the storm.")
        parser.add_argument("--clients", type=int, default=8, help="Posting at once.")
        parser.add_argument("--alerts", type=int, default=1, help="Alerts per post.")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
        parser.add_argument(
            "--drain-timeout", type=float, default=600, help="Seconds to wait for the worker."
        )
        parser.add_argument("--log-dir", default="var/bench", help="gunicorn and Celery logs.")

    def handle(self, *args, **options) -> None:
        url = os.environ.get("DATABASE_URL", "")
        if connection.vendor != "postgresql" or not url.startswith("postgres"):
            raise CommandError("Run it with DATABASE_URL set to a PostgreSQL database of its own.")
        ensure_database(url)
        call_command("migrate", interactive=False, verbosity=0)
        integration, token = bench_integration()
        log_dir = Path(options["log_dir"])
        log_dir.mkdir(parents=True, exist_ok=True)
        self.stdout.write(
            f"Storm of {options['requests']:,} posts on {connection.settings_dict['NAME']}…"
        )
        with served(url, workers=options["workers"], log_dir=log_dir) as server:
            load = storm(
                server.host,
                server.port,
                f"/intake/{integration.slug}/",
                token,
                requests=options["requests"],
                clients=options["clients"],
                alerts=options["alerts"],
            )
            seconds, outcomes = drained(integration, timeout=options["drain_timeout"])
        measured = rows(load, options["alerts"], seconds, outcomes)
        self.stdout.write(table(measured))
        self.stdout.write(summary(measured))
