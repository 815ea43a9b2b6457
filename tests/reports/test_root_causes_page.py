"""The root-cause report page: its numbers, the same in CSV and XLSX, never the other client's,
and each number's link listing exactly the records behind it."""

import csv
import io
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.failures.actions import action_condition
from apps.failures.models import CorrectiveAction, FailureReport
from apps.reports.content import Cell
from tests.factories import InterruptionFactory
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory
from tests.reports.root_cause_world import MARCH, march_world  # noqa: F401

URL = reverse("reports:root_causes")


def query(world, client_obj=None) -> dict:
    return {"client": (client_obj or world.client_a).pk, **MARCH.query_string()}


def table(report, key):
    return next(table for table in report.tables if table.key == key)


def texts(rows) -> list[list[str]]:
    return [[cell.text for cell in row] for row in rows]


@pytest.fixture
def page(march, client):
    client.force_login(march.lead)
    response = client.get(URL, query(march))
    assert response.status_code == 200
    return response


def test_the_report_is_in_the_catalogue(march, client):
    client.force_login(march.lead)

    response = client.get(reverse("reports:index"))

    assert URL in response.content.decode()


def test_page_shows_the_pareto_the_services_and_the_actions(page):
    report = page.context["report"]

    assert texts(table(report, "pareto").rows)[:4] == [
        ["Technology", "3", "1", "0", "4", "44.4 %"],
        ["People", "1", "0", "1", "2", "66.7 %"],
        ["Process", "0", "2", "0", "2", "88.9 %"],
        ["Customer", "0", "0", "1", "1", "100.0 %"],
    ]
    assert texts(table(report, "pareto").rows)[-1] == ["Not recorded", "1", "0", "1", "2", "—"]
    assert texts(table(report, "per-service").rows) == [
        ["CRM", "Process", "0", "2", "2"],
        ["CRM", "Technology", "2", "0", "2"],
        ["CRM", "People", "1", "0", "1"],
        ["Telephony platform", "Technology", "1", "0", "1"],
    ]
    # Every open action of March is past its due date by now.
    assert texts(table(report, "corrective-actions").rows) == [
        ["Process", "2", "2", "1", "1"],
        ["Technology", "1", "1", "0", "0"],
    ]
    content = page.content.decode()
    assert "Pareto of root causes" in content
    assert 'data-chart="pareto-chart"' in content
    assert "Globex" not in content


def test_another_clients_report_is_refused(march, client):
    client.force_login(march.lead)

    response = client.get(URL, query(march, march.client_b))

    assert response.context["report"] is None
    assert "Globex" not in response.content.decode()
    assert client.get(URL, {**query(march, march.client_b), "_export": "csv"}).status_code == 400


def test_csv_and_xlsx_carry_the_page_numbers(page, march, client):
    report = page.context["report"]
    csv_text = client.get(URL, {**query(march), "_export": "csv"}).content.decode()
    csv_rows = list(csv.reader(io.StringIO(csv_text)))
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(URL, {**query(march), "_export": "xlsx"}).content)
    )

    for shown in report.tables:
        start = csv_rows.index([shown.title]) + 1
        assert csv_rows[start] == shown.columns
        in_csv = csv_rows[start + 1 : start + 1 + len(shown.rows)]
        sheet = next(book[name] for name in book.sheetnames if shown.title.startswith(name))
        in_xlsx = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert len(in_csv) == len(in_xlsx) == len(shown.rows)
        for row, csv_row, xlsx_row in zip(shown.rows, in_csv, in_xlsx, strict=True):
            for cell, csv_value, xlsx_value in zip(row, csv_row, xlsx_row, strict=True):
                assert _same(cell, csv_value, xlsx_value)


def _same(cell: Cell, csv_value: str, xlsx_value) -> bool:
    if cell.value is None:
        return csv_value == "" and xlsx_value in (None, "")
    if isinstance(cell.value, int | float):
        return float(csv_value) == pytest.approx(cell.value, abs=0.05) == xlsx_value
    return csv_value == str(cell.value) == str(xlsx_value)


def _listed(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [row.reference for row in response.context["page"].rows]


def test_every_count_links_to_exactly_its_records(page, march, client):
    report = page.context["report"]
    checked = 0
    for key in ("pareto", "per-service"):
        for row in table(report, key).rows:
            for cell in row:
                if cell.url:
                    listed = _listed(client, cell.url)
                    assert len(listed) == cell.value, cell.url
                    checked += 1
    for figure in report.sections[0].figures[:3]:
        assert len(_listed(client, figure.url)) == figure.value
    assert checked == 8 * 3 + 4 * 2


def test_action_counts_link_to_the_reports_holding_them(page, march, client):
    report = page.context["report"]
    today = timezone.localdate()
    for row in table(report, "corrective-actions").rows:
        for cell in row[1:]:
            parameters = parse_qs(urlsplit(cell.url).query)
            state, cause = parameters["actions"][0], parameters["root_cause"][0]
            actions = CorrectiveAction.objects.filter(
                action_condition(state, today),
                report__client=march.client_a,
                report__root_cause_category=cause,
                report__occurred_at__gte=MARCH.start,
                report__occurred_at__lt=MARCH.end,
            )
            holding = FailureReport.objects.filter(
                Exists(actions.filter(report=OuterRef("pk")))
            ).values_list("reference", flat=True)
            assert actions.count() == cell.value
            assert sorted(_listed(client, cell.url)) == sorted(holding)


def test_query_count_does_not_grow_with_the_records(march, client):
    client.force_login(march.lead)
    client.get(URL, query(march))  # caches warmed
    with CaptureQueriesContext(connection) as before:
        client.get(URL, query(march))
    inside = MARCH.start + (MARCH.end - MARCH.start) / 2
    for cause in ("facility", "unknown", "customer"):
        InterruptionFactory(
            client=march.client_a,
            occurred_at=inside,
            root_cause_category=cause,
            affected_services=[march.service_a2],
        )
        report = FailureReportFactory(
            client=march.client_a,
            occurred_at=inside,
            root_cause_category=cause,
            service=march.service_a2,
        )
        CorrectiveActionFactory(report=report)
    with CaptureQueriesContext(connection) as after:
        client.get(URL, query(march))

    assert len(after) == len(before)
