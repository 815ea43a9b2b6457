"""An export job: the list page's own filters, scoping and masking, written to a file.

The rows are chosen by the list view itself, given a request as the page had it (the
requester, the query string), so the export holds exactly what the page would have shown
them, personal data masked as the page masks it.
"""

import queue
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connections
from django.http import HttpRequest, QueryDict
from django.urls import resolve, reverse
from django.utils import timezone

from apps.core.listing.exports import CHUNK_SIZE, ExportColumn, write_xlsx
from apps.core.listing.history_export import history_csv_lines
from apps.core.views.history_export import HISTORY_FORMAT
from apps.core.views.listing import model_permission

from .models import Job
from .services import JobRefused, Progress, store_result


@dataclass
class ExportSource:
    queryset: object
    columns: list[ExportColumn]
    filename: str


def _list_view(job: Job):
    """The list view of `job`'s export, set up as for a request of its requester's with the
    list's query string, and the rows it filters; refused if they may no longer export it."""
    parameters = job.parameters
    path = reverse(parameters["list"])
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(parameters["query"])
    request.user = job.requester
    request.resolver_match = resolve(path)
    view = request.resolver_match.func.view_class()
    view.setup(request)
    if not job.requester.is_active or not job.requester.has_perm(
        model_permission(view.model, "export")
    ):
        raise JobRefused("you may no longer export this list")
    queryset = view.filtered_queryset()
    if view.filterset.is_bound and not view.filterset.is_valid():
        reasons = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in view.filterset.errors.items()
        )
        raise JobRefused(f"these filters are not valid: {reasons}")
    return view, queryset


def export_source(job: Job) -> ExportSource:
    """The rows, columns and file name of `job`'s export, for its requester as they are now."""
    view, queryset = _list_view(job)
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    name = str(view.model._meta.verbose_name_plural).replace(" ", "-")
    return ExportSource(view.export_queryset(queryset), view.export_columns, f"{name}-{stamp}")


def run_history_export(job: Job, progress: Progress) -> None:
    """The history of the list's filtered records as CSV, progress counted in records."""
    view, records = _list_view(job)
    total = records.order_by().count()
    progress.update(0, total, force=True)
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    name = str(view.model._meta.verbose_name_plural).replace(" ", "-")
    filename = f"{name}-history-{stamp}.csv"

    def on_records(done: int) -> None:
        progress.update(min(done, total))

    with tempfile.TemporaryFile() as spool:
        lines = history_csv_lines(records, mask=view.history_mask(), on_records=on_records)
        for line in lines:
            spool.write(line.encode())
        progress.update(total, total, force=True)
        stored = store_result(job, spool, filename)
    if not progress.finish(result=stored, download_name=filename):
        from django.core.files.storage import default_storage

        default_storage.delete(stored)


def _copied_in_thread(queryset, columns, header: str) -> Iterator[bytes]:
    """PostgreSQL's COPY holds its connection until the last row: run it in a thread of its
    own (its own connection), so this one stays free for the job's progress and cancel."""
    from apps.core.listing.copy_export import _copy_lines

    chunks: queue.Queue = queue.Queue(maxsize=8)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in _copy_lines(queryset, columns, header):
                while not stop.is_set():
                    try:
                        chunks.put(chunk, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            chunks.put(None)
        except BaseException as error:  # noqa: BLE001 - handed to the reading side
            chunks.put(error)
        finally:
            connections.close_all()

    producer = threading.Thread(target=produce, name="export-copy", daemon=True)
    producer.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        producer.join(timeout=30)


def _csv_chunks(queryset, columns):
    from apps.core.listing import exports

    header = exports.csv_header(columns)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return exports._csv_lines(queryset, columns)
    if connection.in_atomic_block:
        # Rows this transaction wrote are not visible from another connection: COPY here,
        # with the progress written when it is over.
        from apps.core.listing.copy_export import _copy_lines

        return _copy_lines(queryset, columns, header)
    return _copied_in_thread(queryset, columns, header)


def _write_csv(target, queryset, columns, on_rows: Callable[[int], None]) -> int:
    """Write the CSV; rows are counted by line ends (a cell's own line breaks count too,
    which only makes the progress run a little ahead; the total is set at the end)."""
    lines = 0
    live = not connections[queryset.db].in_atomic_block or (
        connections[queryset.db].vendor != "postgresql"
    )
    for chunk in _csv_chunks(queryset, columns):
        data = chunk.encode() if isinstance(chunk, str) else chunk
        target.write(data)
        before = lines
        lines += data.count(b"\n")
        if live and lines // CHUNK_SIZE != before // CHUNK_SIZE:
            on_rows(max(lines - 1, 0))
    return max(lines - 1, 0)


def run_export(job: Job, progress: Progress) -> None:
    """Build the file in a temporary file, then store it as the job's result."""
    export_format = job.parameters["format"]
    if export_format == HISTORY_FORMAT:
        run_history_export(job, progress)
        return
    source = export_source(job)
    total = source.queryset.order_by().count()
    progress.update(0, total, force=True)

    def on_rows(done: int) -> None:
        progress.update(min(done, total) if total else done)

    with tempfile.TemporaryFile() as spool:
        if export_format == "xlsx":
            written = write_xlsx(spool, source.queryset, source.columns, on_rows)
        else:
            written = _write_csv(spool, source.queryset, source.columns, on_rows)
        # Still this run's job? (a cancellation or a second run would make this raise)
        progress.update(written, written, force=True)
        filename = f"{source.filename}.{export_format}"
        stored = store_result(job, spool, filename)
    if not progress.finish(result=stored, download_name=filename):
        from django.core.files.storage import default_storage

        default_storage.delete(stored)
