"""The escalations report page: a lead reads it, CSV and XLSX carry its numbers, another
client's escalations never show, and each figure's link lists exactly the rows behind it."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from apps.reports.content import COUNT, PERCENT
from tests.reports.test_escalations import NOW, stories  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

NOVEMBER = {"period": "month", "day": "2026-11-01"}


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def report_page(browser, world, **extra):
    browser.force_login(world.lead)
    parameters = {"client": world.client_a.pk, **NOVEMBER, **extra}
    return browser.get(reverse("reports:escalations"), parameters)


def test_the_report_is_in_the_catalogue(client, world):
    client.force_login(world.lead)
    page = client.get(reverse("reports:index"))
    assert reverse("reports:escalations").encode() in page.content


def test_a_lead_reads_the_figures(client, world, stories, frozen):  # noqa: F811
    page = report_page(client, world)
    assert page.status_code == 200
    text = page.content.decode()
    for expected in ("Resolved at tier %", "60.0 %", "48.0 h", "Tier 1 → Tier 2", "Bottlenecks"):
        assert expected in text
    assert stories["b1"].reference not in text


def test_exports_carry_the_numbers_of_the_page(client, world, stories, frozen):  # noqa: F811
    report = report_page(client, world).context["report"]
    page_tables = {
        table.title: [[_shown(cell.value, cell.unit) for cell in row] for row in table.rows]
        for table in report.tables
    }
    page_figures = {
        figure.label: _shown(figure.value, figure.unit)
        for section in report.sections
        for figure in section.figures
    }
    assert page_figures["Resolved at tier %"] == 60.0

    exported = report_page(client, world, _export="csv").content.decode()
    blocks = [block.splitlines() for block in exported.split("\r\n\r\n")]
    figures_block = list(csv.reader(blocks[1]))
    csv_figures = {row[1]: _number(row[2]) for row in figures_block[1:]}
    assert csv_figures == page_figures
    csv_tables = {}
    for block in blocks[2:]:
        rows = list(csv.reader(block))
        csv_tables[rows[0][0]] = [[_number(value) for value in row] for row in rows[2:]]
    assert csv_tables == page_tables

    workbook = openpyxl.load_workbook(
        io.BytesIO(report_page(client, world, _export="xlsx").content), read_only=True
    )
    sheets = iter(workbook.worksheets)
    figure_rows = list(next(sheets).iter_rows(values_only=True))
    xlsx_figures = {row[1]: _plain(row[2]) for row in figure_rows[1 : len(page_figures) + 1]}
    assert xlsx_figures == page_figures
    for (title, rows), sheet in zip(page_tables.items(), sheets, strict=True):
        values = [[_plain(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        assert values[1:] == rows, title


def test_another_clients_report_is_refused_and_its_rows_never_count(
    client,
    world,
    stories,  # noqa: F811
    frozen,
):
    page = report_page(client, world, client=world.client_b.pk)
    assert page.context["report"] is None
    assert stories["b1"].reference not in page.content.decode()
    report = report_page(client, world).context["report"]
    raised = report.sections[0].figures[0]
    assert raised.value == 6


def test_every_link_lists_exactly_the_rows_behind_its_figure(
    client,
    world,
    stories,  # noqa: F811
    frozen,
):
    report = report_page(client, world).context["report"]
    figures = {figure.label: figure for section in report.sections for figure in section.figures}
    # The rows behind a duration or a share: the escalations it was measured over.
    behind = {
        "Escalations raised": 6,
        "Median hours to first response": 3,
        "Median hours to resolution": 5,
        "Resolved at tier %": 3,
        "Escalations moved between tiers": 3,
    }
    for label, count in behind.items():
        assert listed(client, figures[label].url) == count, label
    checked = 0
    for table in report.tables:
        for row in table.rows:
            for cell in row:
                if cell.url:
                    assert cell.unit == COUNT
                    assert listed(client, cell.url) == cell.value, (table.title, row[0].value)
                    checked += 1
    assert checked > 40


def test_moves_and_waiting_links_name_the_escalations(client, world, stories, frozen):  # noqa: F811
    report = report_page(client, world).context["report"]
    tables = {table.key: table for table in report.tables}
    up = next(row for row in tables["moves"].rows if row[0].value == "Tier 1 → Tier 2")
    assert listed_references(client, up[3].url) == {
        stories[name].reference for name in ("e1", "e2", "e5")
    }
    tier_one = tables["time_at_tier"].rows[0]
    assert listed_references(client, tier_one[5].url) == {
        stories["e4"].reference,
        stories["e6"].reference,
    }


def test_a_malformed_drill_down_is_a_filter_error(client, world):
    client.force_login(world.lead)
    page = client.get(reverse("escalations:list"), {"tier_move": "1-9:yesterday/today"})
    assert page.status_code == 200
    assert page.context["filter"].errors


def listed(client, url: str) -> int:
    return len(listed_references(client, url))


def listed_references(client, url: str) -> set[str]:
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["filter"].is_valid(), page.context["filter"].errors
    return set(page.context["filter"].qs.values_list("reference", flat=True))


def _shown(value, unit):
    """A value as the page shows it (shares to one decimal, hours to two)."""
    if isinstance(value, float):
        return round(value, 1 if unit == PERCENT else 2)
    return value


def _plain(value):
    if value == "":
        return None
    if isinstance(value, float):
        return round(value, 2)
    return value


def _number(text: str):
    if text == "":
        return None
    for kind in (int, float):
        try:
            return _plain(kind(text))
        except ValueError:
            pass
    return text
