"""The alert e-mail travels the real path: commit → Redis → a Celery worker process → SMTP."""

import pytest

from apps.core.models import AlertDelivery
from apps.interruptions.services import interruption_create
from tests.celery_worker import finished_tasks, mails, running_worker, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    """A real Celery worker on its own queue, sharing this test's PostgreSQL database."""
    with running_worker(tmp_path) as running:
        yield running


def test_sev1_interruption_alerts_team_leads_once_through_a_real_worker(world, worker):
    world.lead.email = "lead@example.test"
    world.lead.save()

    interruption = interruption_create(
        actor=world.agent,
        values={
            "client": world.client_a,
            "kind": "outage",
            "title": "Telephony down",
            "severity": "SEV1",
            "occurred_at": "2026-11-20T09:00:00Z",
        },
        affected_services=[world.service_a2],
    )

    delivery = wait_for(lambda: AlertDelivery.objects.filter(object_id=interruption.pk).first())
    assert delivery.recipients == "lead@example.test"
    sent = wait_for(lambda: mails(worker["mail_dir"]))
    assert len(sent) == 1
    assert interruption.reference in sent[0]
    assert "lead@example.test" in sent[0]
    assert "Telephony platform" in sent[0]

    # A second delivery of the same task (a retry, a duplicate) sends nothing more.
    from apps.interruptions.tasks import send_interruption_alert

    send_interruption_alert.apply_async(args=[interruption.pk], queue=worker["queue"])
    wait_for(lambda: finished_tasks(worker["log_file"]) >= 2)
    assert AlertDelivery.objects.filter(object_id=interruption.pk).count() == 1
    assert len(mails(worker["mail_dir"])) == 1
