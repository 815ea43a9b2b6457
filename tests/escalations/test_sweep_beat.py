"""End to end: Celery beat schedules the sweep and the stale audit, a real worker runs them:
an escalation moves, a stale record is filed and its lead told."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from apps.audits.models import AuditFinding, FindingKind
from apps.core.choices import Severity, Tier
from apps.core.models import OutboxMessage, TaskRun
from apps.core.schedules import sync_schedules
from apps.escalations.models import Escalation
from apps.escalations.tasks import SWEEP_TASK
from apps.interruptions.models import Interruption
from apps.notifications.models import Notification
from tests.celery_worker import _database_url, running_worker, wait_for
from tests.escalations.test_sweep import _escalate, category, matrix  # noqa: F401
from tests.factories import InterruptionFactory

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

STALE_AUDIT = "apps.audits.tasks.audit_stale_records"


def _start_beat(tmp_path):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
    }
    log = (tmp_path / "beat.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--loglevel",
            "INFO",
            "--pidfile",
            str(tmp_path / "beat.pid"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def test_beat_and_a_worker_move_a_due_escalation_and_audit(
    world,
    matrix,  # noqa: F811
    category,  # noqa: F811
    tmp_path,
):
    escalation = _escalate(world, category, timezone.now() - timedelta(minutes=45))
    stale = InterruptionFactory(client=world.client_a, severity=Severity.SEV1)
    Interruption.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(hours=5))
    with running_worker(tmp_path) as worker:
        sync_schedules()
        every_two_seconds, _ = IntervalSchedule.objects.get_or_create(
            every=2, period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.filter(
            task__in=["apps.escalations.tasks.sweep_escalations", STALE_AUDIT]
        ).update(interval=every_two_seconds, crontab=None, queue=worker["queue"], enabled=True)
        beat, log = _start_beat(tmp_path)
        try:
            moved = wait_for(
                lambda: Escalation.objects.filter(pk=escalation.pk, tier=Tier.TECHNICAL).first(),
                timeout=60,
            )
            run = wait_for(
                lambda: TaskRun.objects.filter(task=SWEEP_TASK, finished_at__isnull=False).first()
            )
            finding = wait_for(
                lambda: AuditFinding.objects.filter(record_reference=stale.reference).first()
            )
            told = wait_for(
                lambda: Notification.objects.filter(
                    recipient=world.lead, event_key=f"audit:{finding.fingerprint}"
                ).first()
            )
        finally:
            beat.terminate()
            beat.wait(timeout=20)
            log.close()
            print((tmp_path / "beat.log").read_text()[-3000:])
    assert moved.team == world.team_a2
    assert run.outcome["moved"] >= 1
    assert finding.kind == FindingKind.STALE
    assert told.reference == stale.reference
    # Its e-mail went through the outbox (the worker's own queue is not this test's).
    assert OutboxMessage.objects.filter(
        task_name="apps.notifications.tasks.send_notification_email", args=[told.pk]
    ).exists()
