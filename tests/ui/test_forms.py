"""Forms as users meet them: time zones stated, who is offered as assignee, follow-ups."""

import html
import re

import pytest

from apps.calls.models import Call
from apps.core.choices import LinkRelation
from apps.core.models import RecordLink
from apps.failures.models import FailureReport
from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory, DispositionFactory, QueryCategoryFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory
from tests.factories_recovery import RecoveryCaseFactory

pytestmark = pytest.mark.django_db

ZONE = "Europe/London"


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def london(settings):
    settings.TIME_ZONE = ZONE


def datetime_inputs(page: str) -> list[str]:
    return re.findall(r'<input type="datetime-local"[^>]*>', page)


def assert_zones_stated(page: str) -> None:
    inputs = datetime_inputs(page)
    assert inputs, "no date-time input on the page"
    for tag in inputs:
        input_id = re.search(r'id="([^"]+)"', tag).group(1)
        assert re.search(rf'aria-describedby="([^"]+ )?{input_id}_zone"', tag)
        assert re.search(
            rf'{re.escape(tag)}\s*<div class="form-text time-zone" id="{input_id}_zone">'
            rf"Times in {ZONE}</div>",
            page,
        ), input_id


@pytest.mark.parametrize(
    "url",
    ["/interruptions/new/", "/escalations/new/", "/failures/new/", "/calls/new/", "/recovery/new/"],
)
def test_every_new_record_form_states_the_time_zone(world, client, london, url):
    client.force_login(world.agent)

    assert_zones_stated(text(client.get(url)))


def test_edit_forms_and_their_child_rows_state_the_time_zone(world, client, london):
    report = FailureReportFactory(client=world.client_a)
    CorrectiveActionFactory(report=report, owner=world.agent)
    client.force_login(world.agent)

    page = text(client.get(f"/failures/{report.reference}/edit/"))

    assert_zones_stated(page)
    assert re.search(r'id="id_actions-0-done_at_zone"', page)


def test_recovery_case_child_forms_state_the_time_zone(world, client, london):
    case = RecoveryCaseFactory(client=world.client_a)
    client.force_login(world.agent)

    page = text(client.get(f"/recovery/{case.reference}/"))

    assert_zones_stated(page)
    # Interactions, actions, feedback and the resolution each have a moment to give.
    assert len(datetime_inputs(page)) >= 4


def test_the_time_zone_is_the_one_times_are_read_in(world, client, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    client.force_login(world.agent)

    page = text(client.get("/interruptions/new/"))

    assert "Times in Asia/Kolkata" in page
    assert ZONE not in page


# --- who is offered as assignee ------------------------------------------------------------


def option_values(page: str, select_id: str) -> set[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select, select_id
    return set(re.findall(r'<option value="(\d+)"', select.group(1)))


def test_record_forms_offer_people_who_work_records_not_auditors(world, client):
    client.force_login(world.lead)

    offered = option_values(text(client.get("/interruptions/new/")), "id_assignee")

    assert {str(world.agent.pk), str(world.lead.pk)} <= offered
    assert str(world.auditor.pk) not in offered
    assert str(world.agent_b.pk) not in offered


def test_assign_and_bulk_forms_offer_no_auditor(world, client):
    record = EscalationFactory(client=world.client_a)
    client.force_login(world.lead)

    assign = option_values(text(client.get(f"/escalations/{record.reference}/")), "id_assignee")
    bulk_page = text(client.get("/escalations/"))
    bulk = option_values(bulk_page.split('id="bulk-form"', 1)[1], "id_assignee")

    for offered in (assign, bulk):
        assert str(world.agent.pk) in offered
        assert str(world.auditor.pk) not in offered


def test_a_record_already_given_to_an_auditor_keeps_them_offered(world, client):
    record = CallFactory(client=world.client_a, assignee=world.auditor)
    client.force_login(world.lead)

    offered = option_values(text(client.get(f"/calls/{record.reference}/edit/")), "id_assignee")

    assert str(world.auditor.pk) in offered


def test_assignee_options_read_full_names(world, client):
    world.agent.first_name, world.agent.last_name = "Aisha", "Karimova"
    world.agent.save()
    client.force_login(world.lead)

    page = text(client.get("/recovery/new/"))

    assert f'<option value="{world.agent.pk}">Aisha Karimova (agent)</option>' in page


# --- follow-ups opened from a record -----------------------------------------------------


def follow_up_buttons(page: str) -> list[tuple[str, str]]:
    header = page.split('<div class="record-page">', 1)[1].split("<h2", 1)[0]
    return [
        (label, url)
        for url, label in re.findall(
            r'<a class="btn btn-outline-danger btn-sm" href="([^"]+)">([^<]+)</a>', header
        )
    ]


def test_record_pages_offer_a_call_and_a_failure_report_beside_escalate(world, client):
    outage = InterruptionFactory(client=world.client_a)
    client.force_login(world.agent)

    buttons = dict(follow_up_buttons(text(client.get(f"/interruptions/{outage.reference}/"))))

    ref = outage.reference
    assert buttons["Escalate"] == f"/escalations/new/?origin={ref}"
    assert buttons["Log a call"] == f"/calls/new/?origin={ref}"
    assert buttons["File a failure report"] == f"/failures/new/?origin={ref}"


def test_a_call_offers_a_failure_report_but_not_another_call(world, client):
    call = CallFactory(client=world.client_a)
    client.force_login(world.agent)

    labels = [
        label for label, _ in follow_up_buttons(text(client.get(f"/calls/{call.reference}/")))
    ]

    assert "File a failure report" in labels and "Escalate" in labels
    assert "Log a call" not in labels


def test_auditors_are_offered_no_follow_up(world, client):
    outage = InterruptionFactory(client=world.client_a)
    client.force_login(world.auditor)

    page = text(client.get(f"/interruptions/{outage.reference}/"))

    assert follow_up_buttons(page) == []


def test_log_a_call_from_an_outage_prefills_and_links_it(world, client):
    outage = InterruptionFactory(client=world.client_a, title="CRM down", severity="SEV2")
    client.force_login(world.agent)
    url = f"/calls/new/?origin={outage.reference}"

    page = client.get(url)

    assert page.context["form"].initial["client"] == world.client_a
    assert page.context["form"].initial["title"] == "CRM down"
    assert page.context["form"].initial["severity"] == "SEV2"
    assert (
        f'<a class="alert-link" href="/interruptions/{outage.reference}/">'
        f"{outage.reference}</a> · CRM down" in text(page)
    )

    response = client.post(
        url,
        {
            "client": world.client_a.pk,
            "direction": "outbound",
            "title": "Told the customer CRM is down",
            "severity": "SEV2",
            "occurred_at": "2026-03-02T09:00",
            "answered_at": "2026-03-02T09:01",
            "ended_at": "2026-03-02T09:07",
            "query_category": QueryCategoryFactory().pk,
            "disposition": DispositionFactory().pk,
            "outcome": "resolved",
            "resolution": "Explained the outage.",
        },
    )

    call = Call.objects.get()
    assert response.status_code == 302, response.context["form"].errors
    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id, link.relation) == (
        call.pk,
        outage.pk,
        LinkRelation.CAUSED_BY,
    )


def test_file_a_failure_report_from_an_escalation_links_it(world, client):
    escalation = EscalationFactory(client=world.client_a, title="Refund never came")
    client.force_login(world.agent)
    url = f"/failures/new/?origin={escalation.reference}"

    assert "Filing a failure report about" in text(client.get(url))
    response = client.post(
        url,
        {
            "client": world.client_a.pk,
            "category": "customer_service",
            "title": "Refund never came",
            "severity": "SEV3",
            "occurred_at": "2026-03-02T09:00",
            "detected_at": "2026-03-02T10:00",
            "customer_service_failure_type": "unresolved_complaint",
            "follow_up_status": "pending",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
            "actions-MIN_NUM_FORMS": "0",
            "actions-MAX_NUM_FORMS": "1000",
        },
    )

    report = FailureReport.objects.get()
    assert response.status_code == 302
    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id) == (report.pk, escalation.pk)


def test_another_clients_record_cannot_be_followed_up(world, client):
    outage = InterruptionFactory(client=world.client_a)
    client.force_login(world.agent_b)

    for url in ("/calls/new/", "/failures/new/"):
        assert client.get(f"{url}?origin={outage.reference}").status_code == 404
    assert not Call.objects.exists()
