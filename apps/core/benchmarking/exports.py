"""Exports through the served portal: rows per second, the first byte, and the web worker's
memory while it streams.

`measure_download` is the one place that fetches an export. An export that the portal runs
as a background job answers with a redirect to the job's page: it is followed as the
requester would (wait for the job, then download its file), and its rate counts from the
request to the end of the download."""

import re
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import resolve

from .http import PortalClient
from .server import Server

RSS_SAMPLE_SECONDS = 0.2
JOB_PAGE = re.compile(r"/jobs/(\d+)/")
JOB_POLL_SECONDS = 0.2
JOB_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True)
class ExportRun:
    path: str
    rows: int
    seconds: float
    first_byte: float
    first_row: float
    peak_rss_mib: float  # the largest resident memory of a web worker seen while streaming
    status: int
    content_type: str
    job: bool = False  # run as a background job (first_row is then when its page answered)
    job_worker_peak_mib: float = 0.0
    problem: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def export_row_count(list_path: str, username: str) -> int:
    """How many rows `username` exports from the list at `list_path`: its filtered queryset,
    counted in this process."""
    view_class = resolve(list_path).func.view_class
    request = RequestFactory().get(list_path)
    request.user = get_user_model().objects.get(username=username)
    view = view_class()
    view.setup(request)
    return view.filtered_queryset().count()


def measure_download(
    client: PortalClient, server: Server, list_path: str, export_format: str, rows: int
) -> ExportRun:
    """Ask for the export of `list_path` and read it to the end, watching worker memory."""
    path = f"{list_path}?_export={export_format}"
    peak = [server.worker_rss_mib()]
    last_sample = [0.0]

    def sample() -> None:
        now = time.monotonic()
        if now - last_sample[0] >= RSS_SAMPLE_SECONDS:
            last_sample[0] = now
            peak[0] = max(peak[0], server.worker_rss_mib())

    began = time.perf_counter()
    streamed = client.stream(path, on_chunk=sample)
    sample()
    job_page = JOB_PAGE.search(streamed.location) if streamed.status == 302 else None
    if job_page:
        return _follow_job(client, server, path, int(job_page.group(1)), began, streamed)
    return ExportRun(
        path=path,
        rows=rows,
        seconds=streamed.seconds,
        first_byte=streamed.first_byte,
        first_row=streamed.first_row,
        peak_rss_mib=peak[0],
        status=streamed.status,
        content_type=streamed.content_type,
    )


def _follow_job(client, server, path: str, job_id: int, began: float, started) -> ExportRun:
    """Wait for the export job, download its file; timed from the export's request."""
    from apps.jobs.models import FINISHED, Job, JobStatus

    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    job = Job.objects.get(pk=job_id)
    while job.status not in FINISHED and time.monotonic() < deadline:
        time.sleep(JOB_POLL_SECONDS)
        job.refresh_from_db()
    if job.status != JobStatus.DONE:
        return ExportRun(
            path=path,
            rows=job.rows_done,
            seconds=time.perf_counter() - began,
            first_byte=started.first_byte,
            first_row=started.seconds,
            peak_rss_mib=server.worker_rss_mib(),
            status=0,
            content_type="",
            job=True,
            problem=f"job {job.reference} ended {job.get_status_display().lower()}: {job.error}",
        )
    download = client.stream(f"/jobs/{job_id}/download/")
    return ExportRun(
        path=path,
        rows=job.rows_done,
        seconds=time.perf_counter() - began,
        first_byte=started.first_byte,
        first_row=started.seconds,
        peak_rss_mib=server.worker_rss_mib(),
        status=download.status,
        content_type=download.content_type,
        job=True,
        job_worker_peak_mib=server.job_worker_peak_mib(),
    )
