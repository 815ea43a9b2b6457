from django.db import models


class ReportAccess(models.Model):
    """No rows: holds the permission to read reports, given to roles in apps/core/roles.py."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can read the reports of their clients")]

    def __str__(self) -> str:
        return "Report access"


class MonthlyReportDelivery(models.Model):
    """A client's monthly SLA report, claimed before it is sent: one row per client and month,
    so the report goes out once however often the schedule fires."""

    client = models.ForeignKey("core.Client", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month reported on.")
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.TextField(blank=True, help_text="The addresses it was sent to.")

    class Meta:
        ordering = ["-month", "client"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "month"], name="reports_one_monthly_delivery_per_month"
            )
        ]
        verbose_name = "monthly SLA report delivery"
        verbose_name_plural = "monthly SLA report deliveries"

    def __str__(self) -> str:
        return f"{self.client} · {self.month:%B %Y}"


class DowntimeSpan(models.Model):
    """One stretch of the merged intervals of one measure (down, degraded, maintenance) of
    the interruptions that began on one UTC day, for one service of a client or the client
    overall (service 0). Kept in step with the interruptions by apps/reports/downtime."""

    client_id = models.IntegerField()
    service_id = models.IntegerField(help_text="0: the client overall.")
    measure = models.CharField(max_length=12)
    day = models.DateField(help_text="The UTC day its interruptions began.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, help_text="Empty while one of them goes on.")
    interruptions = models.IntegerField(default=0)
    # Those of no length at its very start and at its very end, which the interruption list
    # does not find active during the stretch.
    empty_at_start = models.IntegerField(default=0)
    empty_at_end = models.IntegerField(default=0)

    class Meta:
        indexes = [
            # The spans reaching into a report's window: those ended after its start...
            models.Index(
                fields=["client_id", "ends_at"],
                include=[
                    "service_id",
                    "measure",
                    "starts_at",
                    "interruptions",
                    "empty_at_start",
                    "empty_at_end",
                ],
                name="downtime_span_end",
            ),
            # ... and those still going on.
            models.Index(
                fields=["client_id", "starts_at"],
                include=[
                    "service_id",
                    "measure",
                    "interruptions",
                    "empty_at_start",
                    "empty_at_end",
                ],
                condition=models.Q(ends_at__isnull=True),
                name="downtime_span_open",
            ),
            models.Index(fields=["client_id", "day"], name="downtime_span_day"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} of {self.service_id or 'all'} from {self.starts_at}"


class DowntimeTally(models.Model):
    """The interruptions of one measure, counted statuses only, per UTC hour, for one service
    of a client or the client overall (service 0): how many began in the hour, how many
    ended in it with their summed durations, and how many stopped covering time in it (the
    later of start and end). Kept in step with the interruptions by apps/reports/downtime."""

    client_id = models.IntegerField()
    service_id = models.IntegerField(help_text="0: the client overall.")
    measure = models.CharField(max_length=12)
    hour = models.DateTimeField()
    started = models.IntegerField(default=0)
    ended = models.IntegerField(default=0)
    repair_seconds = models.FloatField(default=0.0)
    finished = models.IntegerField(default=0)

    class Meta:
        indexes = [
            # Running totals up to a few moments: each stretch between two of them is one
            # range of this index, read from it alone.
            models.Index(
                fields=["client_id", "hour"],
                include=["measure", "service_id", "started", "ended", "repair_seconds", "finished"],
                name="downtime_tally_hour",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} of {self.service_id or 'all'} at {self.hour}"


class DowntimeDailyTally(models.Model):
    """The hourly tallies of one UTC day added up, so that running totals over months read
    a row a day rather than one an hour. Kept with them by apps/reports/downtime."""

    client_id = models.IntegerField()
    service_id = models.IntegerField(help_text="0: the client overall.")
    measure = models.CharField(max_length=12)
    day = models.DateField()
    started = models.IntegerField(default=0)
    ended = models.IntegerField(default=0)
    repair_seconds = models.FloatField(default=0.0)
    finished = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["client_id", "day"],
                include=["measure", "service_id", "started", "ended", "repair_seconds", "finished"],
                name="downtime_daily_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} of {self.service_id or 'all'} on {self.day}"


class DowntimeChange(models.Model):
    """A UTC day of a client whose spans and tallies a write has made stale: the triggers of
    apps/reports/downtime append one, the next read recomputes the day and removes it."""

    client_id = models.IntegerField()
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["client_id"], name="downtime_change_client")]

    def __str__(self) -> str:
        return f"client {self.client_id} on {self.day}"
