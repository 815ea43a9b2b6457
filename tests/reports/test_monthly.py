"""The monthly SLA report e-mail: when it goes out, to whom, once, and what it carries."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from apps.reports import monthly
from apps.reports.models import MonthlyReportDelivery
from apps.reports.monthly import (
    deliver_monthly_reports,
    due_reports,
    first_business_day,
    sending_moment,
)
from apps.reports.sla import SLA_TITLE
from apps.sla.business_time import ALWAYS_OPEN, CalendarSpec
from tests.factories import UserFactory
from tests.factories_calls import CallFactory
from tests.factories_sla import BusinessCalendarFactory

LONDON = ZoneInfo("Europe/London")
OFFICE = CalendarSpec.build(
    "Europe/London", [(day, time(9), time(17)) for day in range(5)], holidays=[]
)

pytestmark = pytest.mark.django_db


def test_first_business_day_skips_the_weekend_and_holidays():
    # 1 August 2026 is a Saturday.
    assert first_business_day(OFFICE, date(2026, 8, 1)) == date(2026, 8, 3)
    with_holiday = CalendarSpec.build(
        "Europe/London", [(day, time(9), time(17)) for day in range(5)], [date(2026, 8, 3)]
    )
    assert first_business_day(with_holiday, date(2026, 8, 1)) == date(2026, 8, 4)
    assert first_business_day(OFFICE, date(2026, 9, 1)) == date(2026, 9, 1)
    assert first_business_day(ALWAYS_OPEN, date(2026, 8, 1)) == date(2026, 8, 1)


def test_a_calendar_without_a_working_day_in_the_month_sends_on_the_first():
    weekends_only = CalendarSpec.build("UTC", [(5, time(9), time(17))], [])
    holidays = [date(2026, 2, 7), date(2026, 2, 14), date(2026, 2, 21), date(2026, 2, 28)]
    closed = CalendarSpec.build("UTC", [(5, time(9), time(17))], holidays)
    assert first_business_day(weekends_only, date(2026, 2, 1)) == date(2026, 2, 7)
    assert first_business_day(closed, date(2026, 2, 1)) == date(2026, 2, 1)


def test_sending_moment_is_the_opening_hour_in_the_client_zone_across_summer_time():
    # 1 November 2026 is a Sunday: Monday the 2nd at 09:00 GMT.
    assert sending_moment(OFFICE, date(2026, 11, 1), LONDON) == datetime(2026, 11, 2, 9, tzinfo=UTC)
    # 1 June 2026 is a Monday, in summer time: 09:00 BST is 08:00 UTC.
    assert sending_moment(OFFICE, date(2026, 6, 1), LONDON) == datetime(2026, 6, 1, 8, tzinfo=UTC)
    assert sending_moment(ALWAYS_OPEN, date(2026, 6, 1), LONDON) == datetime(
        2026, 5, 31, 23, tzinfo=UTC
    )


def _office_client(client):
    client.timezone = "Europe/London"
    client.save(update_fields=["timezone"])
    return BusinessCalendarFactory(
        client=client,
        hours=[(day, "09:00", "17:00") for day in range(5)],
        holidays=[date(2026, 11, 2)],
    )


def test_nothing_is_due_before_the_first_business_day_opens(world):
    _office_client(world.client_a)
    world.client_b.active = False
    world.client_b.save(update_fields=["active"])
    # 2 November is a holiday: the first business day is Tuesday the 3rd, 09:00 GMT.
    assert due_reports(datetime(2026, 11, 3, 8, 59, tzinfo=UTC)) == []
    due = due_reports(datetime(2026, 11, 3, 9, tzinfo=UTC))
    assert [(item.client, item.period.first_day) for item in due] == [
        (world.client_a, date(2026, 10, 1))
    ]
    # Later in the month the report is still due until it has gone out.
    assert len(due_reports(datetime(2026, 11, 27, 12, tzinfo=UTC))) == 1


def test_the_report_goes_to_the_client_leads_once(world):
    _office_client(world.client_a)
    second_lead = UserFactory(username="lead2", role="Team lead")
    world.team_a2.lead = second_lead
    world.team_a2.save(update_fields=["lead"])
    lead_b = UserFactory(username="lead_b")
    world.team_b1.lead = lead_b
    world.team_b1.save(update_fields=["lead"])
    world.client_b.active = False
    world.client_b.save(update_fields=["active"])
    now = datetime(2026, 11, 3, 10, tzinfo=UTC)

    sent = deliver_monthly_reports(now)
    again = deliver_monthly_reports(now + timedelta(hours=1))

    assert [(item.client, item.month) for item in sent] == [(world.client_a, date(2026, 10, 1))]
    assert again == []
    assert sorted(message.to[0] for message in mail.outbox) == [
        "lead2@example.test",
        "lead@example.test",
    ]
    delivery = MonthlyReportDelivery.objects.get()
    assert delivery.sent_at is not None
    assert delivery.recipients == "lead@example.test, lead2@example.test"


def test_the_mail_carries_figures_and_a_link_and_no_personal_data(world, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.test"
    CallFactory(
        client=world.client_a,
        customer_name="Zebedee Quarrington",
        occurred_at=datetime(2026, 10, 14, 10, tzinfo=UTC),
    )
    deliver_monthly_reports(datetime(2026, 11, 2, 0, 30, tzinfo=UTC))
    message = next(item for item in mail.outbox if item.to == ["lead@example.test"])
    html = message.alternatives[0][0]
    assert message.subject == f"{SLA_TITLE} · Acme Retail · October 2026"
    link = f"https://portal.example.test/reports/sla/?client={world.client_a.pk}"
    assert link in message.body and link.replace("&", "&amp;") in html
    assert "period=month&day=2026-10-01" in message.body
    report = monthly.monthly_report(
        world.client_a,
        due_reports(datetime(2026, 11, 2, 0, 30, tzinfo=UTC))[0].period,
        datetime(2026, 11, 2, 0, 30, tzinfo=UTC),
    )
    figures = [figure for section in report.sections for figure in section.figures]
    assert figures
    for figure in figures:
        assert f"{figure.label}: {figure.text}" in message.body
        assert figure.label in html and figure.text in html
    for body in (message.body, html):
        assert "Zebedee" not in body and "Quarrington" not in body


def test_a_failed_send_keeps_nothing_and_the_next_run_sends(world, monkeypatch):
    now = datetime(2026, 11, 2, 1, tzinfo=UTC)

    class Refusing:
        def send_messages(self, messages):
            raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(monthly, "get_connection", lambda: Refusing())
    with pytest.raises(ConnectionRefusedError):
        deliver_monthly_reports(now)
    assert not MonthlyReportDelivery.objects.exists()
    assert mail.outbox == []

    monkeypatch.undo()
    sent = deliver_monthly_reports(now + timedelta(hours=1))
    assert {item.client for item in sent} == {world.client_a}


def test_a_client_without_leads_waits_for_one(world):
    world.team_a1.lead = None
    world.team_a1.save(update_fields=["lead"])
    world.lead.groups.clear()
    now = datetime(2026, 11, 2, 1, tzinfo=UTC)
    assert deliver_monthly_reports(now) == []
    assert not MonthlyReportDelivery.objects.exists()
