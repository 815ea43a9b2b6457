"""Anonymise personal data past each client's retention now, or with --dry-run say what
would be anonymised. The nightly task does the same (apps.core.tasks.apply_retention)."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import ngettext

from apps.core.models import Client
from apps.core.retention import (
    RetentionResult,
    apply_retention,
    personal_data_kinds,
    retention_cutoff,
)
from apps.core.runs import run_recorded
from apps.core.tasks import RETENTION_TASK


class Command(BaseCommand):
    help = (
        "Anonymise the personal data of finished records past their client's retention "
        "period (names replaced, numbers and account references emptied, history included)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be anonymised, per kind and client; change nothing.",
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        now = timezone.now()
        if dry_run:
            result = apply_retention(now=now, dry_run=True)
        else:
            # Recorded like the nightly run: "when was retention last applied" has one answer.
            results: list[RetentionResult] = []

            def work() -> dict:
                results.append(apply_retention(now=now))
                return results[0].as_dict()

            run_recorded(RETENTION_TASK, work)
            result = results[0]
        self._report(result, now)

    def _report(self, result: RetentionResult, now) -> None:
        verb = "Would anonymise" if result.dry_run else "Anonymised"
        clients = {client.code: client for client in Client.objects.all()}
        for spec in personal_data_kinds():
            line = f"{verb} {result.total(spec.kind):,} {spec.kind}"
            if not result.dry_run:
                scrubbed = result.history_versions.get(spec.kind, 0)
                line += f" ({scrubbed:,} earlier history versions scrubbed)"
            self.stdout.write(line + ".")
            for code, count in sorted(result.records.get(spec.kind, {}).items()):
                client = clients[code]
                cutoff = retention_cutoff(client, now)
                self.stdout.write(
                    f"  {client.name} ({code}): {count:,}, last activity before "
                    f"{cutoff:%Y-%m-%d %H:%M %Z} ({client.retention_months} "
                    f"{ngettext('month', 'months', client.retention_months)})"
                )
        self.stdout.write(f"Done in {result.seconds:.1f} s.")
