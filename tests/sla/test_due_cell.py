"""Due times on lists and record pages: in the viewer's zone, breached, or a paused clock."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.choices import Severity, Status
from apps.core.humanize import business_minutes_text
from apps.core.services.records import record_change_status
from apps.sla.models import SlaPolicy
from tests.factories_sla import OFFICE_HOURS, BusinessCalendarFactory
from tests.sla.conftest import frozen, london

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
MONDAY_9 = london(2026, 3, 2, 9, 0)


def test_durations_read_as_people_say_them():
    assert [business_minutes_text(minutes) for minutes in (0, 45, 60, 200, 1620)] == [
        "0 min",
        "45 min",
        "1 h",
        "3 h 20 min",
        "27 h",
    ]


def _on_hold(world, record, at):
    with frozen(at):
        record = record_change_status(record, target=Status.IN_PROGRESS, actor=world.agent)
        return record_change_status(record, target=Status.ON_HOLD, actor=world.agent)


def _cell(html: str, reference: str) -> str:
    row = html.split(f">{reference}</a>", 1)[1].split("</tr>", 1)[0]
    return row


def test_a_record_on_hold_shows_its_business_minutes_left_on_list_and_page(
    world, client, make_interruption
):
    BusinessCalendarFactory(client=world.client_a, hours=OFFICE_HOURS)
    SlaPolicy.objects.create(
        client=world.client_a,
        severity=Severity.SEV3,
        first_response_minutes=60,
        resolution_minutes=600,
    )
    record = make_interruption(MONDAY_9)
    held = _on_hold(world, record, MONDAY_9 + 3 * HOUR + 20 * timedelta(minutes=1))
    assert held.resolution_due is None

    client.force_login(world.lead)
    with frozen(MONDAY_9 + 30 * HOUR):
        listed = client.get("/interruptions/").content.decode()
        page = client.get(held.get_absolute_url()).content.decode()

    assert "6 h 40 min left" in _cell(listed, held.reference)
    assert 'text-bg-warning">paused' in _cell(listed, held.reference)
    due = page.split('id="resolution-due">', 1)[1].split("</dd>", 1)[0]
    assert "paused" in due and "6 h 40 min left" in due


def test_due_times_show_in_the_viewer_s_zone_and_breached_records_say_so(
    world, client, make_interruption
):
    due_soon = make_interruption(MONDAY_9)
    late = make_interruption(MONDAY_9 - 48 * HOUR)
    late_held = make_interruption(MONDAY_9 - 48 * HOUR)
    _on_hold(world, late_held, MONDAY_9)

    client.force_login(world.lead)
    with frozen(MONDAY_9 + HOUR):
        listed = client.get("/interruptions/").content.decode()

    assert "2026-03-03 09:00 UTC" in _cell(listed, due_soon.reference)
    assert "breached" not in _cell(listed, due_soon.reference)
    assert 'text-bg-danger">breached' in _cell(listed, late.reference)
    held_cell = _cell(listed, late_held.reference)
    assert 'text-bg-danger">breached' in held_cell and "2026-03-01 09:00 UTC" in held_cell


def test_a_list_of_records_on_hold_costs_the_same_queries_for_any_page_size(
    world, client, make_interruption
):
    for number in range(55):
        record = make_interruption(MONDAY_9 + number * timedelta(minutes=1))
        _on_hold(world, record, MONDAY_9 + 2 * HOUR)
    client.force_login(world.lead)
    client.get("/interruptions/")

    def cost(size: int) -> int:
        with frozen(MONDAY_9 + 3 * HOUR), CaptureQueriesContext(connection) as captured:
            response = client.get(f"/interruptions/?per_page={size}")
        assert response.content.decode().count(" left</span>") == size
        return len(captured.captured_queries)

    assert cost(25) == cost(50)
