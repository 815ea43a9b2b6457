"""The availability page: figures for a lead, the same numbers in CSV and XLSX, nothing of
another client, and every link listing exactly the interruptions behind its figure."""

import csv
import io
import re
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.choices import Status
from apps.interruptions.models import InterruptionKind as K
from tests.factories import InterruptionFactory

from ..interruptions.listing import listed

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 11, 15, tzinfo=UTC)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def october(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    crm, phones = world.service_a, world.service_a2

    def add(kind, start, end, services, client=None, **extra):
        return InterruptionFactory(
            client=client or world.client_a,
            kind=kind,
            occurred_at=start,
            ended_at=end,
            status=Status.RESOLVED,
            affected_services=services,
            **extra,
        )

    add(K.OUTAGE, utc(2025, 10, 2, 10), utc(2025, 10, 2, 12), [crm], title="CRM down")
    add(K.INCIDENT, utc(2025, 10, 2, 11), utc(2025, 10, 2, 13), [crm])
    add(K.COMMUNICATION, utc(2025, 9, 30, 22), utc(2025, 10, 1, 1), [crm, phones])
    add(
        K.MAINTENANCE,
        utc(2025, 10, 5),
        utc(2025, 10, 5, 4),
        [crm],
        planned_start=utc(2025, 10, 5),
        planned_end=utc(2025, 10, 5, 4),
    )
    add(K.DEGRADATION, utc(2025, 10, 6, 10), utc(2025, 10, 6, 11), [phones])
    add(K.OUTAGE, utc(2025, 10, 1, 23), utc(2025, 10, 2, 1), [crm])  # before the 2nd's
    add(
        K.OUTAGE,
        utc(2025, 10, 12),
        utc(2025, 10, 13),
        [world.service_b],
        world.client_b,
        title="Globex IVR dead",
    )
    return {"client": world.client_a.pk, "period": "month", "day": "2025-10-01"}


def page(client, query, **extra):
    return client.get(reverse("reports:availability"), {**query, **extra})


def test_page_shows_the_figures_and_nothing_of_the_other_client(client, world, october):
    client.force_login(world.lead)
    response = page(client, october)
    assert response.status_code == 200
    html = response.content.decode()
    report = response.context["report"]
    figures = {figure.label: figure for figure in report.sections[0].figures}
    # 10:00–13:00 on the 2nd, 23:00–01:00 across the 1st and 2nd, 23:00–01:00 at the start.
    assert figures["Downtime"].value == pytest.approx(7)
    assert figures["Availability"].value == pytest.approx(100 * (1 - 7 / 745))
    assert figures["Planned maintenance (apart)"].value == pytest.approx(4)
    assert figures["Degradation (apart)"].value == pytest.approx(1)
    assert figures["Incidents"].value == 3
    assert "7.0 h" in html and "99.1 %" in html
    assert "Globex" not in html and "IVR" not in html


def test_exports_carry_the_page_numbers(client, world, october):
    client.force_login(world.lead)
    report = page(client, october).context["report"]
    figures = {figure.label: figure for figure in report.sections[0].figures}

    text = page(client, october, _export="csv").content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    by_label = {row[1]: row[2] for row in rows if len(row) > 2 and row[0] == "All services"}
    assert float(by_label["Downtime"]) == pytest.approx(figures["Downtime"].value)
    assert float(by_label["Availability"]) == round(figures["Availability"].value, 1)
    assert int(by_label["Incidents"]) == 3
    assert "Globex" not in text

    workbook = load_workbook(io.BytesIO(page(client, october, _export="xlsx").content))
    values = {
        row[1]: row[2]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        if row and len(row) > 2 and row[0] == "All services"
    }
    assert values["Downtime"] == pytest.approx(figures["Downtime"].value)
    assert values["Incidents"] == 3
    services = (
        workbook["Availability per service"]
        if "Availability per service" in (workbook.sheetnames)
        else None
    )
    if services is not None:
        names = [row[0] for row in services.iter_rows(values_only=True)]
        assert "CRM" in names and "IVR" not in names


def _links(response) -> list[tuple[str, str]]:
    html = response.content.decode()
    return [
        (unescape(href), unescape(text))
        for href, text in re.findall(r'<a href="(/interruptions/\?[^"]+)">([^<]+)</a>', html)
    ]


def test_every_link_lists_exactly_the_rows_behind_it(client, world, october):
    client.force_login(world.lead)
    report = page(client, october).context["report"]
    overall = report.sections[0].figures
    counts = {
        "Availability": 4,  # the stopping interruptions active in October (one began before)
        "Downtime": 4,
        "Degradation (apart)": 1,
        "Planned maintenance (apart)": 1,
        "Incidents": 3,
        "MTTR": 4,  # ended in October
        "MTBF": 3,
    }
    for figure in overall:
        assert len(listed(client.get(figure.url))) == counts[figure.label], figure.label
    # Each stretch of the timeline links to the interruptions merged into it.
    timeline = next(s for s in report.sections if s.title.startswith("Timeline"))
    crm = next(t for t in timeline.tables if t.title == "CRM")
    for row in crm.rows:
        count_cell = row[3]
        assert len(listed(client.get(count_cell.url))) == count_cell.value
    assert [row[3].value for row in crm.rows] == [1, 1, 2]


def test_business_basis_is_stated_and_other_clients_are_refused(client, world, october):
    client.force_login(world.lead)
    response = page(client, october, basis="business")
    assert "business hours of the client" in response.content.decode()
    refused = page(client, {**october, "client": world.client_b.pk})
    assert refused.context["report"] is None
    assert "Globex" not in refused.content.decode()


def test_active_during_filter_is_validated(client, world, october):
    client.force_login(world.lead)
    response = client.get("/interruptions/", {"active": "yesterday/today"})
    assert "ISO 8601" in response.content.decode()
    zone = ZoneInfo("Europe/London")
    start = datetime(2025, 10, 2, 11, 59, tzinfo=zone)
    listed_page = client.get(
        "/interruptions/",
        {"active": f"{start.isoformat()}/{start.replace(hour=12).isoformat()}"},
    )
    # 10:59–11:00 UTC: the outage from 10:00 and the crossing one from 23:00 the night before.
    assert len(listed(listed_page)) == 2
