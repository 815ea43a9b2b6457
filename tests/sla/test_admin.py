"""Administrators configure calendars and policies in the admin; saving recomputes due times."""

from datetime import date, time

import pytest

from apps.core import roles
from apps.core.choices import Severity
from apps.core.models import OutboxMessage
from apps.sla.models import BusinessCalendar, SlaPolicy, WorkingHours
from apps.sla.tasks import recompute_open_records
from tests.factories import UserFactory
from tests.factories_sla import (
    OFFICE_HOURS,
    BusinessCalendarFactory,
    HolidayFactory,
    SlaPolicyFactory,
)
from tests.sla.conftest import london

pytestmark = pytest.mark.django_db

MONDAY_9 = london(2026, 3, 2, 9, 0)


@pytest.fixture
def configured(world):
    calendar = BusinessCalendarFactory(client=world.client_a, hours=OFFICE_HOURS)
    HolidayFactory(calendar=calendar, date=date(2026, 12, 25), name="Christmas Day")
    BusinessCalendarFactory(client=world.client_b, hours=[(0, "08:00", "20:00")])
    return {
        "calendar": calendar,
        "policy": SlaPolicyFactory(client=world.client_a, severity=Severity.SEV3),
        "policy_b": SlaPolicyFactory(client=world.client_b, severity=Severity.SEV1),
    }


def shown(client, url: str) -> list:
    response = client.get(url)
    assert response.status_code == 200, url
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize("who", ["superuser", "administrator role"])
def test_every_page_opens_for_administrators(world, client, configured, who):
    user = world.admin
    if who == "administrator role":
        user = UserFactory(username="configurer", is_staff=True, role=roles.ADMINISTRATOR)
    client.force_login(user)
    calendar = configured["calendar"]
    pages = {
        "businesscalendar": calendar.pk,
        "workinghours": calendar.working_hours.first().pk,
        "holiday": calendar.holidays.first().pk,
        "slapolicy": configured["policy"].pk,
    }
    for model, pk in pages.items():
        for url in (
            f"/admin/sla/{model}/",
            f"/admin/sla/{model}/add/",
            f"/admin/sla/{model}/{pk}/change/",
            f"/admin/sla/{model}/{pk}/history/",
        ):
            assert client.get(url).status_code == 200, url


def test_agents_and_leads_cannot_open_them(world, client, configured):
    client.force_login(world.lead)
    assert client.get("/admin/sla/slapolicy/").status_code == 302


def test_changelists_search_and_filter(world, client, configured):
    client.force_login(world.admin)
    a, b = world.client_a, world.client_b
    assert shown(client, "/admin/sla/slapolicy/?q=acme") == [configured["policy"]]
    assert shown(client, "/admin/sla/slapolicy/?severity__exact=SEV1") == [configured["policy_b"]]
    assert shown(client, f"/admin/sla/slapolicy/?client__id__exact={b.pk}&active__exact=1") == [
        configured["policy_b"]
    ]
    assert shown(client, "/admin/sla/businesscalendar/?q=globex")[0].client == b
    assert len(shown(client, f"/admin/sla/workinghours/?calendar__client__id__exact={a.pk}")) == 5
    assert len(shown(client, "/admin/sla/workinghours/?weekday__exact=0")) == 2
    holidays = shown(client, "/admin/sla/holiday/?q=christmas")
    assert [holiday.name for holiday in holidays] == ["Christmas Day"]


def test_saving_a_policy_recomputes_the_clients_open_records(
    world, client, configured, make_interruption
):
    record = make_interruption(MONDAY_9)
    assert record.resolution_due == london(2026, 3, 2, 17, 0)
    client.force_login(world.admin)
    policy = configured["policy"]

    response = client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/",
        {
            "client": world.client_a.pk,
            "severity": Severity.SEV3,
            "first_response_minutes": "60",
            "resolution_minutes": "600",
            "active": "on",
        },
        follow=True,
    )

    assert response.status_code == 200
    record.refresh_from_db()
    assert record.resolution_due == london(2026, 3, 3, 11, 0)
    latest = record.history.latest()
    assert latest.history_change_reason == (
        "Due times recomputed: SLA policy Acme Retail · SEV3 changed; "
        "resolution due 2026-03-02 17:00 UTC → 2026-03-03 11:00 UTC."
    )
    assert latest.history_user == world.admin
    messages = [str(message) for message in response.context["messages"]]
    assert "Due times recomputed for Acme Retail: 1 open record changed." in messages


def test_a_client_with_many_open_records_is_recomputed_by_a_worker(
    world, client, configured, make_interruption, monkeypatch
):
    monkeypatch.setattr("apps.sla.services.RECOMPUTE_IN_REQUEST", 0)
    record = make_interruption(MONDAY_9)
    client.force_login(world.admin)
    policy = configured["policy"]

    response = client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/",
        {
            "client": world.client_a.pk,
            "severity": Severity.SEV3,
            "first_response_minutes": "60",
            "resolution_minutes": "600",
            "active": "on",
        },
        follow=True,
    )

    record.refresh_from_db()
    assert record.resolution_due == london(2026, 3, 2, 17, 0)  # not yet
    messages = [str(message) for message in response.context["messages"]]
    assert any("recomputed in the background" in message for message in messages)
    queued = OutboxMessage.objects.get(task_name="apps.sla.tasks.recompute_open_records")
    assert queued.args == [
        world.client_a.pk,
        world.admin.pk,
        "SLA policy Acme Retail · SEV3 changed",
        [Severity.SEV3],
    ]

    assert recompute_open_records(*queued.args) == {"changed": 1}
    record.refresh_from_db()
    assert record.resolution_due == london(2026, 3, 3, 11, 0)
    assert record.history.latest().history_user == world.admin


def test_a_policy_refused_by_validation_is_not_saved(world, client, configured):
    client.force_login(world.admin)
    response = client.post(
        "/admin/sla/slapolicy/add/",
        {
            "client": world.client_a.pk,
            "severity": Severity.SEV2,
            "first_response_minutes": "120",
            "resolution_minutes": "60",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "Resolution cannot be due before the first response." in response.content.decode()
    assert not SlaPolicy.objects.filter(severity=Severity.SEV2).exists()


def test_deleting_a_policy_brings_back_the_defaults(world, client, configured, make_interruption):
    record = make_interruption(MONDAY_9)
    client.force_login(world.admin)
    policy = configured["policy"]
    response = client.post(f"/admin/sla/slapolicy/{policy.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.resolution_due == london(2026, 3, 3, 9, 0)  # the 24-hour default


def _calendar_form(world, hours, *, initial=0, ids=()) -> dict:
    data = {
        "client": world.client_b.pk,
        "notes": "Opening hours",
        "working_hours-TOTAL_FORMS": str(len(hours)),
        "working_hours-INITIAL_FORMS": str(initial),
        "holidays-TOTAL_FORMS": "1",
        "holidays-INITIAL_FORMS": "0",
        "holidays-0-date": "2026-12-25",
        "holidays-0-name": "Christmas Day",
    }
    for index, (weekday, start, end) in enumerate(hours):
        data[f"working_hours-{index}-weekday"] = str(weekday)
        data[f"working_hours-{index}-start_time"] = start
        data[f"working_hours-{index}-end_time"] = end
        if index < len(ids):
            data[f"working_hours-{index}-id"] = str(ids[index])
    return data


def test_a_calendar_with_overlapping_hours_is_refused(world, client):
    client.force_login(world.admin)
    response = client.post(
        "/admin/sla/businesscalendar/add/",
        _calendar_form(world, [(0, "08:00", "12:00"), (0, "11:00", "17:00")]),
    )
    assert response.status_code == 200
    assert "Monday: 08:00–12:00 overlaps 11:00–17:00" in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_a_calendar_is_saved_with_its_rows_and_rows_may_move_together(
    world, client, make_interruption
):
    client.force_login(world.admin)
    response = client.post(
        "/admin/sla/businesscalendar/add/",
        _calendar_form(world, [(0, "08:00", "12:00"), (0, "13:00", "17:00")]),
    )
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(client=world.client_b)
    rows = list(calendar.working_hours.order_by("start_time"))
    assert [(row.start_time, row.end_time) for row in rows] == [
        (time(8), time(12)),
        (time(13), time(17)),
    ]
    assert calendar.holidays.get().name == "Christmas Day"

    # One submission moves the lunch break: each row alone would overlap the other's old hours.
    data = _calendar_form(
        world, [(0, "08:00", "14:00"), (0, "14:00", "17:00")], initial=2, ids=[r.pk for r in rows]
    )
    data.update({"holidays-TOTAL_FORMS": "0", "holidays-INITIAL_FORMS": "0"})
    response = client.post(f"/admin/sla/businesscalendar/{calendar.pk}/change/", data)
    assert response.status_code == 302
    assert sorted(WorkingHours.objects.values_list("start_time", "end_time")) == [
        (time(8), time(14)),
        (time(14), time(17)),
    ]


def test_saving_a_calendar_recomputes_its_clients_records(world, client, make_interruption):
    SlaPolicyFactory(client=world.client_a, severity=Severity.SEV3, resolution_minutes=480)
    record = make_interruption(london(2026, 3, 6, 16, 30))
    assert record.resolution_due == london(2026, 3, 7, 0, 30)  # 24×7 until a calendar exists
    client.force_login(world.admin)
    data = _calendar_form(world, [(day, "09:00", "17:00") for day in range(5)])
    data.update({"client": world.client_a.pk, "holidays-TOTAL_FORMS": "0"})
    response = client.post("/admin/sla/businesscalendar/add/", data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.resolution_due == london(2026, 3, 9, 16, 30)
    assert record.history.latest().history_change_reason == (
        "Due times recomputed: business calendar changed; "
        "resolution due 2026-03-07 00:30 UTC → 2026-03-09 16:30 UTC."
    )
