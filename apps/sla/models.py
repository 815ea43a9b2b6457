"""Business calendars and SLA policies: the client's working time and its targets in it.

A client without a calendar works 24×7: every minute counts. A client without an active
policy for a severity gets the portal's default targets (apps.core.targets) on 24×7 time.
"""

from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from apps.core.choices import Severity
from apps.core.models import Client

MIDNIGHT = time(0)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class BusinessCalendar(models.Model):
    """When a client's clock runs: working hours per weekday, minus holidays.

    Hours are wall-clock hours in the client's time zone (`Client.timezone`).
    """

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="business_calendar"
    )
    notes = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["client__name"]

    def __str__(self) -> str:
        return f"Business calendar of {self.client}"


def _end_of(end: time) -> tuple[int, int, int]:
    """An end time as a sortable value, 00:00 being the end of the day."""
    return (24, 0, 0) if end == MIDNIGHT else (end.hour, end.minute, end.second)


def _start_of(start: time) -> tuple[int, int, int]:
    return (start.hour, start.minute, start.second)


def overlapping_hours(rows) -> list[tuple[int, str]]:
    """(weekday, message) for each pair of working-hours rows that overlap on the same day.

    `rows` are objects with `weekday`, `start_time` and `end_time`; touching intervals
    (08:00–12:00 and 12:00–17:00) do not overlap.
    """
    by_day: dict[int, list] = {}
    for row in rows:
        if row.weekday is None or row.start_time is None or row.end_time is None:
            continue
        by_day.setdefault(row.weekday, []).append(row)
    problems = []
    for weekday, day_rows in sorted(by_day.items()):
        day_rows.sort(key=lambda row: (_start_of(row.start_time), _end_of(row.end_time)))
        for before, after in zip(day_rows, day_rows[1:], strict=False):
            if _start_of(after.start_time) < _end_of(before.end_time):
                problems.append(
                    (
                        weekday,
                        f"{Weekday(weekday).label}: {before.span} overlaps {after.span}.",
                    )
                )
    return problems


class WorkingHours(models.Model):
    """One working interval on one weekday; a day may have several (a lunch break between)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField(help_text="00:00 means midnight at the end of the day.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["calendar", "weekday", "start_time"]
        verbose_name = "working hours"
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="working_hours_weekday_0_to_6",
            ),
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time"))
                | models.Q(end_time=MIDNIGHT),
                name="working_hours_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.span}"

    @property
    def span(self) -> str:
        end = "24:00" if self.end_time == MIDNIGHT else f"{self.end_time:%H:%M}"
        return f"{self.start_time:%H:%M}–{end}"

    # Set to False by a form set that checks overlaps among all the rows it saves at once,
    # so that moving two rows in one submission is not refused against their old values.
    check_stored_rows = True

    def clean(self) -> None:
        if self.start_time is None or self.end_time is None:
            return
        if _start_of(self.start_time) >= _end_of(self.end_time):
            raise ValidationError({"end_time": "The end must be after the start."})
        if self.check_stored_rows and self.calendar_id is not None:
            others = WorkingHours.objects.filter(
                calendar_id=self.calendar_id, weekday=self.weekday
            ).exclude(pk=self.pk)
            problems = overlapping_hours([*others, self])
            if problems:
                raise ValidationError({"start_time": [message for _, message in problems]})


class Holiday(models.Model):
    """A whole local day off: the clock does not run that day."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=120)
    history = HistoricalRecords()

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_once_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class SlaPolicy(models.Model):
    """A client's targets for one severity, in business minutes of its calendar.

    Time on hold does not count. Inactive policies are ignored (the defaults apply).
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sla_policies")
    severity = models.CharField(max_length=4, choices=Severity.choices)
    first_response_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Business minutes to the first response."
    )
    resolution_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Business minutes to resolution."
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["client__name", "severity"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "severity"], name="sla_policy_one_per_client_severity"
            ),
            models.CheckConstraint(
                condition=models.Q(first_response_minutes__gt=0, resolution_minutes__gt=0),
                name="sla_policy_minutes_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(resolution_minutes__gte=models.F("first_response_minutes")),
                name="sla_policy_resolution_after_first_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.severity}"

    def clean(self) -> None:
        if (
            self.first_response_minutes
            and self.resolution_minutes
            and self.resolution_minutes < self.first_response_minutes
        ):
            raise ValidationError(
                {"resolution_minutes": "Resolution cannot be due before the first response."}
            )
