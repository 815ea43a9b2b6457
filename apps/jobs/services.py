"""Starting, running, cancelling and sweeping background jobs (exports, call imports).

A job is claimed by its worker with `job_claim` (a row lock, the attempt counted up), and
every write a run makes afterwards is conditional on the job still being at that attempt
and running: a run superseded by a second delivery of its message, by the sweep after its
worker died, or by a cancellation, finds it has nothing left to write and stops.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from apps.core.queueing import enqueue_on_commit

from .models import ACTIVE, Job, JobKind, JobStatus

logger = logging.getLogger(__name__)

# Progress is written at most this often (seconds): a row update, cheap, but not per row.
PROGRESS_EVERY = 1.0


class JobStopped(Exception):
    """The job was cancelled, or taken over by another run: this run stops, writes nothing."""


class JobRefused(Exception):
    """The job cannot be done as asked (filters no longer valid, permission withdrawn)."""


def _enqueue(job: Job) -> None:
    from .tasks import run_job

    enqueue_on_commit(run_job, job.pk)


def job_folder(job: Job) -> str:
    return f"jobs/{job.pk}"


def job_start_export(
    *, requester, list_name: str, query: str, export_format: str, title: str
) -> Job:
    """Queue an export of the list `list_name` ("calls:list") filtered by `query`."""
    with transaction.atomic():
        job = Job.objects.create(
            kind=JobKind.EXPORT,
            requester=requester,
            title=title[:200],
            parameters={"list": list_name, "query": query, "format": export_format},
        )
        _enqueue(job)
    return job


def job_start_import(*, requester, upload, mode: str) -> Job:
    """Keep the uploaded file in storage and queue its import (or check) in `mode`."""
    name = get_valid_filename(PurePath(upload.name).name) or "upload.csv"
    with transaction.atomic():
        job = Job.objects.create(
            kind=JobKind.CALL_IMPORT,
            requester=requester,
            title=f"Call import: {name}"[:200],
            parameters={"mode": mode, "filename": upload.name},
        )
        upload.seek(0)
        job.source = default_storage.save(f"{job_folder(job)}/source/{name}", File(upload))
        job.save(update_fields=["source"])
        _enqueue(job)
    return job


def job_run_again(*, job: Job, actor) -> Job:
    """A new job with the same parameters (and, for an import, a copy of the same file)."""
    with transaction.atomic():
        again = Job.objects.create(
            kind=job.kind, requester=actor, title=job.title, parameters=job.parameters
        )
        if job.source:
            with default_storage.open(job.source.name) as stored:
                name = PurePath(job.source.name).name
                again.source = default_storage.save(f"{job_folder(again)}/source/{name}", stored)
            again.save(update_fields=["source"])
        _enqueue(again)
    return again


def can_run_again(job: Job) -> bool:
    if job.is_active:
        return False
    return job.kind == JobKind.EXPORT or bool(
        job.source and default_storage.exists(job.source.name)
    )


def job_cancel(*, job: Job, actor) -> bool:
    """Cancel a queued or running job of `actor`'s; False if it had already finished."""
    now = timezone.now()
    cancelled = (
        Job.objects.filter(pk=job.pk, requester=actor, status__in=ACTIVE).update(
            status=JobStatus.CANCELLED, finished_at=now, error=""
        )
        == 1
    )
    if cancelled:
        _delete_files(job, result_only=False)
    return cancelled


# --- running ---------------------------------------------------------------------------------


def job_claim(job_id: int) -> Job | None:
    """Take a queued job, or restart a running one (a redelivery after its worker died):
    progress back to zero, the attempt counted up. None if it has finished or is gone."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, status__in=ACTIVE).first()
        if job is None:
            return None
        now = timezone.now()
        job.status = JobStatus.RUNNING
        job.attempt += 1
        job.rows_done, job.rows_total = 0, None
        job.started_at, job.heartbeat_at = now, now
        job.error = ""
        job.save(
            update_fields=[
                "status",
                "attempt",
                "rows_done",
                "rows_total",
                "started_at",
                "heartbeat_at",
                "error",
            ]
        )
    if job.attempt > 1:
        logger.info("Job %s restarted (attempt %s)", job.pk, job.attempt)
    return job


class Progress:
    """What a run reports as it goes; raises JobStopped once the job is no longer its own."""

    def __init__(self, job: Job):
        self.job_id, self.attempt = job.pk, job.attempt
        self.done, self.total = 0, None
        self._written_at = 0.0
        self._depth = len(connection.atomic_blocks)

    def _inside_work_transaction(self) -> bool:
        """Inside a transaction the work opened (an import writing its rows): a progress
        write there would lock the job's row until the end, holding up a cancel, and would
        be seen by no one before the commit anyway."""
        return len(connection.atomic_blocks) > self._depth

    def _own(self):
        return Job.objects.filter(pk=self.job_id, attempt=self.attempt, status=JobStatus.RUNNING)

    def update(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if not force and now - self._written_at < PROGRESS_EVERY:
            return
        if self._inside_work_transaction():
            return
        self._written_at = now
        total = None if self.total is None else max(self.total, done)
        if not self._own().update(rows_done=done, rows_total=total, heartbeat_at=timezone.now()):
            raise JobStopped

    def should_cancel(self) -> bool:
        """True once the job was cancelled or taken over (asked at most once a second)."""
        try:
            self.update(self.done)
        except JobStopped:
            return True
        return False

    def finish(self, **fields) -> bool:
        """Mark the job done with `fields`; False if it was no longer this run's."""
        now = timezone.now()
        total = max(self.total or 0, self.done)
        return (
            self._own().update(
                status=JobStatus.DONE,
                rows_done=self.done,
                rows_total=total,
                heartbeat_at=now,
                finished_at=now,
                expires_at=now + timedelta(hours=settings.JOB_KEEP_HOURS),
                **fields,
            )
            == 1
        )

    def fail(self, reason: str) -> bool:
        now = timezone.now()
        return (
            self._own().update(status=JobStatus.FAILED, finished_at=now, error=reason[:4000]) == 1
        )


def job_notify_finished(job_id: int) -> bool:
    """Tell the requester, in the portal and by e-mail, that their job is done: once."""
    from apps.notifications.services import notify_person

    claimed = Job.objects.filter(pk=job_id, status=JobStatus.DONE, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return False
    job = Job.objects.select_related("requester").get(pk=job_id)
    url = reverse("jobs:detail", kwargs={"pk": job.pk})
    if job.kind == JobKind.EXPORT:
        subject = f"Your export is ready: {job.title}"
        body = (
            f"Your export “{job.title}” is ready ({job.rows_done:,} rows). Download it from "
            f"{settings.PORTAL_BASE_URL}{url} before "
            f"{timezone.localtime(job.expires_at):%Y-%m-%d %H:%M}; after that it is deleted.\n"
        )
    else:
        report = job.report
        subject = f"Your call import has finished: {job.parameters.get('filename', '')}"
        body = (
            f"Your call import of {job.parameters.get('filename', '')} has finished: "
            f"{report.get('created', 0):,} created, {report.get('skipped', 0):,} already there, "
            f"{report.get('error_count', 0):,} invalid. "
            f"The report: {settings.PORTAL_BASE_URL}{url}\n"
        )
    notify_person(
        event_key=f"job:{job.pk}:finished",
        recipient=job.requester,
        subject=subject,
        body=body,
        url=url,
        reference=job.reference,
        about=job,
    )
    return True


# --- files and the sweep -----------------------------------------------------------------------


def store_result(job: Job, spool, filename: str) -> str:
    """Save `spool` as the file of this attempt at the job (replacing what a run of the same
    attempt left): a superseded run never overwrites, or deletes, the file of the next."""
    name = f"{job_folder(job)}/{job.attempt}/{filename}"
    if default_storage.exists(name):
        default_storage.delete(name)
    spool.seek(0)
    return default_storage.save(name, File(spool))


def _delete_files(job: Job, *, result_only: bool) -> None:
    fields = ("result",) if result_only else ("result", "source")
    for field in fields:
        name = getattr(job, field).name
        if name:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("Could not delete %s of job %s", name, job.pk)


@dataclass
class SweepResult:
    expired: int = 0
    requeued: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return {"expired": self.expired, "requeued": self.requeued, "failed": self.failed}


LOST = (
    "The worker running it stopped (a restart or a crash) and it was tried "
    "{attempts} times, so it was given up."
)


def jobs_sweep(now=None) -> SweepResult:
    """Expire jobs past their time (their files deleted), and deal with jobs whose worker
    died: queued again while they have attempts left, else failed. Safe to run twice."""
    now = now or timezone.now()
    result = SweepResult()
    keep = timedelta(hours=settings.JOB_KEEP_HOURS)
    due = Job.objects.filter(
        Q(status=JobStatus.DONE, expires_at__lte=now)
        | Q(status__in=(JobStatus.FAILED, JobStatus.CANCELLED), finished_at__lte=now - keep)
    ).exclude(result="", source="")
    for job in due.iterator():
        _delete_files(job, result_only=False)
        # An export's file was all it had; an import keeps its report.
        gone = job.kind == JobKind.EXPORT and job.status == JobStatus.DONE
        result.expired += Job.objects.filter(pk=job.pk, status=job.status).update(
            status=JobStatus.EXPIRED if gone else job.status, result="", source=""
        )
    stalled = now - timedelta(minutes=settings.JOB_STALLED_MINUTES)
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=stalled):
        with transaction.atomic():
            if job.attempt < settings.JOB_MAX_ATTEMPTS:
                # No longer running: the stalled run, should it wake, finds nothing to write.
                if Job.objects.filter(pk=job.pk, attempt=job.attempt, status=job.status).update(
                    status=JobStatus.QUEUED, heartbeat_at=now
                ):
                    _enqueue(job)
                    result.requeued += 1
            elif Job.objects.filter(pk=job.pk, attempt=job.attempt, status=job.status).update(
                status=JobStatus.FAILED,
                finished_at=now,
                error=LOST.format(attempts=job.attempt),
            ):
                result.failed += 1
    return result
