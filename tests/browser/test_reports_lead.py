"""A team lead reads last month's SLA compliance report, drills down to the breach behind a
figure, and exports the report with the same numbers."""

import csv
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.reports.catalogue import REPORTS
from apps.reports.periods import MONTH, period_containing, today_in
from tests.reports.sla_helpers import LONDON, record

pytestmark = pytest.mark.browser


def last_month():
    return period_containing(MONTH, today_in(LONDON).replace(day=1) - timedelta(days=1), LONDON)


def test_lead_reads_last_months_sla_report_drills_down_and_exports(portal, live_world):
    world = live_world
    month = last_month()
    due = month.start + timedelta(days=10, hours=9)
    on_time = [
        record("interruptions", world.client_a, due=due, resolved=due - timedelta(hours=2))
        for _ in range(2)
    ]
    breach = record(
        "interruptions",
        world.client_a,
        due=due,
        resolved=due + timedelta(hours=3),
        stamp=due,
        title="Payroll export failed again",
    )
    other_client = record(
        "interruptions", world.client_b, due=due, resolved=due + timedelta(hours=1), stamp=due
    )
    page = portal.page
    portal.sign_in(world.lead)

    portal.goto("/reports/")
    portal.click_and_load(page.get_by_role("main").get_by_role("link", name="SLA compliance"))
    page.get_by_role("combobox", name="Period").select_option("month")
    page.get_by_label("Within").fill(month.first_day.isoformat())
    portal.click_and_load(page.get_by_role("button", name="Show"))
    expect(page.locator(".report-heading")).to_contain_text(month.label)

    figure = page.locator(".report-figure").filter(has_text="Interruptions resolved on time")
    expect(figure).to_contain_text("66.7 %")
    portal.click_and_load(figure.get_by_role("link", name="66.7 %"))
    assert portal.table_references() == [breach.reference]
    assert other_client.reference not in page.content()
    assert all(item.reference not in page.content() for item in on_time)

    page.go_back()
    portal.check()
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    with open(info.value.path(), encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["SLA compliance"]
    assert rows[1] == ["Client", f"{world.client_a.name} ({world.client_a.code})"]
    assert rows[2][1].startswith(month.label)
    assert rows[4][1] in (world.lead.get_full_name(), world.lead.username)
    figure_row = next(row for row in rows if row[1:2] == ["Interruptions resolved on time"])
    assert figure_row[2] == "66.7"


def test_lead_opens_every_report_of_the_catalogue(portal, live_world):
    world = live_world
    month = last_month()
    due = month.start + timedelta(days=3, hours=9)
    record("interruptions", world.client_a, due=due, resolved=due + timedelta(hours=1), stamp=due)
    record("calls", world.client_a, due=due, resolved=due - timedelta(hours=1))
    portal.sign_in(world.lead)
    portal.goto("/")
    expect(portal.page.locator("#queue-now")).to_be_visible()
    portal.goto("/reports/")
    query = urlencode({"client": world.client_a.pk, **month.query_string()})
    for entry in REPORTS:
        portal.goto(f"{reverse(entry.url_name)}?{query}")
        expect(portal.page.get_by_role("heading", level=1)).to_have_text(entry.title)
        expect(portal.page.locator(".report-heading")).to_contain_text(month.label)
