"""Rebuild the summaries from the records: after a TRUNCATE, a table rebuilt on SQLite, or a
change of TIME_ZONE (the triggers are installed again, with the zone's days)."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from apps.core.summaries.kinds import SPECS


class Command(BaseCommand):
    help = "Install the summary triggers again and rebuild every summary from the records."

    def handle(self, *args, **options):
        vendor = connection.vendor
        for spec in SPECS.values():
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in spec.install_sql(vendor) + spec.rebuild_sql(vendor):
                    cursor.execute(statement)
            self.stdout.write(f"Rebuilt the summaries of {spec.kind}.")
