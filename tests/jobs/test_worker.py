"""Jobs travel the real path: the request commits → Redis → a Celery worker → storage."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.calls.models import Call
from apps.core.models import OutboxMessage
from apps.jobs.models import Job, JobStatus
from apps.notifications.models import Notification
from tests.background_jobs import queued_job
from tests.calls.test_import import GOOD, csv_bytes
from tests.celery_worker import running_worker, wait_for
from tests.factories import InterruptionFactory

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path, storage, monkeypatch):
    """A real worker writing to the same storage directory as this test reads."""
    monkeypatch.setenv("FILE_STORAGE_DIR", str(storage))
    with running_worker(tmp_path) as running:
        yield running


def finished(pk: int) -> Job | None:
    job = Job.objects.get(pk=pk)
    return job if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING) else None


def test_an_xlsx_export_is_built_by_the_worker_and_downloaded(world, client, worker):
    world.auditor.email = "auditor@example.test"
    world.auditor.save()
    InterruptionFactory.create_batch(3, client=world.client_a)
    InterruptionFactory(client=world.client_b, title="Globex only")
    client.force_login(world.auditor)

    pk = queued_job(client.get("/interruptions/?_export=xlsx"))

    job = wait_for(lambda: finished(pk))
    assert (job.status, job.rows_done, job.rows_total) == (JobStatus.DONE, 3, 3)
    response = client.get(reverse("jobs:download", kwargs={"pk": pk}))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 4
    assert "Globex only" not in str(list(sheet.values))
    # Told in the portal; the e-mail is queued (the worker sends it from the default queue).
    told = Notification.objects.get(recipient=world.auditor)
    assert told.url == f"/jobs/{pk}/"
    assert OutboxMessage.objects.filter(
        task_name="apps.notifications.tasks.send_notification_email", args=[told.pk]
    ).exists()


def test_a_call_import_is_run_by_the_worker(world, client, codes, worker):
    client.force_login(world.lead)

    response = client.post(
        "/calls/import/",
        {"file": SimpleUploadedFile("export.csv", csv_bytes(GOOD), "text/csv"), "mode": "all"},
    )

    job = wait_for(lambda: finished(queued_job(response)))
    assert job.status == JobStatus.DONE
    assert (job.report["created"], job.report["error_count"]) == (3, 0)
    assert Call.objects.count() == 3
    assert "<strong>3 created</strong>" in client.get(job.get_absolute_url()).content.decode()
