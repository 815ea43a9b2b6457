"""Publish the outbox now: after a broker outage, or from cron where beat does not run."""

from django.core.management.base import BaseCommand, CommandError

from apps.core.queueing import flush_outbox


class Command(BaseCommand):
    help = "Publish outbox messages that could not reach the broker when they were queued."

    def handle(self, *args, **options):
        result = flush_outbox()
        self.stdout.write(
            f"Sent {result.sent} message(s); {result.pruned} old sent message(s) removed."
        )
        if result.failed:
            raise CommandError(
                f"The broker is unavailable: {result.failed} message(s) remain in the outbox."
            )
