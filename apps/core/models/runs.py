"""A record of every run of a periodic task: when it started and finished, what it did."""

from django.db import models


class TaskRun(models.Model):
    task = models.CharField(max_length=80)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # "When did the sweep last finish?" (health check, header warning).
            models.Index(fields=["task", "-finished_at"], name="task_run_last_finished"),
        ]

    def __str__(self) -> str:
        return f"{self.task} at {self.started_at:%Y-%m-%d %H:%M:%S}"
