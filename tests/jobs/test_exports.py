"""Exports as background jobs: queued from the list, run for the requester only, kept 24 h."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.calls.models import Call
from apps.core.listing import exports
from apps.core.models import OutboxMessage
from apps.interruptions.models import Interruption
from apps.jobs.models import Job, JobStatus
from apps.jobs.running import job_run
from apps.jobs.services import job_claim, jobs_sweep
from apps.notifications.models import Notification
from apps.notifications.services import notification_send_email
from tests.background_jobs import queued_job
from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def interruptions(world):
    return [
        *InterruptionFactory.create_batch(5, client=world.client_a, severity="SEV2"),
        InterruptionFactory(client=world.client_b, title="Globex only"),
    ]


def queue(client, url: str) -> Job:
    response = client.get(url)
    pk = queued_job(response)
    assert pk is not None, response
    assert response["Location"] == reverse("jobs:detail", kwargs={"pk": pk})
    return Job.objects.get(pk=pk)


def workbook_rows(content: bytes) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def download(client, job: Job):
    return client.get(reverse("jobs:download", kwargs={"pk": job.pk}))


def test_an_xlsx_export_runs_as_a_job_of_the_requesters_scope(
    world, client, storage, interruptions
):
    client.force_login(world.auditor)

    job = queue(client, "/interruptions/?severity=SEV2&_export=xlsx")

    assert (job.status, job.requester, job.parameters) == (
        JobStatus.QUEUED,
        world.auditor,
        {"list": "interruptions:list", "query": "severity=SEV2", "format": "xlsx"},
    )
    assert job_run(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (JobStatus.DONE, 5, 5)
    assert job.expires_at == job.finished_at + timedelta(hours=24)
    response = download(client, job)
    assert response.status_code == 200
    assert 'filename="interruptions-' in response["Content-Disposition"]
    sheets = workbook_rows(b"".join(response.streaming_content))
    (rows,) = sheets.values()
    assert len(rows) == 6
    assert sorted(row[0] for row in rows[1:]) == sorted(
        Interruption.objects.filter(client=world.client_a).values_list("reference", flat=True)
    )
    assert "Globex only" not in str(rows)


def test_the_requester_is_told_once_in_the_portal_and_by_email(
    world, client, storage, interruptions
):
    world.auditor.email = "auditor@example.test"
    world.auditor.save()
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")

    job_run(job.pk)
    job_run(job.pk)  # delivered twice: nothing more

    told = Notification.objects.get(recipient=world.auditor)
    assert told.url == job.get_absolute_url()
    assert told.client_id is None
    queued = OutboxMessage.objects.filter(task_name__endswith="send_notification_email")
    assert [message.args for message in queued] == [[told.pk]]
    notification_send_email(told.pk)
    assert len(mail.outbox) == 1
    assert f"/jobs/{job.pk}/" in mail.outbox[0].body
    # The link, not the data.
    assert Interruption.objects.first().reference not in mail.outbox[0].body
    assert client.get("/notifications/").content.decode().count(told.subject) == 1


def test_a_large_csv_export_becomes_a_job_and_a_small_one_streams(
    world, client, storage, interruptions, settings
):
    client.force_login(world.auditor)
    settings.EXPORT_BACKGROUND_ROWS = 5

    assert client.get("/interruptions/?severity=SEV2&_export=csv").status_code == 200
    settings.EXPORT_BACKGROUND_ROWS = 4
    job = queue(client, "/interruptions/?severity=SEV2&_export=csv")

    job_run(job.pk)
    text = b"".join(download(client, job).streaming_content).decode()
    assert len(text.strip().splitlines()) == 6
    assert "Globex only" not in text


def test_call_exports_are_masked_in_the_job_as_on_the_page(world, client, storage):
    CallFactory(client=world.client_a, caller_number="+44 20 7946 0958", customer_name="Jane Doe")
    client.force_login(world.auditor)
    job = queue(client, "/calls/?_export=xlsx")

    job_run(job.pk)

    ((header, line),) = workbook_rows(b"".join(download(client, job).streaming_content)).values()
    shown = dict(zip(header, line, strict=True))
    assert (shown["Caller number"], shown["Customer name"]) == ("•••• 0958", "••••")
    assert Call.objects.get().customer_name == "Jane Doe"


def test_an_export_past_a_sheets_rows_goes_on_in_the_next_sheet(
    world, client, storage, interruptions, monkeypatch
):
    monkeypatch.setattr(exports, "XLSX_SHEET_ROWS", 2)
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")

    job_run(job.pk)

    sheets = workbook_rows(b"".join(download(client, job).streaming_content))
    assert list(sheets) == ["Export", "Export 2", "Export 3"]
    assert [len(rows) for rows in sheets.values()] == [3, 3, 2]
    assert len({row[0] for rows in sheets.values() for row in rows[1:]}) == 5


def test_only_the_requester_reaches_a_job(world, client, storage, interruptions):
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")
    job_run(job.pk)

    for other in (world.lead, world.admin):
        client.force_login(other)
        for name in ("detail", "progress", "download"):
            assert client.get(reverse(f"jobs:{name}", kwargs={"pk": job.pk})).status_code == 404
        assert client.post(reverse("jobs:cancel", kwargs={"pk": job.pk})).status_code == 404
        assert job.title not in client.get(reverse("jobs:list")).content.decode()


def test_after_24_hours_the_download_is_gone_and_the_sweep_deletes_the_file(
    world, client, storage, interruptions
):
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")
    job_run(job.pk)
    job.refresh_from_db()
    path = storage / job.result.name
    assert path.exists()

    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = download(client, job)
    assert response.status_code == 410
    assert "This export has expired" in response.content.decode()

    assert jobs_sweep().expired == 1
    job.refresh_from_db()
    assert (job.status, job.result.name) == (JobStatus.EXPIRED, "")
    assert not path.exists()
    assert download(client, job).status_code == 410
    assert jobs_sweep().expired == 0


def test_a_failed_export_says_why_and_offers_to_start_again(world, client, storage, interruptions):
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")
    world.auditor.groups.clear()  # no longer may export

    assert job_run(job.pk) == "failed"

    content = client.get(job.get_absolute_url()).content.decode()
    assert "The export failed: you may no longer export this list" in content
    assert "Start it again" in content
    assert download(client, job).status_code == 404


def test_the_progress_polls_while_under_way_and_stops_when_finished(
    world, client, storage, interruptions
):
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")
    progress_url = reverse("jobs:progress", kwargs={"pk": job.pk})

    page = client.get(job.get_absolute_url()).content.decode()
    assert f'hx-get="{progress_url}" hx-trigger="every 2s"' in page
    assert "Waiting for a worker" in page
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, rows_done=50, rows_total=200,
        started_at=timezone.now() - timedelta(seconds=10),
    )  # fmt: skip
    running = client.get(progress_url).content.decode()
    assert "50 of 200 rows, about 30 s left." in running
    assert "hx-trigger" in running

    job_run(job.pk)
    done = client.get(progress_url).content.decode()
    assert "hx-trigger" not in done
    assert reverse("jobs:download", kwargs={"pk": job.pk}) in done


def test_a_cancelled_job_keeps_nothing_and_its_run_stops(world, client, storage, interruptions):
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")

    response = client.post(reverse("jobs:cancel", kwargs={"pk": job.pk}), follow=True)

    assert "Cancelled" in response.content.decode()
    assert job_run(job.pk) == "skipped"
    job.refresh_from_db()
    assert (job.status, job.result.name) == (JobStatus.CANCELLED, "")
    assert not Notification.objects.exists()


def test_a_cancellation_while_running_stops_the_run(world, client, storage, interruptions):
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")
    claimed = job_claim(job.pk)
    client.post(reverse("jobs:cancel", kwargs={"pk": job.pk}))

    from apps.jobs.exporting import run_export
    from apps.jobs.services import JobStopped, Progress

    with pytest.raises(JobStopped):
        run_export(claimed, Progress(claimed))
    assert not any(storage.rglob("*.xlsx"))


def test_a_job_run_again_after_a_worker_died_starts_over_cleanly(
    world, client, storage, interruptions
):
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")
    first = job_claim(job.pk)  # a worker took it, then died
    Job.objects.filter(pk=job.pk).update(rows_done=3, rows_total=5)

    assert job_run(job.pk) == "done"  # the message, delivered again

    job.refresh_from_db()
    assert (job.status, job.attempt, job.rows_done) == (JobStatus.DONE, 2, 5)
    assert "Started over" not in client.get(job.get_absolute_url()).content.decode()
    # The first run, had it lived on, can write nothing more.
    from apps.jobs.services import JobStopped, Progress

    with pytest.raises(JobStopped):
        Progress(first).update(1, force=True)
    assert job_run(job.pk) == "skipped"
    assert Notification.objects.filter(recipient=world.auditor).count() == 1
    assert len(list(storage.rglob("*.xlsx"))) == 1


def test_the_sweep_queues_a_stalled_job_again_then_fails_it(
    world, client, storage, interruptions, settings
):
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")
    settings.JOB_MAX_ATTEMPTS = 2
    late = timezone.now() + timedelta(minutes=settings.JOB_STALLED_MINUTES + 1)

    job_claim(job.pk)
    page = client.get(job.get_absolute_url())
    assert jobs_sweep(now=late).requeued == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    job_claim(job.pk)
    stalled = client.get(reverse("jobs:progress", kwargs={"pk": job.pk})).content.decode()
    assert "Started over (attempt 2)" in stalled
    assert jobs_sweep(now=late).failed == 1

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    content = client.get(job.get_absolute_url()).content.decode()
    assert "The export failed: The worker running it stopped" in content
    assert page.status_code == 200


def test_a_job_started_again_is_a_new_job_with_the_same_parameters(
    world, client, storage, interruptions
):
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?severity=SEV2&_export=xlsx")
    job_run(job.pk)

    response = client.post(reverse("jobs:again", kwargs={"pk": job.pk}))

    again = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == again.get_absolute_url()
    assert (again.parameters, again.status) == (job.parameters, JobStatus.QUEUED)


def test_the_list_shows_ones_own_jobs(world, client, storage, interruptions):
    client.force_login(world.auditor)
    job = queue(client, "/interruptions/?_export=xlsx")
    job_run(job.pk)

    content = client.get(reverse("jobs:list")).content.decode()

    assert job.title in content
    assert reverse("jobs:download", kwargs={"pk": job.pk}) in content
