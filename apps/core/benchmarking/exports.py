"""Exports through the served portal: rows per second, the first byte, and the web worker's
memory while it streams.

`measure_download` is the one place that fetches an export: where an export becomes a
background job, it is pointed at the job (start, wait, download) and the rest stays."""

import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import resolve

from .http import PortalClient
from .server import Server

RSS_SAMPLE_SECONDS = 0.2


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

    streamed = client.stream(path, on_chunk=sample)
    sample()
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
