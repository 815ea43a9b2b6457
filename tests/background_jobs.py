"""Running a background job (export, import) in the test's own process, where a test of a
page wants its outcome rather than the worker's delivery (tests/jobs has the worker tests)."""

import re

from django.urls import reverse

from apps.jobs.running import job_run

JOB_PAGE = re.compile(r"/jobs/(?P<pk>\d+)/$")


def queued_job(response) -> int | None:
    """The job a response redirected to, if it did."""
    if response.status_code != 302:
        return None
    match = JOB_PAGE.search(response["Location"])
    return int(match["pk"]) if match else None


def run_followed(client, response):
    """Run the job `response` redirected to, then open its page; other responses as they are."""
    pk = queued_job(response)
    if pk is None:
        return response
    job_run(pk)
    return client.get(reverse("jobs:detail", kwargs={"pk": pk}))


def exported(client, url: str):
    """The file of an export, whether the list answered it at once or as a job."""
    response = client.get(url)
    pk = queued_job(response)
    if pk is None:
        return response
    job_run(pk)
    return client.get(reverse("jobs:download", kwargs={"pk": pk}))
