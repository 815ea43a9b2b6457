"""End to end: Celery beat fires the monthly SLA report again and again, a real worker runs it,
and each lead of the client gets one e-mail."""

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from apps.core.models import TaskRun
from apps.core.schedules import sync_schedules
from apps.reports.models import MonthlyReportDelivery
from apps.reports.tasks import MONTHLY_TASK
from tests.celery_worker import mails, running_worker, wait_for
from tests.escalations.test_sweep_beat import _start_beat

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def test_beat_firing_repeatedly_sends_each_lead_one_report(world, tmp_path):
    # Neither client has a calendar: 24×7, so last month's report is due since the 1st.
    world.client_b.active = False
    world.client_b.save(update_fields=["active"])
    with running_worker(tmp_path) as worker:
        sync_schedules()
        every_second, _ = IntervalSchedule.objects.get_or_create(
            every=1, period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.filter(task="apps.reports.tasks.send_monthly_sla_reports").update(
            interval=every_second, crontab=None, queue=worker["queue"], enabled=True
        )
        beat, log = _start_beat(tmp_path)
        try:
            wait_for(
                lambda: (
                    TaskRun.objects.filter(task=MONTHLY_TASK, finished_at__isnull=False).count()
                    >= 3
                ),
                timeout=60,
            )
        finally:
            beat.terminate()
            beat.wait(timeout=20)
            log.close()
    sent = mails(worker["mail_dir"])
    assert len(sent) == 1
    assert "To: lead@example.test" in sent[0]
    assert "Acme Retail" in sent[0]
    delivery = MonthlyReportDelivery.objects.get()
    assert delivery.client == world.client_a and delivery.sent_at is not None
    runs = TaskRun.objects.filter(task=MONTHLY_TASK, finished_at__isnull=False).order_by("pk")
    assert [len(run.outcome["sent"]) for run in runs][:3] == [1, 0, 0]
