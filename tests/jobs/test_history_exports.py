"""A history export of many records runs as a job, with the list's scope and masking."""

import csv
import io

import pytest
from django.urls import reverse

from apps.jobs.models import Job, JobStatus
from apps.jobs.running import job_run
from tests.background_jobs import queued_job
from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory

pytestmark = pytest.mark.django_db


def _download_rows(client, job: Job) -> list[list[str]]:
    response = client.get(reverse("jobs:download", kwargs={"pk": job.pk}))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_a_long_history_export_becomes_a_job_of_the_lists_records(world, client, storage, settings):
    InterruptionFactory.create_batch(2, client=world.client_a, severity="SEV2")
    InterruptionFactory(client=world.client_a, severity="SEV4")
    InterruptionFactory(client=world.client_b, severity="SEV2", title="Globex only")
    client.force_login(world.auditor)
    settings.HISTORY_EXPORT_BACKGROUND_RECORDS = 2
    assert client.get("/interruptions/history.csv?severity=SEV4").status_code == 200

    settings.HISTORY_EXPORT_BACKGROUND_RECORDS = 1
    response = client.get("/interruptions/history.csv?severity=SEV2")
    job = Job.objects.get(pk=queued_job(response))
    assert job.parameters == {
        "list": "interruptions:list",
        "query": "severity=SEV2",
        "format": "history",
    }
    assert job_run(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (JobStatus.DONE, 2, 2)
    assert job.download_name.startswith("interruptions-history-")
    header, *rows = _download_rows(client, job)
    assert header[:3] == ["Reference", "Kind", "Version date"]
    assert len({row[0] for row in rows}) == 2
    assert "Globex only" not in str(rows)


def test_the_job_masks_personal_data_as_the_list_does(world, client, storage, settings):
    CallFactory(client=world.client_a, caller_number="+44 20 7946 0958", customer_name="Jane Doe")
    settings.HISTORY_EXPORT_BACKGROUND_RECORDS = 0
    client.force_login(world.auditor)
    job = Job.objects.get(pk=queued_job(client.get("/calls/history.csv")))

    job_run(job.pk)

    shown = {row[4]: row[6] for row in _download_rows(client, job)[1:]}
    assert (shown["Caller number"], shown["Customer name"]) == ("•••• 0958", "••••")
    assert "Jane Doe" not in str(shown)
