"""Every periodic task of the portal, declared once, with why it runs when it runs.

Celery beat reads its schedule from the database (django-celery-beat), where administrators
see and change it in the admin. `sync_schedules()` (the `sync_schedules` command, also run
after every `migrate`) brings the database in line with this list:

- an entry that does not exist yet is created with the cadence declared here;
- an existing entry gets the task path and description declared here, but keeps its cadence
  and its on/off switch: what an administrator changed in the admin stays as they left it;
- an entry whose task is not installed in this code base (a task still being built, or
  renamed) is created, or switched, off, and marked as waiting; it is switched on by the
  first sync that finds the task, unless an administrator had switched it off themselves.

Entries that are no longer declared here are left alone: an administrator removes them.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

WAITING = "Off until its task is installed; the next schedule sync switches it on. "


@dataclass(frozen=True)
class Schedule:
    """One periodic task: `every` (an interval) or `daily_at` ("HH:MM", centre's time zone)."""

    name: str
    task: str
    why: str
    every: timedelta | None = None
    daily_at: str | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"{self.name}: give exactly one of `every` and `daily_at`")


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        name="Outbox flush",
        task="apps.core.tasks.flush_outbox",
        every=timedelta(minutes=1),
        why="Tasks queued while the broker was down go out within a minute of its return; "
        "an empty outbox costs one indexed query.",
    ),
    Schedule(
        name="Webhook retries",
        task="apps.webhooks.tasks.retry_webhooks",
        every=timedelta(minutes=1),
        why="The shortest backoff of a failed webhook delivery is a minute; a run with "
        "nothing due costs one indexed query.",
    ),
    Schedule(
        name="Summary fold",
        task="apps.core.tasks.fold_summaries",
        every=timedelta(minutes=1),
        why="Reads sum the deltas not folded yet: folding each minute keeps them to a minute "
        "of writes, so the figures above every list stay a small read.",
    ),
    Schedule(
        name="Escalation sweep",
        task="apps.escalations.tasks.sweep_escalations",
        every=timedelta(minutes=1),
        why="Tier deadlines are minutes apart for SEV1: an escalation must move up, or its "
        "80% warning go out, within a minute of the deadline.",
    ),
    Schedule(
        name="Breach stamping",
        task="apps.sla.tasks.stamp_breaches",
        every=timedelta(minutes=1),
        why="A record is breached the minute its due time passes: lists, figures and exports "
        "read the stamp, so it is set within a minute; a run with nothing to stamp costs "
        "one indexed query per log.",
    ),
    Schedule(
        name="SLA breach filing",
        task="apps.failures.tasks.file_sla_breaches",
        every=timedelta(minutes=5),
        why="The breach itself is recorded by the sweep at once; filing its compliance "
        "report within five minutes is soon enough for the people who read it.",
    ),
    Schedule(
        name="Stale record audit",
        task="apps.audits.tasks.audit_stale_records",
        every=timedelta(hours=1),
        why="Staleness limits are hours (SEV1) to days (SEV4): an hourly look finds every "
        "stale record in time without scanning open records every minute.",
    ),
    Schedule(
        name="Maintenance overrun audit",
        task="apps.audits.tasks.audit_maintenance_overruns",
        every=timedelta(minutes=15),
        why="An overrunning window stops holding clocks once past its limit: within a quarter "
        "hour the lead is told and the clocks it held run again; the query reads only "
        "maintenance still under way.",
    ),
    Schedule(
        name="Completeness audit",
        task="apps.audits.tasks.audit_completeness",
        daily_at="02:00",
        why="Resolved and closed records change rarely once done; one pass at night, when the "
        "floor is quiet, finds the day's gaps before the morning review.",
    ),
    Schedule(
        name="Recurrence audit",
        task="apps.audits.tasks.audit_recurrence",
        daily_at="02:30",
        why="Recurring problems show over days and weeks; a nightly count over the window is "
        "enough, after the completeness audit so the two do not compete.",
    ),
    Schedule(
        name="Missed-call follow-up",
        task="apps.calls.tasks.follow_up_missed_calls",
        every=timedelta(minutes=15),
        why="Calls arrive in telephony exports every few minutes; a customer who could not get "
        "through is called back within the quarter hour.",
    ),
    Schedule(
        name="Personal data retention",
        task="apps.core.tasks.apply_retention",
        daily_at="03:00",
        why="Retention is counted in months: a nightly pass anonymises what passed its limit "
        "the day before, at the quietest hour.",
    ),
    Schedule(
        name="Monthly SLA report",
        task="apps.reports.tasks.send_monthly_sla_reports",
        every=timedelta(hours=1),
        why="Each client's first business day begins at its own opening hour in its own zone: "
        "an hourly look sends last month's report within the hour the day begins; a client "
        "already served costs one indexed query.",
    ),
    Schedule(
        name="Downtime upkeep",
        task="apps.reports.tasks.settle_downtime",
        every=timedelta(minutes=1),
        why="An availability report first recomputes the days that writes have made stale: "
        "settling them each minute keeps that to a minute of writes, so the report stays a "
        "small read after a burst of them; none stale costs one indexed query.",
    ),
    Schedule(
        name="Export and import jobs",
        task="apps.jobs.tasks.sweep_jobs",
        every=timedelta(minutes=5),
        why="Expired export files are deleted within minutes of their 24 hours, and a job "
        "whose worker died is started again (or failed) soon after it is seen stalled; "
        "both are indexed reads of a small table.",
    ),
    Schedule(
        name="Alert intake sweep",
        task="apps.intake.tasks.sweep_intake",
        every=timedelta(minutes=1),
        why="A stored alert request whose worker message was skipped (another was waiting "
        "for the same integration) or lost with its process is worked within a minute or two; "
        "when none waits it costs one indexed query.",
    ),
)


@dataclass
class SyncResult:
    created: list[str]
    updated: list[str]
    waiting: list[str]


def registered_task_names() -> set[str]:
    """The tasks this code base defines: every app's `tasks` module imported first."""
    from config.celery import app

    # Imports each installed app's `tasks` module now (beat and workers do it at start-up).
    app.autodiscover_tasks(force=True)
    return set(app.tasks.keys())


def _interval(every: timedelta):
    from django_celery_beat.models import IntervalSchedule

    seconds = int(every.total_seconds())
    unit, period = next(
        (unit, period)
        for unit, period in (
            (86400, IntervalSchedule.DAYS),
            (3600, IntervalSchedule.HOURS),
            (60, IntervalSchedule.MINUTES),
            (1, IntervalSchedule.SECONDS),
        )
        if seconds % unit == 0
    )
    found = IntervalSchedule.objects.filter(every=seconds // unit, period=period).first()
    return found or IntervalSchedule.objects.create(every=seconds // unit, period=period)


def _crontab(daily_at: str):
    from django_celery_beat.models import CrontabSchedule

    hour, minute = (str(int(part)) for part in daily_at.split(":"))
    fields = {
        "minute": minute,
        "hour": hour,
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": settings.TIME_ZONE,
    }
    return CrontabSchedule.objects.filter(**fields).first() or CrontabSchedule.objects.create(
        **fields
    )


def sync_schedules(
    schedules: tuple[Schedule, ...] = SCHEDULES, registered: set[str] | None = None
) -> SyncResult:
    """Create missing beat entries, refresh task paths; keep administrators' cadences."""
    from django_celery_beat.models import PeriodicTask

    registered = registered_task_names() if registered is None else registered
    result = SyncResult(created=[], updated=[], waiting=[])
    with transaction.atomic():
        existing = {
            entry.name: entry
            for entry in PeriodicTask.objects.select_for_update().filter(
                name__in=[schedule.name for schedule in schedules]
            )
        }
        for schedule in schedules:
            installed = schedule.task in registered
            if not installed:
                result.waiting.append(schedule.name)
            entry = existing.get(schedule.name)
            if entry is None:
                PeriodicTask.objects.create(
                    name=schedule.name,
                    task=schedule.task,
                    interval=_interval(schedule.every) if schedule.every else None,
                    crontab=_crontab(schedule.daily_at) if schedule.daily_at else None,
                    enabled=installed,
                    description=schedule.why if installed else WAITING + schedule.why,
                )
                result.created.append(schedule.name)
            elif _refresh(entry, schedule, installed):
                result.updated.append(schedule.name)
    return result


def _refresh(entry, schedule: Schedule, installed: bool) -> bool:
    """Bring an existing entry's task and switch up to date; True if anything changed."""
    was_waiting = entry.description.startswith(WAITING)
    enabled = entry.enabled
    if not installed and entry.enabled:
        enabled, was_waiting = False, True
    elif installed and was_waiting:
        enabled, was_waiting = True, False
    description = WAITING + schedule.why if was_waiting else schedule.why
    if (entry.task, entry.enabled, entry.description) == (schedule.task, enabled, description):
        return False
    entry.task, entry.enabled, entry.description = schedule.task, enabled, description
    entry.save(update_fields=["task", "enabled", "description", "last_run_at"])
    return True
