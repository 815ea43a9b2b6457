"""Load the demo data, and optionally bulk volume for benchmarks. Safe to run again."""

import random
import time
from argparse import BooleanOptionalAction

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.calls.demo import seed_demo_calls
from apps.calls.demo_volume import generate_call_volume
from apps.core.demo import DEMO_PASSWORD, LOGINS, seed_organisation
from apps.escalations.demo import generate_escalation_volume, seed_demo_escalations
from apps.escalations.demo_matrix import seed_demo_matrices, seed_escalations_about_to_breach
from apps.failures.demo import seed_demo_failures
from apps.failures.demo_volume import generate_failure_volume
from apps.interruptions.demo import DEMO_ROWS, seed_demo_interruptions
from apps.interruptions.demo_volume import VOLUME_BATCH, default_workers, generate_volume
from apps.recovery.demo import seed_demo_recovery
from apps.recovery.demo_volume import generate_recovery_volume
from apps.sla.demo import seed_demo_sla

LOGS = ("interruptions", "failures", "escalations", "calls", "recovery")


class Command(BaseCommand):
    help = (
        "Create the demo clients, teams, services, code lists, users, calendars and SLA "
        "policies, and demo records in each log chosen with --logs (each only once), then, "
        "with the volume options, bulk records for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo-rows",
            type=int,
            default=DEMO_ROWS,
            help=f"Size of the demo batch of interruptions (default {DEMO_ROWS}; 0 for none).",
        )
        parser.add_argument(
            "--volume",
            type=int,
            default=0,
            metavar="N",
            help="Also bulk-generate N extra interruptions (added on every run).",
        )
        parser.add_argument(
            "--escalation-volume",
            type=int,
            default=0,
            metavar="N",
            help="Also bulk-generate N extra escalations, without timeline or history.",
        )
        parser.add_argument(
            "--failure-volume",
            type=int,
            default=0,
            metavar="N",
            help="Also bulk-generate N extra failure reports with their corrective actions.",
        )
        parser.add_argument(
            "--call-volume",
            type=int,
            default=0,
            metavar="N",
            help="Also bulk-generate N extra call logs over the last year (on PostgreSQL drafted "
            "by the database itself, 250,000 per statement), each with its creation version "
            "unless --no-volume-history.",
        )
        parser.add_argument(
            "--recovery-volume",
            type=int,
            default=0,
            metavar="N",
            help="Also bulk-generate N extra recovery cases with their interactions, actions, "
            "resolution and feedback.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=VOLUME_BATCH,
            help=f"Interruptions per transaction when generating volume (default {VOLUME_BATCH}).",
        )
        parser.add_argument(
            "--volume-history",
            action=BooleanOptionalAction,
            default=True,
            help="Give each interruption and call of the volume its creation version in the "
            "history (default: history pages and exports then behave as in production). "
            "--no-volume-history takes about half the time. Demo rows always have full history.",
        )
        parser.add_argument(
            "--rebuild-indexes",
            action=BooleanOptionalAction,
            default=None,
            help="On PostgreSQL, drop the secondary indexes of the interruption and call tables "
            "for their volume and build them again after it (back even if the load fails). "
            "Default: when that is faster, that is when the load at least doubles the table "
            "and adds 500,000 rows or more.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Threads writing volume batches (default: 2 on PostgreSQL, 1 on SQLite).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed, for repeatable data."
        )
        parser.add_argument(
            "--logs",
            nargs="*",
            choices=LOGS,
            default=list(LOGS),
            metavar="LOG",
            help="The logs to load demo records into (default all: " + ", ".join(LOGS) + "). "
            "The organisation, calendars and SLA policies are always loaded.",
        )

    def handle(
        self,
        *args,
        demo_rows: int,
        volume: int,
        batch_size: int,
        volume_history: bool,
        workers: int | None,
        seed: int,
        logs: list[str],
        **options,
    ) -> None:
        if demo_rows < 0 or volume < 0:
            raise CommandError("--demo-rows and --volume cannot be negative.")
        if batch_size < 1 or (workers is not None and workers < 1):
            raise CommandError("--batch-size and --workers must be at least 1.")
        now = timezone.now()
        organisation = seed_organisation()
        self.stdout.write(
            f"Organisation ready: {len(organisation.clients)} clients, "
            f"{sum(len(demo.teams) for demo in organisation.clients)} teams, "
            f"{sum(len(demo.services) for demo in organisation.clients)} services, "
            f"{len(organisation.users)} users."
        )
        moved = seed_demo_sla(organisation)
        self.stdout.write(f"Business calendars and SLA policies ready ({moved} due times moved).")
        if "interruptions" in logs:
            created = seed_demo_interruptions(
                organisation, count=demo_rows, rng=random.Random(seed), now=now
            )
            if created:
                self.stdout.write(f"Demo interruptions: {created} created.")
            else:
                self.stdout.write("Demo interruptions: already there, none added.")
        if "failures" in logs:
            failures = seed_demo_failures(
                organisation, rng=random.Random(f"{seed}-failures"), now=now
            )
            self.stdout.write(f"Demo failure reports: {failures or 'already there, none'} added.")
        if options.get("failure_volume", 0) > 0:
            count = generate_failure_volume(
                organisation,
                count=options["failure_volume"],
                rng=random.Random(f"{seed}-failure-volume"),
                now=now,
            )
            self.stdout.write(f"Failure report volume: {count:,} added.")
        if "escalations" in logs:
            matrices = seed_demo_matrices(organisation)
            self.stdout.write(f"Escalation matrices: {matrices or 'already there, none'} added.")
            escalations = seed_demo_escalations(
                organisation, rng=random.Random(f"{seed}-escalations"), now=now
            )
            escalations += seed_escalations_about_to_breach(organisation, now=now)
            self.stdout.write(f"Demo escalations: {escalations or 'already there, none'} added.")
        if options.get("escalation_volume", 0) > 0:
            count = generate_escalation_volume(
                organisation,
                count=options["escalation_volume"],
                rng=random.Random(f"{seed}-escalation-volume"),
                now=now,
            )
            self.stdout.write(f"Escalation volume: {count:,} added.")
        if "calls" in logs:
            calls = seed_demo_calls(organisation, rng=random.Random(f"{seed}-calls"), now=now)
            self.stdout.write(f"Demo call logs: {calls or 'already there, none'} added.")
        if options.get("call_volume", 0) > 0:
            self._call_volume(
                organisation,
                count=options["call_volume"],
                with_history=volume_history,
                workers=workers or default_workers(),
                rebuild_indexes=options.get("rebuild_indexes"),
                seed=seed,
                now=now,
            )
        if "recovery" in logs:
            recovery = seed_demo_recovery(
                organisation, rng=random.Random(f"{seed}-recovery"), now=now
            )
            self.stdout.write(f"Demo recovery cases: {recovery or 'already there, none'} added.")
        if options.get("recovery_volume", 0) > 0:
            count = generate_recovery_volume(
                organisation,
                count=options["recovery_volume"],
                rng=random.Random(f"{seed}-recovery-volume"),
                now=now,
            )
            self.stdout.write(f"Recovery case volume: {count:,} added.")
        if volume:
            self._volume(
                organisation,
                volume,
                batch_size,
                volume_history,
                workers,
                seed,
                now,
                options.get("rebuild_indexes"),
            )
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password '{DEMO_PASSWORD}'):"))
        for username, description in LOGINS:
            self.stdout.write(f"  {username:<10} {description}")

    def _call_volume(
        self, organisation, *, count, with_history, workers, rebuild_indexes, seed, now
    ) -> None:
        history = "with" if with_history else "without"
        self.stdout.write(f"Generating {count:,} call logs ({history} history)...")
        progress = self._progress()
        began = time.monotonic()
        done = generate_call_volume(
            organisation,
            count=count,
            rng=random.Random(f"{seed}-call-volume"),
            now=now,
            with_history=with_history,
            workers=workers,
            rebuild_indexes=rebuild_indexes,
            progress=lambda done, total: progress(done, total, time.monotonic() - began),
            stage=self._stage(began),
        )
        self.stdout.write(
            f"Call log volume: {done:,} added in {time.monotonic() - began:.1f} s "
            "(statistics refreshed)."
        )

    def _stage(self, began: float):
        def say(message: str) -> None:
            self.stdout.write(f"  {message}  ({time.monotonic() - began:.1f} s)")
            self.stdout.flush()

        return say

    def _progress(self):
        last_report = time.monotonic()

        def progress(done: int, total: int, elapsed: float) -> None:
            nonlocal last_report
            if done < total and time.monotonic() - last_report < 5:
                return
            last_report = time.monotonic()
            rate = done / elapsed if elapsed else 0.0
            self.stdout.write(f"  {done:>10,} / {total:,}  {elapsed:7.1f} s  {rate:>8,.0f} rows/s")
            self.stdout.flush()

        return progress

    def _volume(
        self, organisation, count, batch_size, with_history, workers, seed, now, rebuild_indexes
    ) -> None:
        history = "with" if with_history else "without"
        self.stdout.write(f"Generating {count:,} interruptions ({history} history)...")
        progress = self._progress()

        # Its own stream of random numbers: the volume does not depend on the demo batch.
        generate_volume(
            organisation,
            count=count,
            rng=random.Random(f"{seed}-volume"),
            now=now,
            batch_size=batch_size,
            with_history=with_history,
            workers=workers,
            rebuild_indexes=rebuild_indexes,
            progress=progress,
            stage=self._stage(time.monotonic()),
        )
