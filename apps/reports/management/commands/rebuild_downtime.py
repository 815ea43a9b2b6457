"""Rebuild the availability report's downtime spans and tallies from the interruptions: after
a TRUNCATE, or a migration that rebuilt the interruptions' table on SQLite (which drops its
triggers; they are installed again)."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from apps.reports.downtime.triggers import install_sql
from apps.reports.downtime.upkeep import rebuild


class Command(BaseCommand):
    help = "Install the downtime triggers again and rebuild every span and tally."

    def handle(self, *args, **options):
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in install_sql(connection.vendor):
                cursor.execute(statement)
            rebuild()
        self.stdout.write("Rebuilt the downtime spans and tallies.")
