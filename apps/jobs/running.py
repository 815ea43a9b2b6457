"""Running one job from its claim to its outcome, whatever its kind."""

import logging

from celery.exceptions import SoftTimeLimitExceeded

from .models import JobKind
from .services import JobRefused, JobStopped, Progress, job_claim, job_notify_finished

logger = logging.getLogger(__name__)


def job_run(job_id: int) -> str:
    """Run the job; what became of it ("done", "failed", "stopped", "skipped").

    Safe to run twice: a second run of a finished job does nothing; a second run of a
    running one (its message delivered again after a worker died) starts it over, and the
    first run, should it still be alive, stops at its next progress report.
    """
    job = job_claim(job_id)
    if job is None:
        return "skipped"
    progress = Progress(job)
    try:
        if job.kind == JobKind.EXPORT:
            from .exporting import run_export

            run_export(job, progress)
        else:
            from .importing import run_import

            run_import(job, progress)
    except JobStopped:
        return "stopped"
    except JobRefused as refusal:
        progress.fail(str(refusal))
        return "failed"
    except SoftTimeLimitExceeded:
        progress.fail(
            "it ran longer than a job may; export fewer rows, or import a smaller file, at a time"
        )
        return "failed"
    except Exception as error:  # noqa: BLE001 - the requester is told; the log has the trace
        logger.exception("Job %s failed", job_id)
        progress.fail(f"an unexpected error ({error.__class__.__name__})")
        return "failed"
    job_notify_finished(job_id)
    return "done"
