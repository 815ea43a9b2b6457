"""Work too long for a request (large exports, call imports), run by a Celery worker."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class JobKind(models.TextChoices):
    EXPORT = "export", "Export"
    CALL_IMPORT = "call_import", "Call import"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED)


class Job(models.Model):
    """One export or import for one person: its progress, its outcome and its file.

    `attempt` counts the runs that claimed the job: a run writes progress and its outcome
    only while the job is still at its own attempt, so a run superseded by a redelivery
    (or by the sweep re-queueing a job whose worker died) stops without touching it.
    """

    kind = models.CharField(max_length=20, choices=JobKind.choices)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    title = models.CharField(max_length=200, help_text="What the requester sees it called.")
    # What is needed to run it again: for an export the list ("calls:list"), its query
    # string and format; for an import the mode and the uploaded file's name.
    parameters = models.JSONField(default=dict)
    rows_done = models.PositiveBigIntegerField(default=0)
    rows_total = models.PositiveBigIntegerField(null=True, blank=True)
    attempt = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    source = models.FileField(max_length=300, blank=True, help_text="The uploaded file.")
    result = models.FileField(max_length=300, blank=True, help_text="The file to download.")
    download_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # An import's report: counts, and the bad rows by line (as many as the import lists).
    report = models.JSONField(default=dict, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_total__isnull=True)
                | models.Q(rows_done__lte=models.F("rows_total")),
                name="job_rows_done_within_total",
            ),
        ]
        indexes = [
            # "My exports and imports": one person's jobs, newest first.
            models.Index(fields=["requester", "-created_at", "-id"], name="job_by_requester"),
            # The sweep: running jobs by heartbeat, finished ones by expiry.
            models.Index(
                fields=["heartbeat_at"],
                condition=models.Q(status="running"),
                name="job_running_heartbeat",
            ),
            models.Index(
                fields=["expires_at"],
                condition=models.Q(status="done"),
                name="job_done_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"JOB-{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, int(self.rows_done * 100 / self.rows_total))

    def is_expired(self, now=None) -> bool:
        if self.status == JobStatus.EXPIRED:
            return True
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
