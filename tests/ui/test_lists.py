"""List pages as users see them: the filters, the table on a phone, names of people."""

import html
import re

import pytest

from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import FailureReportFactory
from tests.factories_recovery import RecoveryCaseFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def chosen(page: str, field: str) -> str:
    """What the closed dropdown button of a multiple choice filter reads."""
    found = re.search(rf'<span id="id_{field}_chosen" data-chosen-label>(.*?)</span>', page)
    assert found, f"no dropdown button for {field}"
    return found.group(1)


def filters_button(page: str) -> str:
    found = re.search(r'<button[^>]*id="filters-toggle"[^>]*>(.*?)</button>', page, re.S)
    assert found
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_filter_buttons_read_any_before_anything_is_chosen(world, client):
    client.force_login(world.lead)

    page = text(client.get("/interruptions/"))

    assert chosen(page, "severity") == "Any"
    assert chosen(page, "status") == "Any"
    assert filters_button(page) == "Filters"


def test_filtering_with_htmx_draws_the_filters_again_showing_the_selection(world, client):
    InterruptionFactory(client=world.client_a, severity="SEV1", title="Shown")
    InterruptionFactory(client=world.client_a, severity="SEV4", title="Hidden")
    client.force_login(world.lead)

    swap = text(
        client.get("/interruptions/?severity=SEV1&severity=SEV2&status=new&status=on_hold", **HTMX)
    )

    # The results, and the filter form swapped out of band in place of the stale one.
    assert "Shown" in swap and "Hidden" not in swap
    assert "<html" not in swap
    assert '<div id="filters" class="mb-3" hx-swap-oob="true">' in swap
    assert chosen(swap, "severity") == "SEV1, SEV2"
    assert chosen(swap, "status") == "New, On hold"
    assert re.search(r'<input[^>]*value="SEV1"[^>]*checked', swap)
    assert not re.search(r'<input[^>]*value="SEV4"[^>]*checked', swap)
    assert filters_button(swap) == "Filters 2 active"


def test_a_full_page_shows_the_selection_without_an_out_of_band_copy(world, client):
    client.force_login(world.lead)

    page = text(client.get("/interruptions/?status=new&status=in_progress&status=on_hold&q=crm"))

    assert page.count('id="filters"') == 1
    assert "hx-swap-oob" not in page
    assert chosen(page, "status") == "3 selected"
    assert filters_button(page) == "Filters 2 active"


def test_filters_fold_behind_a_button_on_small_screens(world, client):
    client.force_login(world.lead)

    page = text(client.get("/escalations/"))

    assert re.search(
        r'<button class="btn[^"]*d-md-none"[^>]*data-bs-toggle="collapse"'
        r'[^>]*data-bs-target="#filter-panel"',
        page,
    )
    assert '<div class="collapse d-md-block mt-2 mt-md-0" id="filter-panel">' in page


KINDS = [
    ("/interruptions/", InterruptionFactory),
    ("/escalations/", EscalationFactory),
    ("/failures/", FailureReportFactory),
    ("/calls/", CallFactory),
    ("/recovery/", RecoveryCaseFactory),
]


def header_classes(page: str) -> dict[str, str]:
    """Column header text → its class attribute, from the results table."""
    table = re.split(r'<div class="table-responsive"[^>]*>', page, maxsplit=1)[1]
    table = table.split("</thead>", 1)[0]
    found = {}
    for attrs, inner in re.findall(r"<th([^>]*)>(.*?)</th>", table, re.S):
        label = " ".join(re.sub(r"<[^>]+>", " ", inner).split()) or "selection"
        classes = re.search(r'class="([^"]*)"', attrs)
        found[label] = classes.group(1) if classes else ""
    return found


@pytest.mark.parametrize("url,factory", KINDS)
def test_tables_keep_their_key_columns_on_a_phone_and_scroll_in_their_box(
    world, client, url, factory
):
    factory(client=world.client_a, assignee=world.agent)
    client.force_login(world.lead)

    page = text(client.get(url))

    assert re.search(
        r'<div class="table-responsive"[^>]*>\s*<div class="table-container">\s*<table', page
    )
    headers = header_classes(page)
    for kept in ("selection", "Reference", "Title", "Sev.", "Status"):
        assert "d-none" not in headers[kept], kept
    hidden = [
        label
        for label, classes in headers.items()
        if {"d-none", "d-md-table-cell"} <= set(classes.split())
    ]
    assert hidden, "the other columns fold away below md"
    assert {"Client", "Started", "Occurred", "Escalated"} & set(hidden)
    due = [label for label in headers if "due" in label.lower()]
    for label in due:
        assert "d-none" not in headers[label], label


@pytest.mark.parametrize("url,factory", KINDS)
def test_lists_name_people_by_full_name(world, client, url, factory):
    world.agent.first_name, world.agent.last_name = "Aisha", "Karimova"
    world.agent.save()
    factory(client=world.client_a, assignee=world.agent)
    client.force_login(world.lead)

    page = text(client.get(url))
    rows = page.split("<tbody", 1)[1]

    assert "Aisha Karimova" in rows
    assert ">agent<" not in rows


def test_lists_fall_back_to_the_username_without_a_full_name(world, client):
    world.agent.first_name = world.agent.last_name = ""
    world.agent.save()
    InterruptionFactory(client=world.client_a, assignee=world.agent)
    client.force_login(world.lead)

    rows = text(client.get("/interruptions/")).split("<tbody", 1)[1]

    assert ">agent<" in rows


def test_the_assignee_filter_names_people_as_the_forms_do(world, client):
    world.agent.first_name, world.agent.last_name = "Aisha", "Karimova"
    world.agent.save()
    client.force_login(world.lead)

    page = text(client.get("/interruptions/"))
    assignee = page.split('id="id_assignee"', 1)[1].split("</select>", 1)[0]

    assert f'<option value="{world.agent.pk}">Aisha Karimova (agent)</option>' in assignee


@pytest.mark.parametrize(
    "url,kept,folded",
    [
        ("/audits/findings/", {"Found", "Sev.", "Record", "Summary", "Acknowledged"}, {"Client"}),
        ("/calls/audits/", {"Scored", "Call", "Agent", "Total %", "Passed"}, {"Auditor"}),
    ],
)
def test_findings_and_quality_audits_keep_their_own_key_columns(world, client, url, kept, folded):
    client.force_login(world.lead)

    headers = header_classes(text(client.get(url)))

    for label in kept:
        assert "d-none" not in headers[label], label
    for label in folded:
        assert {"d-none", "d-md-table-cell"} <= set(headers[label].split()), label
