"""A call import job: the stored upload, checked and imported by the calls' own importer."""

import shutil
import tempfile
from dataclasses import asdict

from django.core.files.storage import default_storage

from apps.calls.importing import import_calls

from .models import Job
from .services import JobStopped, Progress


def run_import(job: Job, progress: Progress) -> None:
    """Import the job's file; its report (errors by line, as many as the importer lists)
    is kept on the job. A cancelled import has written nothing: the importer writes a file
    entirely or not at all."""
    with tempfile.TemporaryFile() as local:
        # A local copy: the importer reads the file twice and seeks, which not every
        # storage backend's files can do.
        with default_storage.open(job.source.name, "rb") as stored:
            shutil.copyfileobj(stored, local)
        report = import_calls(
            local,
            actor=job.requester,
            filename=job.parameters.get("filename", "upload.csv"),
            mode=job.parameters["mode"],
            on_progress=progress.update,
            should_cancel=progress.should_cancel,
        )
    if progress.should_cancel():
        raise JobStopped
    progress.update(report.rows, report.rows, force=True)
    data = asdict(report)
    data["failed"] = report.failed
    progress.finish(report=data)
