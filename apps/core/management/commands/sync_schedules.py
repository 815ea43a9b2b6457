"""Bring Celery beat's schedule in the database in line with apps/core/schedules.py."""

from django.core.management.base import BaseCommand

from apps.core.schedules import sync_schedules


class Command(BaseCommand):
    help = (
        "Create missing periodic tasks and refresh their task paths; cadences changed by an "
        "administrator are kept. Tasks not installed yet stay off until they are."
    )

    def handle(self, *args, **options):
        result = sync_schedules()
        for label, names in (
            ("Created", result.created),
            ("Updated", result.updated),
            ("Waiting for their task (off)", result.waiting),
        ):
            if names:
                self.stdout.write(f"{label}: {', '.join(names)}")
        if not (result.created or result.updated):
            self.stdout.write("Schedules already up to date.")
