"""Periodic tasks are declared once in code and synced into Celery beat's database tables,
where administrators may change them and a later sync leaves their changes alone."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from apps.core.schedules import (
    SCHEDULES,
    WAITING,
    Schedule,
    registered_task_names,
    sync_schedules,
)

pytestmark = pytest.mark.django_db

FLUSH = "Outbox flush"
SWEEP = "Escalation sweep"


def _entry(name: str) -> PeriodicTask:
    return PeriodicTask.objects.select_related("interval", "crontab").get(name=name)


def _cadence(entry: PeriodicTask) -> str:
    if entry.interval:
        return f"every {entry.interval.every} {entry.interval.period}"
    crontab = entry.crontab
    return f"daily at {int(crontab.hour):02d}:{int(crontab.minute):02d} {crontab.timezone}"


@pytest.fixture
def clean_beat():
    """Beat's tables as on a fresh database (migrate has already synced the test database)."""
    PeriodicTask.objects.all().delete()
    IntervalSchedule.objects.all().delete()
    CrontabSchedule.objects.all().delete()


def test_every_periodic_task_of_the_domain_is_declared_with_its_cadence_and_reason():
    declared = {schedule.name: (schedule.every, schedule.daily_at) for schedule in SCHEDULES}
    assert declared == {
        "Outbox flush": (timedelta(minutes=1), None),
        "Webhook retries": (timedelta(minutes=1), None),
        "Summary fold": (timedelta(minutes=1), None),
        "Escalation sweep": (timedelta(minutes=1), None),
        "Breach stamping": (timedelta(minutes=1), None),
        "SLA breach filing": (timedelta(minutes=5), None),
        "Maintenance overrun audit": (timedelta(minutes=15), None),
        "Stale record audit": (timedelta(hours=1), None),
        "Completeness audit": (None, "02:00"),
        "Recurrence audit": (None, "02:30"),
        "Missed-call follow-up": (timedelta(minutes=15), None),
        "Personal data retention": (None, "03:00"),
        "Export and import jobs": (timedelta(minutes=5), None),
        "Monthly SLA report": (timedelta(hours=1), None),
        "Downtime upkeep": (timedelta(minutes=1), None),
        "Alert intake sweep": (timedelta(minutes=1), None),
    }
    assert all(len(schedule.why) > 40 for schedule in SCHEDULES)
    assert len({schedule.task for schedule in SCHEDULES}) == len(SCHEDULES)


def test_a_schedule_has_exactly_one_cadence():
    with pytest.raises(ValueError, match="exactly one"):
        Schedule(name="x", task="x", why="x")
    with pytest.raises(ValueError, match="exactly one"):
        Schedule(name="x", task="x", why="x", every=timedelta(minutes=1), daily_at="01:00")


def test_the_outbox_flush_is_a_registered_task():
    assert "apps.core.tasks.flush_outbox" in registered_task_names()


def test_migrate_has_already_put_the_schedule_in_the_database():
    entry = _entry(FLUSH)
    assert entry.task == "apps.core.tasks.flush_outbox"
    assert entry.enabled
    assert set(PeriodicTask.objects.values_list("name", flat=True)) >= {s.name for s in SCHEDULES}


def test_a_sync_creates_every_entry_with_its_cadence(clean_beat, settings):
    result = sync_schedules(registered={"apps.core.tasks.flush_outbox"})

    assert result.created == [schedule.name for schedule in SCHEDULES]
    assert _cadence(_entry(FLUSH)) == "every 1 minutes"
    assert _cadence(_entry("SLA breach filing")) == "every 5 minutes"
    assert _cadence(_entry("Stale record audit")) == "every 1 hours"
    assert _cadence(_entry("Missed-call follow-up")) == "every 15 minutes"
    assert _cadence(_entry("Completeness audit")) == f"daily at 02:00 {settings.TIME_ZONE}"
    assert _cadence(_entry("Personal data retention")) == f"daily at 03:00 {settings.TIME_ZONE}"
    assert _entry(FLUSH).description.startswith("Tasks queued while the broker was down")
    # Entries share their schedules: two every-minute tasks, one interval row.
    assert IntervalSchedule.objects.filter(every=1, period="minutes").count() == 1


def test_tasks_not_installed_yet_are_created_off_and_marked_waiting(clean_beat):
    result = sync_schedules(registered={"apps.core.tasks.flush_outbox"})

    assert SWEEP in result.waiting and FLUSH not in result.waiting
    sweep = _entry(SWEEP)
    assert not sweep.enabled
    assert sweep.description.startswith(WAITING)
    assert _entry(FLUSH).enabled


def test_a_second_sync_changes_nothing(clean_beat):
    registered = {"apps.core.tasks.flush_outbox"}
    sync_schedules(registered=registered)
    before = list(PeriodicTask.objects.order_by("name").values())

    result = sync_schedules(registered=registered)

    assert (result.created, result.updated) == ([], [])
    assert list(PeriodicTask.objects.order_by("name").values()) == before


def test_a_waiting_entry_is_switched_on_once_its_task_exists(clean_beat):
    sweep_task = next(s.task for s in SCHEDULES if s.name == SWEEP)
    sync_schedules(registered=set())

    result = sync_schedules(registered={sweep_task})

    assert SWEEP in result.updated
    sweep = _entry(SWEEP)
    assert sweep.enabled
    assert not sweep.description.startswith(WAITING)
    assert _cadence(sweep) == "every 1 minutes"


def test_an_administrators_cadence_and_switch_are_kept(clean_beat):
    registered = {schedule.task for schedule in SCHEDULES}
    sync_schedules(registered=registered)
    sweep = _entry(SWEEP)
    sweep.interval = IntervalSchedule.objects.create(every=2, period="minutes")
    sweep.save()
    flush = _entry(FLUSH)
    flush.enabled = False  # an administrator pauses it
    flush.save()

    sync_schedules(registered=registered)

    assert _cadence(_entry(SWEEP)) == "every 2 minutes"
    assert not _entry(FLUSH).enabled


def test_a_renamed_task_path_is_updated_and_the_cadence_kept(clean_beat):
    old = (Schedule(name="Nightly job", task="apps.old.tasks.job", why="w", daily_at="01:00"),)
    sync_schedules(old, registered={"apps.old.tasks.job"})
    entry = _entry("Nightly job")
    entry.crontab = CrontabSchedule.objects.create(minute="15", hour="4")
    entry.save()

    new = (Schedule(name="Nightly job", task="apps.new.tasks.job", why="w", daily_at="01:00"),)
    result = sync_schedules(new, registered={"apps.new.tasks.job"})

    assert result.updated == ["Nightly job"]
    entry = _entry("Nightly job")
    assert entry.task == "apps.new.tasks.job"
    assert (entry.crontab.hour, entry.crontab.minute) == ("4", "15")
    assert entry.enabled


def test_a_task_that_disappears_is_switched_off_until_it_returns(clean_beat):
    schedules = (Schedule(name="Job", task="apps.x.tasks.job", why="w", every=timedelta(hours=1)),)
    sync_schedules(schedules, registered={"apps.x.tasks.job"})

    sync_schedules(schedules, registered=set())
    assert not _entry("Job").enabled
    assert _entry("Job").description.startswith(WAITING)

    sync_schedules(schedules, registered={"apps.x.tasks.job"})
    assert _entry("Job").enabled


def test_entries_no_longer_declared_are_left_to_the_administrators(clean_beat):
    interval = IntervalSchedule.objects.create(every=10, period="minutes")
    PeriodicTask.objects.create(name="Hand-made", task="apps.x.tasks.y", interval=interval)
    sync_schedules()
    assert PeriodicTask.objects.filter(name="Hand-made", enabled=True).exists()


def test_the_command_reports_what_it_did(clean_beat, capsys):
    call_command("sync_schedules")
    first = capsys.readouterr().out
    assert "Created: Outbox flush" in first
    call_command("sync_schedules")
    assert "Schedules already up to date." in capsys.readouterr().out


def test_administrators_see_the_schedule_in_the_admin(world, client):
    client.force_login(world.admin)
    response = client.get("/admin/django_celery_beat/periodictask/")
    assert response.status_code == 200
    assert FLUSH in response.content.decode()
