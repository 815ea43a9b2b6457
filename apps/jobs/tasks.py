"""Celery tasks of background jobs: take ids, call a service."""

from celery import shared_task
from django.conf import settings

from apps.core.runs import run_recorded

from .running import job_run
from .services import jobs_sweep

SWEEP_TASK = "jobs_sweep"


@shared_task(
    soft_time_limit=settings.JOB_TIME_LIMIT,
    time_limit=settings.JOB_TIME_LIMIT + 60,
)
def run_job(job_id: int) -> str:
    """Run one export or import job (again from the start if a worker died running it)."""
    return job_run(job_id)


@shared_task
def sweep_jobs() -> dict:
    """Delete expired files; queue again, or fail, jobs whose worker died (see schedules)."""
    run = run_recorded(SWEEP_TASK, lambda: jobs_sweep().as_dict())
    return run.outcome
