"""A person's own exports and imports: the list, a job's progress, cancel, download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.calls.importing import ImportMode

from .models import Job, JobKind, JobStatus
from .selectors import is_stalled, jobs_of, seconds_left
from .services import can_run_again, job_cancel, job_run_again

PAGE_SIZE = 25


def time_left(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _own_job(request, pk: int) -> Job:
    return get_object_or_404(jobs_of(request.user), pk=pk)


def _job_context(job: Job) -> dict:
    now = timezone.now()
    return {
        "job": job,
        "time_left": time_left(seconds_left(job, now)),
        "stalled": is_stalled(job, now),
        "expired": job.status == JobStatus.DONE
        and job.is_expired(now)
        or job.status == JobStatus.EXPIRED,
        "can_run_again": can_run_again(job),
        "report": job.report if job.kind == JobKind.CALL_IMPORT else None,
        "modes": ImportMode,
    }


@login_required
@require_GET
def job_list(request):
    page = Paginator(jobs_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page": page, "now": timezone.now()})


@login_required
@require_GET
def job_detail(request, pk: int):
    return render(request, "jobs/detail.html", _job_context(_own_job(request, pk)))


@login_required
@require_GET
def job_progress(request, pk: int):
    """The part of the page that changes, polled by htmx while the job is under way."""
    return render(request, "jobs/progress.html", _job_context(_own_job(request, pk)))


@login_required
@require_POST
def job_cancel_view(request, pk: int):
    job = _own_job(request, pk)
    if job_cancel(job=job, actor=request.user):
        messages.success(request, "Cancelled: nothing was kept of it.")
    else:
        messages.info(request, "It had already finished, so there was nothing to cancel.")
    return redirect(job)


@login_required
@require_POST
def job_run_again_view(request, pk: int):
    job = _own_job(request, pk)
    if not can_run_again(job):
        messages.warning(request, "This one cannot be started again; start it from its page.")
        return redirect(job)
    again = job_run_again(job=job, actor=request.user)
    messages.success(request, "Started again.")
    return redirect(again)


@login_required
@require_GET
def job_download(request, pk: int):
    """The file, to its requester only (anyone else: 404), until it expires (then 410)."""
    job = _own_job(request, pk)
    if job.kind != JobKind.EXPORT:
        raise Http404
    if job.status == JobStatus.EXPIRED or (job.status == JobStatus.DONE and job.is_expired()):
        return render(request, "jobs/expired.html", {"job": job}, status=410)
    if job.status != JobStatus.DONE or not job.result:
        raise Http404
    try:
        stored = default_storage.open(job.result.name, "rb")
    except FileNotFoundError:
        return render(request, "jobs/expired.html", {"job": job}, status=410)
    return FileResponse(stored, as_attachment=True, filename=job.download_name)
