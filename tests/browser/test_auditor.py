"""An auditor filters a list, exports exactly what the screen shows (the workbook through its
background job's page), and reads the history."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from apps.core.choices import Severity, Status
from apps.core.services.records import record_change_status
from apps.interruptions.services import interruption_update
from apps.jobs.models import Job
from apps.jobs.running import job_run
from tests.factories import InterruptionFactory

pytestmark = pytest.mark.browser


def download(portal, link_name: str):
    page = portal.page
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return info.value


def csv_references(download) -> list[str]:
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    return [row["Reference"] for row in rows]


def xlsx_references(download) -> list[str]:
    with open(download.path(), "rb") as file:  # the download's own path has no extension
        sheet = load_workbook(io.BytesIO(file.read()), read_only=True).active
    rows = sheet.iter_rows(values_only=True)
    column = next(rows).index("Reference")
    return [row[column] for row in rows if any(cell is not None for cell in row)]


def test_auditor_exports_the_filtered_rows_and_reads_the_history(portal, live_world):
    world = live_world
    severe = [
        InterruptionFactory(client=world.client_a, severity=Severity.SEV1, title=title)
        for title in ("Payroll export failed", "Dialer lost its trunk", "Chat widget blank")
    ]
    InterruptionFactory(client=world.client_a, severity=Severity.SEV3, title="Slow search")
    InterruptionFactory(client=world.client_b, severity=Severity.SEV1, title="IVR loops")
    watched = severe[0]
    watched = interruption_update(
        watched,
        actor=world.lead,
        changes={"title": "Payroll export failed twice"},
        expected_version=watched.version,
    )
    record_change_status(watched, target=Status.IN_PROGRESS, actor=world.lead)

    page = portal.page
    portal.sign_in(world.auditor)
    portal.goto("/interruptions/")
    portal.open_filters()
    portal.choose_in_filter("Severity", "SEV1 · Critical")
    portal.apply_filters()
    on_screen = portal.table_references()
    assert sorted(on_screen) == sorted(record.reference for record in severe)
    expect(page.locator("#row-count")).to_contain_text("3")

    exported_csv = download(portal, "Export CSV")
    assert exported_csv.suggested_filename.endswith(".csv")
    assert sorted(csv_references(exported_csv)) == sorted(on_screen)
    # A workbook is built in the background: its page follows the job, then offers the file.
    portal.click_and_load(page.get_by_role("link", name="Export XLSX"))
    expect(page.get_by_role("heading", name="Interruptions, XLSX")).to_be_visible()
    job_run(Job.objects.get(requester=world.auditor).pk)
    expect(page.get_by_role("link", name=re.compile("^Download"))).to_be_visible(timeout=10_000)
    exported_xlsx = download(portal, re.compile("^Download"))
    assert exported_xlsx.suggested_filename.endswith(".xlsx")
    assert sorted(xlsx_references(exported_xlsx)) == sorted(on_screen)
    portal.check()

    portal.goto("/interruptions/?severity=SEV1")
    portal.click_and_load(page.get_by_role("link", name=watched.reference, exact=True))
    history = page.locator("table", has=page.get_by_role("columnheader", name="Change"))
    rows = history.locator("tbody tr")
    expect(rows.filter(has_text="Payroll export failed twice")).to_contain_text(
        world.lead.get_full_name()
    )
    expect(rows.filter(has_text="Payroll export failed twice")).to_contain_text("Title")
    expect(rows.filter(has_text="In progress").first).to_be_visible()
    text = history.inner_text()
    assert "in_progress" not in text, "History shows a raw status value"
    assert not re.search(r"\d{2}:\d{2}:\d{2}", text), "History times are not to the minute"
    assert "+00:00" not in text, "History shows raw date-time values"
