"""End to end: Celery beat schedules the sweep, a real worker runs it, an escalation moves."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from apps.core.choices import Tier
from apps.core.models import TaskRun
from apps.core.schedules import sync_schedules
from apps.escalations.models import Escalation
from apps.escalations.tasks import SWEEP_TASK
from tests.celery_worker import _database_url, running_worker, wait_for
from tests.escalations.test_sweep import _escalate, category, matrix  # noqa: F401

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


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


def test_beat_and_a_worker_move_a_due_escalation(world, matrix, category, tmp_path):  # noqa: F811
    escalation = _escalate(world, category, timezone.now() - timedelta(minutes=45))
    with running_worker(tmp_path) as worker:
        sync_schedules()
        every_two_seconds, _ = IntervalSchedule.objects.get_or_create(
            every=2, period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.filter(task="apps.escalations.tasks.sweep_escalations").update(
            interval=every_two_seconds, queue=worker["queue"], enabled=True
        )
        beat, log = _start_beat(tmp_path)
        try:
            moved = wait_for(
                lambda: Escalation.objects.filter(pk=escalation.pk, tier=Tier.TECHNICAL).first(),
                timeout=60,
            )
            run = wait_for(
                lambda: TaskRun.objects.filter(task=SWEEP_TASK, finished_at__isnull=False).first()
            )
        finally:
            beat.terminate()
            beat.wait(timeout=20)
            log.close()
            print((tmp_path / "beat.log").read_text()[-3000:])
    assert moved.team == world.team_a2
    assert run.outcome["moved"] >= 1
