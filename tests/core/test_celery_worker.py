"""The alert e-mail travels the real path: commit → Redis → a Celery worker process → SMTP."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.core.models import AlertDelivery
from apps.interruptions.services import interruption_create
from config.celery import app

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    config = connection.settings_dict
    user = config.get("USER") or "postgres"
    return f"postgres://{user}@{config['HOST']}:{config['PORT'] or 5432}/{config['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A real Celery worker on its own queue, sharing this test's PostgreSQL database."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the worker tests on PostgreSQL with REDIS_URL set")
        pytest.skip("needs REDIS_URL and PostgreSQL (a worker cannot share SQLite in memory)")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    log_file = tmp_path / "worker.log"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool",
        "solo",
        "--queues",
        queue,
        "--loglevel",
        "INFO",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--logfile",
        str(log_file),
    ]
    log = log_file.open("w")
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield {"queue": queue, "mail_dir": mail_dir, "log_file": log_file}
    finally:
        app.conf.task_default_queue = previous_queue
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        print(log_file.read_text()[-4000:])


def _wait_for(condition, timeout: float = 45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError("timed out waiting for the worker")


def _mails(mail_dir: Path) -> list[str]:
    if not mail_dir.exists():
        return []
    return [path.read_text() for path in sorted(mail_dir.iterdir())]


def _finished_tasks(log_file: Path) -> int:
    """How many tasks the worker has finished, from its log."""
    return log_file.read_text().count("succeeded in") if log_file.exists() else 0


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

    delivery = _wait_for(lambda: AlertDelivery.objects.filter(object_id=interruption.pk).first())
    assert delivery.recipients == "lead@example.test"
    mails = _wait_for(lambda: _mails(worker["mail_dir"]))
    assert len(mails) == 1
    assert interruption.reference in mails[0]
    assert "lead@example.test" in mails[0]
    assert "Telephony platform" in mails[0]

    # A second delivery of the same task (a retry, a duplicate) sends nothing more.
    from apps.interruptions.tasks import send_interruption_alert

    send_interruption_alert.apply_async(args=[interruption.pk], queue=worker["queue"])
    _wait_for(lambda: _finished_tasks(worker["log_file"]) >= 2)
    assert AlertDelivery.objects.filter(object_id=interruption.pk).count() == 1
    assert len(_mails(worker["mail_dir"])) == 1
