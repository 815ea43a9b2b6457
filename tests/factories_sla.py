"""factory-boy factories for business calendars and SLA policies."""

from datetime import date, time, timedelta

import factory

from apps.core.choices import Severity
from apps.sla.models import BusinessCalendar, Holiday, SlaPolicy, WorkingHours
from tests.factories import ClientFactory


class BusinessCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessCalendar
        django_get_or_create = ("client",)
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        """BusinessCalendarFactory(hours=[(weekday, "09:00", "17:00"), ...])."""
        if create and extracted:
            for weekday, start, end in extracted:
                WorkingHours.objects.create(
                    calendar=self,
                    weekday=weekday,
                    start_time=time.fromisoformat(start),
                    end_time=time.fromisoformat(end),
                )

    @factory.post_generation
    def holidays(self, create, extracted, **kwargs):
        if create and extracted:
            for day in extracted:
                Holiday.objects.create(calendar=self, date=day, name=f"Holiday {day:%d %b}")


OFFICE_HOURS = [(weekday, "09:00", "17:00") for weekday in range(5)]


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    calendar = factory.SubFactory(BusinessCalendarFactory)
    weekday = 0
    start_time = time(9)
    end_time = time(17)


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    calendar = factory.SubFactory(BusinessCalendarFactory)
    date = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n))
    name = "Bank holiday"


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy
        django_get_or_create = ("client", "severity")

    client = factory.SubFactory(ClientFactory)
    severity = Severity.SEV3
    first_response_minutes = 60
    resolution_minutes = 480
    active = True
