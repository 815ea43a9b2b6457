"""Call imports as background jobs: the stored upload, progress, the report by line, cancel."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.calls.importing import ImportMode
from apps.calls.models import Call
from apps.jobs.models import Job, JobKind, JobStatus
from apps.jobs.running import job_run
from apps.jobs.services import Progress, job_claim
from tests.background_jobs import queued_job
from tests.calls.test_import import BAD, GOOD, csv_bytes

pytestmark = pytest.mark.django_db


def post(client, content: bytes, mode=ImportMode.ALL_OR_NOTHING, name="export.csv"):
    return client.post(
        "/calls/import/", {"file": SimpleUploadedFile(name, content, "text/csv"), "mode": mode}
    )


def test_an_import_is_stored_and_run_as_a_job_with_its_report(world, client, codes, storage):
    client.force_login(world.lead)

    response = post(client, csv_bytes(GOOD))

    job = Job.objects.get(pk=queued_job(response))
    assert (job.kind, job.status, job.parameters) == (
        JobKind.CALL_IMPORT,
        JobStatus.QUEUED,
        {"mode": "all", "filename": "export.csv"},
    )
    assert (storage / job.source.name).read_bytes() == csv_bytes(GOOD)
    assert not Call.objects.exists()

    assert job_run(job.pk) == "done"

    job.refresh_from_db()
    assert Call.objects.count() == 3
    assert (job.report["created"], job.report["rows"], job.rows_done) == (3, 3, 3)
    content = client.get(job.get_absolute_url()).content.decode()
    assert "<strong>3 created</strong>" in content
    assert "hx-trigger" not in content


def test_bad_rows_are_reported_by_line_on_the_job_page(world, client, codes, storage):
    client.force_login(world.lead)
    job = Job.objects.get(pk=queued_job(post(client, csv_bytes(BAD))))

    job_run(job.pk)

    content = client.get(job.get_absolute_url()).content.decode()
    assert "Nothing was imported, because some rows are invalid." in content
    assert "<td>8</td><td>agent “agent_b” does not work for acme</td>" in content
    assert not Call.objects.exists()


def test_importing_the_same_file_twice_adds_nothing(world, client, codes, storage):
    client.force_login(world.lead)
    first = Job.objects.get(pk=queued_job(post(client, csv_bytes(GOOD))))
    job_run(first.pk)

    again = client.post(reverse("jobs:again", kwargs={"pk": first.pk}))
    second = Job.objects.get(pk=queued_job(again))
    job_run(second.pk)

    second.refresh_from_db()
    assert (second.report["created"], second.report["skipped"]) == (0, 3)
    assert Call.objects.count() == 3


def test_a_small_check_is_answered_at_once_and_a_large_one_runs_as_a_job(
    world, client, codes, storage, settings
):
    client.force_login(world.lead)

    response = post(client, csv_bytes(GOOD), mode=ImportMode.CHECK)
    assert response.status_code == 200
    assert response.context["report"].valid == 3
    assert not Job.objects.exists()

    settings.CALL_IMPORT_INLINE_CHECK_BYTES = 10
    job = Job.objects.get(pk=queued_job(post(client, csv_bytes(GOOD), mode=ImportMode.CHECK)))
    job_run(job.pk)
    job.refresh_from_db()
    assert (job.report["valid"], job.report["created"]) == (3, 0)
    assert not Call.objects.exists()


def test_a_cancelled_import_writes_nothing(world, client, codes, storage):
    client.force_login(world.lead)
    job = Job.objects.get(pk=queued_job(post(client, csv_bytes(GOOD))))
    claimed = job_claim(job.pk)
    progress = Progress(claimed)
    answers = iter([False, True])  # cancelled once the check has started

    from apps.jobs.importing import run_import
    from apps.jobs.services import JobStopped

    progress.should_cancel = lambda: next(answers, True)
    with pytest.raises(JobStopped):
        run_import(claimed, progress)

    assert not Call.objects.exists()


def test_the_import_page_shows_the_progress_while_running(world, client, codes, storage):
    client.force_login(world.lead)
    job = Job.objects.get(pk=queued_job(post(client, csv_bytes(GOOD))))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, rows_done=2, rows_total=6)

    content = client.get(job.get_absolute_url()).content.decode()

    assert "2 of 6 rows" in content
    assert 'hx-trigger="every 2s"' in content
    assert "Cancel" in content
