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
