"""The SLA compliance page: what a lead reads, exports and drills down to, and what nobody of
another client ever sees."""

import csv
import io
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest
from django.urls import reverse

from apps.core.choices import Severity, Status
from apps.escalations.models import Escalation
from apps.reports.catalogue import REPORTS
from tests.reports.sla_helpers import london, record

pytestmark = pytest.mark.django_db

MARCH = {"period": "month", "day": "2026-03-10"}


@pytest.fixture
def breaches(world):
    """Client A: interruptions and escalations due in March 2026, some missed; client B: a
    late escalation that must never show."""
    a, b = world.client_a, world.client_b
    record(
        "interruptions",
        a,
        severity=Severity.SEV1,
        due=london(2026, 3, 2, 9),
        resolved=london(2026, 3, 2, 8),
    )
    record(
        "interruptions",
        a,
        severity=Severity.SEV1,
        due=london(2026, 3, 3, 9),
        resolved=london(2026, 3, 3, 11),
        stamp=london(2026, 3, 3, 9),
    )
    record(
        "interruptions",
        a,
        severity=Severity.SEV1,
        due=london(2026, 4, 1, 9),
        stamp=london(2026, 3, 4, 9),
        resolved=london(2026, 3, 30, 9),
    )
    record("interruptions", a, severity=Severity.SEV2, due=london(2026, 3, 5, 9))
    record(
        "interruptions",
        a,
        severity=Severity.SEV2,
        due=london(2026, 3, 6, 9),
        status=Status.CANCELLED,
    )
    late = record(
        "escalations",
        a,
        severity=Severity.SEV3,
        due=london(2026, 3, 9, 9),
        resolved=london(2026, 3, 9, 8),
    )
    Escalation.objects.filter(pk=late.pk).update(
        first_response_due=london(2026, 3, 9, 6),
        first_response_at=london(2026, 3, 9, 7),
        first_response_breached_at=london(2026, 3, 9, 6),
    )
    for _ in range(3):
        record(
            "escalations",
            b,
            severity=Severity.SEV3,
            due=london(2026, 3, 9, 9),
            resolved=london(2026, 3, 9, 10),
            stamp=london(2026, 3, 9, 9),
        )


def report(client, user, **extra):
    client.force_login(user)
    return client.get(reverse("reports:sla"), {"client": user_client(user), **MARCH, **extra})


def user_client(user):
    from apps.reports.scope import clients_for

    return clients_for(user).first().pk


def figure_map(response):
    report_object = response.context["report"]
    return {
        figure.label: figure for section in report_object.sections for figure in section.figures
    }


def test_the_report_is_in_the_catalogue():
    assert "reports:sla" in [entry.url_name for entry in REPORTS]


def test_a_lead_reads_the_figures(client, world, breaches):
    response = report(client, world.lead)
    assert response.status_code == 200
    page = response.content.decode()
    assert "SLA compliance" in page
    assert "Interruptions resolved on time" in page
    figures = figure_map(response)
    # SEV1: one met, two missed (one stamped after its due time moved to April); SEV2: one
    # open past due; the cancelled one is left out.
    assert figures["Interruptions resolved on time"].value == pytest.approx(25.0)
    assert "25.0 %" in page
    assert figures["Escalations answered on time"].value == 0.0
    assert figures["Escalations resolved on time"].value == 100.0
    assert "4 h (24×7 default)" in page
    assert "How these figures are counted" in page


def test_the_other_clients_records_never_count_nor_show(client, world, breaches):
    response = report(client, world.lead)
    figures = figure_map(response)
    assert figures["Escalations resolved on time"].value == 100.0
    client.force_login(world.lead)
    theirs = client.get(reverse("reports:sla"), {"client": world.client_b.pk, **MARCH})
    assert theirs.status_code == 200
    assert theirs.context["report"] is None
    assert "Globex" not in theirs.content.decode()


def test_csv_and_xlsx_carry_the_numbers_of_the_page(client, world, breaches):
    figures = figure_map(report(client, world.lead))
    expected = {
        label: round(figure.value, 1) if isinstance(figure.value, float) else figure.value
        for label, figure in figures.items()
        if figure.value is not None
    }

    exported = report(client, world.lead, _export="csv")
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    header = rows.index(["Section", "Figure", "Value", "Unit", "Target", "Previous period"])
    from_csv = {}
    for cells in rows[header + 1 :]:
        if not cells:
            break
        from_csv[cells[1]] = float(cells[2]) if cells[2] else None
    assert {label: from_csv[label] for label in expected} == pytest.approx(expected)
    assert ["Resolution by log and severity"] in rows

    workbook = openpyxl.load_workbook(
        io.BytesIO(report(client, world.lead, _export="xlsx").content), read_only=True
    )
    sheet = workbook["Figures"]
    from_xlsx = {
        cells[1]: cells[2]
        for cells in sheet.iter_rows(min_row=2, values_only=True)
        if len(cells) > 2 and cells[1]
    }
    assert {label: from_xlsx[label] for label in expected} == pytest.approx(expected)
    severity_sheet = workbook["Resolution by log and severity"]
    listed = [cells[0] for cells in severity_sheet.iter_rows(min_row=2, values_only=True)]
    assert listed == ["Interruptions · SEV1", "Interruptions · SEV2", "Escalations · SEV3"]


def linked_rows(client, url):
    parts = urlparse(url)
    response = client.get(parts.path, {**parse_qs(parts.query), "per_page": 100})
    assert response.status_code == 200
    assert response.context["filter"].is_valid(), response.context["filter"].errors
    return {row.reference for row in response.context["page"].rows}


def test_each_link_lists_exactly_the_rows_behind_its_figure(client, world, breaches):
    response = report(client, world.lead)
    sections = response.context["report"].sections
    checked = 0
    for section in sections:
        for figure in section.figures:
            if figure.url:
                found = linked_rows(client, figure.url)
                assert len(found) == _missed_of(sections, figure.label), figure.label
                checked += 1
        for found_table in section.tables:
            if found_table.key != "resolution-by-severity" and not found_table.key.startswith(
                "first_response"
            ):
                continue
            for cells in found_table.rows:
                for index in (2, 3, 4, 7):
                    if cells[index].url:
                        assert len(linked_rows(client, cells[index].url)) == cells[index].value
                        checked += 1
    assert checked >= 8


def _missed_of(sections, label):
    """Missed records behind a log's headline figure: the sum of its table rows' Missed."""
    log = label.rsplit(" ", 3)[0]
    key = "first_response-by-severity" if "answered" in label else "resolution-by-severity"
    found_table = next(t for s in sections for t in s.tables if t.key == key)
    return sum(cells[4].value for cells in found_table.rows if cells[0].value.startswith(log))


def test_the_missed_link_lists_the_stamped_and_the_unstamped(client, world, breaches):
    response = report(client, world.lead)
    url = figure_map(response)["Interruptions resolved on time"].url
    assert "resolution_target=missed" in url
    assert len(linked_rows(client, url)) == 3


def test_an_auditor_reads_it_and_an_agent_may_not(client, world, breaches):
    client.force_login(world.auditor)
    assert (
        client.get(reverse("reports:sla"), {"client": world.client_a.pk, **MARCH}).status_code
        == 200
    )
    client.force_login(world.agent)
    assert client.get(reverse("reports:sla"), MARCH).status_code == 403


def test_an_unknown_target_outcome_is_a_filter_error(client, world, breaches):
    client.force_login(world.lead)
    response = client.get(reverse("interruptions:list"), {"resolution_target": "sometimes"})
    assert response.status_code == 200
    assert not response.context["filter"].is_valid()
    assert "resolution_target" in response.context["filter"].errors
