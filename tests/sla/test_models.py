"""Calendars and policies validate what they hold: hours in order and apart, sane targets."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.core.choices import Severity
from apps.sla.business_time import ALWAYS_OPEN
from apps.sla.models import Holiday, SlaPolicy, WorkingHours
from apps.sla.selectors import calendar_spec_for
from tests.factories_sla import (
    BusinessCalendarFactory,
    HolidayFactory,
    SlaPolicyFactory,
    WorkingHoursFactory,
)

pytestmark = pytest.mark.django_db


def test_resolution_cannot_come_before_the_first_response(world):
    policy = SlaPolicy(
        client=world.client_a,
        severity=Severity.SEV2,
        first_response_minutes=120,
        resolution_minutes=60,
    )
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "resolution_minutes" in error.value.error_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


@pytest.mark.parametrize(("first", "resolution"), [(0, 60), (30, 0)])
def test_targets_must_be_positive(world, first, resolution):
    policy = SlaPolicy(
        client=world.client_a,
        severity=Severity.SEV2,
        first_response_minutes=first,
        resolution_minutes=resolution,
    )
    with pytest.raises(ValidationError):
        policy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_one_policy_per_client_and_severity(world):
    SlaPolicyFactory(client=world.client_a, severity=Severity.SEV1)
    SlaPolicyFactory(client=world.client_b, severity=Severity.SEV1)
    duplicate = SlaPolicy(
        client=world.client_a,
        severity=Severity.SEV1,
        first_response_minutes=10,
        resolution_minutes=20,
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    equal = SlaPolicy(
        client=world.client_a,
        severity=Severity.SEV2,
        first_response_minutes=30,
        resolution_minutes=30,
    )
    equal.full_clean()


def test_working_hours_end_after_they_start_or_at_midnight(world):
    calendar = BusinessCalendarFactory(client=world.client_a)
    backwards = WorkingHours(calendar=calendar, weekday=0, start_time=time(17), end_time=time(9))
    with pytest.raises(ValidationError) as error:
        backwards.full_clean()
    assert "end_time" in error.value.error_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        backwards.save()
    WorkingHours(calendar=calendar, weekday=0, start_time=time(22), end_time=time(0)).full_clean()
    whole_day = WorkingHours(calendar=calendar, weekday=6, start_time=time(0), end_time=time(0))
    whole_day.full_clean()
    assert str(whole_day) == "Sunday 00:00–24:00"


def test_working_hours_of_a_day_do_not_overlap(world):
    calendar = BusinessCalendarFactory(client=world.client_a)
    WorkingHoursFactory(calendar=calendar, weekday=0, start_time=time(8), end_time=time(12))
    touching = WorkingHours(calendar=calendar, weekday=0, start_time=time(12), end_time=time(17))
    touching.full_clean()
    other_day = WorkingHours(calendar=calendar, weekday=1, start_time=time(9), end_time=time(10))
    other_day.full_clean()
    overlapping = WorkingHours(calendar=calendar, weekday=0, start_time=time(11), end_time=time(13))
    with pytest.raises(ValidationError, match="Monday: 08:00–12:00 overlaps 11:00–13:00"):
        overlapping.full_clean()


def test_one_holiday_per_date(world):
    calendar = BusinessCalendarFactory(client=world.client_a)
    HolidayFactory(calendar=calendar, date=date(2026, 12, 25), name="Christmas Day")
    with pytest.raises(ValidationError):
        Holiday(calendar=calendar, date=date(2026, 12, 25), name="Again").full_clean()


def test_a_client_without_a_calendar_works_24x7(world):
    assert calendar_spec_for(world.client_a) is ALWAYS_OPEN
    BusinessCalendarFactory(client=world.client_a)
    assert calendar_spec_for(world.client_a) is ALWAYS_OPEN  # no working hours entered yet


def test_the_calendar_spec_reads_hours_in_the_clients_zone(world, django_assert_num_queries):
    world.client_a.timezone = "Asia/Kolkata"
    world.client_a.save()
    BusinessCalendarFactory(
        client=world.client_a,
        hours=[(0, "08:00", "12:00"), (0, "13:00", "17:00"), (5, "22:00", "00:00")],
        holidays=[date(2026, 1, 26)],
    )
    with django_assert_num_queries(3):
        spec = calendar_spec_for(world.client_a)
    hour = 3_600_000_000
    assert spec.tz == "Asia/Kolkata"
    assert spec.weekly[0] == ((8 * hour, 12 * hour), (13 * hour, 17 * hour))
    assert spec.weekly[5] == ((22 * hour, 24 * hour),)
    assert spec.holidays == {date(2026, 1, 26)}
    assert spec.week_us == 10 * hour
