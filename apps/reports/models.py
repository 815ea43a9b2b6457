from django.db import models


class ReportAccess(models.Model):
    """No rows: holds the permission to read reports, given to roles in apps/core/roles.py."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can read the reports of their clients")]

    def __str__(self) -> str:
        return "Report access"
