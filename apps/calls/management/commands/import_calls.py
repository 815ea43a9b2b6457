"""Import a telephony export of calls from the command line, as a named user."""

from argparse import FileType

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from apps.calls.importing import ImportMode, import_calls

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import calls from a CSV telephony export (the columns of /calls/import/). Rows are "
        "checked first; by default nothing is imported if any row is invalid. Calls whose "
        "external call id the client already has are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=FileType("rb"), help="The CSV file (UTF-8).")
        parser.add_argument(
            "--actor",
            required=True,
            help="Username of the person importing; only their clients' rows are accepted.",
        )
        parser.add_argument(
            "--mode",
            choices=ImportMode.values,
            default=ImportMode.ALL_OR_NOTHING,
            help="check: report only; all (default): import only if every row is valid; "
            "valid: import the valid rows, skip the others.",
        )
        parser.add_argument(
            "--progress", action="store_true", help="Print the rows done after every batch."
        )

    def handle(self, *args, file, actor: str, mode: str, progress: bool, **options) -> None:
        user = get_user_model().objects.filter(username=actor, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {actor!r}.")
        if not user.has_perm("calls.import_call"):
            raise CommandError(f"{actor} may not import calls.")
        with file:
            report = import_calls(
                file,
                actor=user,
                filename=file.name,
                mode=mode,
                on_progress=self._progress if progress else None,
            )
        if report.file_error:
            raise CommandError(report.file_error)
        for line, message in report.errors[:SHOWN]:
            self.stderr.write(f"line {line}: {message}")
        if report.error_count > SHOWN:
            self.stderr.write(f"... and {report.error_count - SHOWN:,} more invalid rows.")
        self.stdout.write(
            f"{report.rows:,} {ngettext('row', 'rows', report.rows)} read in "
            f"{report.seconds:.1f} s ({report.rate:,.0f} rows/s): "
            f"{report.created:,} {ngettext('call', 'calls', report.created)} created, "
            f"{report.skipped:,} already imported, "
            f"{report.error_count:,} invalid."
        )
        if report.failed:
            raise CommandError("Nothing was imported: fix the invalid rows, or use --mode valid.")

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"{done:,} of {total:,} rows")
