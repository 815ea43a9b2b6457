"""Reads of jobs: always one person's own."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import Job, JobStatus


def jobs_of(user) -> QuerySet:
    """`user`'s own jobs, newest first; nobody reaches anyone else's (404)."""
    return Job.objects.filter(requester=user).order_by("-created_at", "-id")


def seconds_left(job: Job, now=None) -> int | None:
    """An estimate of the time the job still needs, from its pace so far; None if unknown."""
    if job.status != JobStatus.RUNNING or not job.started_at or not job.rows_total:
        return None
    if not job.rows_done:
        return None
    elapsed = ((now or timezone.now()) - job.started_at).total_seconds()
    rate = job.rows_done / max(elapsed, 0.001)
    return max(0, int((job.rows_total - job.rows_done) / rate))


def is_stalled(job: Job, now=None) -> bool:
    """Running, but no progress for longer than a live worker would stay quiet."""
    if job.status != JobStatus.RUNNING or job.heartbeat_at is None:
        return False
    quiet = (now or timezone.now()) - job.heartbeat_at
    return quiet > timedelta(minutes=settings.JOB_STALLED_MINUTES)
