"""An agent files each of the five kinds through its form, edits it, and works the record."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.calls.models import Call
from apps.core.choices import Severity, Status
from apps.escalations.models import Escalation
from apps.failures.models import FailureReport
from apps.interruptions.models import Interruption
from apps.recovery.models import RecoveryCase
from tests.factories_calls import DispositionFactory, QueryCategoryFactory
from tests.factories_escalations import EscalationCategoryFactory
from tests.factories_failures import FailureReportFactory

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"[A-Z]+-\d{4}-\d{6}")


def local_input(delta: timedelta) -> str:
    """A time `delta` before now, as a datetime-local input takes it (the portal's zone)."""
    return timezone.localtime(timezone.now() - delta).strftime("%Y-%m-%dT%H:%M")


def open_new_form(portal, list_path: str, button: str) -> None:
    portal.goto(list_path)
    portal.click_and_load(portal.page.get_by_role("link", name=button))


def saved_reference(portal) -> str:
    """The reference the portal announces after a save, from the record page's heading."""
    errors = portal.page.locator(".invalid-feedback, .alert-danger").evaluate_all(
        "nodes => nodes.map(n => `${n.id || n.className}: ${n.innerText.trim()}`)"
    )
    assert not errors, f"The form was refused: {errors}"
    portal.expect_message("logged")
    return REFERENCE.search(portal.page.get_by_role("heading", level=1).inner_text()).group()


def edit_title_only(portal, model, reference: str, severity: str) -> None:
    """Open the edit form, check it shows the stored severity, change only the title, save:
    the severity stays what it was, and history names the title alone."""
    page = portal.page
    portal.click_and_load(page.get_by_role("link", name="Edit", exact=True))
    expect(page.locator("#id_severity")).to_have_value(severity)
    page.locator("#id_title").fill(f"{reference} retitled")
    portal.submit()
    portal.expect_message("saved")
    record = model.objects.get(reference=reference)
    assert record.title == f"{reference} retitled"
    assert record.severity == severity, f"{reference} became {record.severity} after a title edit"
    expect(page.locator("h1")).to_contain_text(reference)
    last_change = page.locator("table", has=page.get_by_role("columnheader", name="Change"))
    last_change = last_change.locator("tbody tr").first
    expect(last_change).to_contain_text("Title")
    expect(last_change).not_to_contain_text("Severity")


def test_agent_files_an_interruption_and_works_it(portal, live_world):
    world = live_world
    other = FailureReportFactory(client=world.client_a, title="Refunds desk missed a handoff")
    page = portal.page
    portal.sign_in(world.agent)
    open_new_form(portal, "/interruptions/", "Log new interruption")

    page.locator("#id_kind").select_option("degradation")
    degradation = page.locator("[data-kind-section='degradation']")
    expect(degradation).to_be_visible()
    expect(page.locator("[data-kind-section='maintenance']")).to_be_hidden()
    page.locator("#id_title").fill("CRM pages take 20 s to open")
    page.locator("#id_severity").select_option(Severity.SEV2)
    page.locator("#id_affected_services").select_option(str(world.service_a.pk))
    page.locator("#id_occurred_at").fill(local_input(timedelta(hours=1)))
    degradation.locator("#id_metric").fill("Page load time")
    degradation.locator("#id_observed_value").fill("20")
    degradation.locator("#id_normal_value").fill("2")
    portal.submit()
    reference = saved_reference(portal)
    record = Interruption.objects.get(reference=reference)
    assert (record.kind, record.severity) == ("degradation", Severity.SEV2)
    assert (record.metric, record.observed_value, record.normal_value) == ("Page load time", 20, 2)

    edit_title_only(portal, Interruption, reference, Severity.SEV2)

    page.get_by_label("Add a note").fill("Vendor engineer on the bridge.")
    portal.submit("Add note")
    portal.expect_message("Note added.")
    expect(page.locator(".timeline")).to_contain_text("Vendor engineer on the bridge.")

    page.get_by_label("Status").select_option(Status.IN_PROGRESS)
    portal.submit("Change status")
    assert Interruption.objects.get(reference=reference).status == Status.IN_PROGRESS

    page.get_by_label("This record is").select_option(index=1)
    page.get_by_label("Reference").fill(other.reference)
    portal.submit("Link")
    portal.expect_message(f"Linked to {other.reference}.")
    expect(page.locator("main")).to_contain_text(other.reference)

    for follow_up in ("Log a call", "File a failure report"):
        expect(page.get_by_role("link", name=follow_up, exact=True)).to_be_visible()
    EscalationCategoryFactory()
    portal.click_and_load(page.get_by_role("link", name="Escalate", exact=True))
    expect(page.locator("#id_title")).to_have_value(f"{reference} retitled")
    expect(page.locator("#id_severity")).to_have_value(Severity.SEV2)
    page.locator("#id_occurred_at").fill(local_input(timedelta(minutes=5)))
    page.locator("#id_origin").select_option("internal")
    page.locator("#id_channel").select_option("voice")
    page.locator("#id_category").select_option(index=1)
    page.locator("#id_reason").fill("Agents cannot serve customers.")
    portal.submit()
    escalation = Escalation.objects.get(reference=saved_reference(portal))
    expect(page.locator("main")).to_contain_text(reference)
    assert escalation.severity == Severity.SEV2


def file_a_failure_report(portal, world) -> None:
    """A compliance failure: its category's section, SLA figures, one corrective action."""
    page = portal.page
    open_new_form(portal, "/failures/", "Log new failure report")

    page.locator("#id_category").select_option("compliance")
    compliance = page.locator("[data-kind-section='compliance']")
    expect(compliance).to_be_visible()
    expect(page.locator("[data-kind-section='technical']")).to_be_hidden()
    page.locator("#id_title").fill("Abandonment SLA missed in November")
    page.locator("#id_severity").select_option(Severity.SEV2)
    page.locator("#id_occurred_at").fill(local_input(timedelta(hours=5)))
    page.locator("#id_detected_at").fill(local_input(timedelta(hours=4)))
    compliance.locator("#id_contract_clause").fill("Schedule 2, 4.1")
    compliance.locator("#id_sla_metric").fill("Abandonment rate")
    compliance.locator("#id_sla_target").fill("5")
    compliance.locator("#id_sla_actual").fill("9.5")
    compliance.locator("#id_client_notified_at").fill(local_input(timedelta(hours=3)))
    actions = page.locator("#corrective-actions")
    actions.locator("input[name$='-action']").first.fill("Add two agents to the evening shift")
    due = timezone.localdate() + timedelta(days=7)
    actions.locator("input[name$='-due_date']").first.fill(due.isoformat())
    portal.submit()
    reference = saved_reference(portal)
    report = FailureReport.objects.get(reference=reference)
    assert (report.category, report.sla_metric, report.severity) == (
        "compliance",
        "Abandonment rate",
        "SEV2",
    )
    assert report.corrective_actions.get().action == "Add two agents to the evening shift"
    edit_title_only(portal, FailureReport, reference, Severity.SEV2)


def file_an_escalation(portal, world) -> None:
    """A customer escalation with its category from the code list."""
    category = EscalationCategoryFactory()
    page = portal.page
    open_new_form(portal, "/escalations/", "Log new escalation")

    page.locator("#id_title").fill("Customer threatens to leave over billing")
    page.locator("#id_severity").select_option(Severity.SEV1)
    page.locator("#id_origin").select_option("customer")
    page.locator("#id_channel").select_option("email")
    page.locator("#id_category").select_option(str(category.pk))
    page.locator("#id_occurred_at").fill(local_input(timedelta(minutes=30)))
    page.locator("#id_customer_name").fill("Dana Whitfield")
    page.locator("#id_reason").fill("Billed twice for November.")
    portal.submit()
    reference = saved_reference(portal)
    escalation = Escalation.objects.get(reference=reference)
    assert (escalation.severity, escalation.category, escalation.customer_name) == (
        "SEV1",
        category,
        "Dana Whitfield",
    )
    edit_title_only(portal, Escalation, reference, Severity.SEV1)


def log_a_call(portal, world) -> None:
    """An outbound call needing a follow-up: the Follow-up section shows, the Escalation
    section and the inbound wait do not; an edit keeps the direction as well as the severity."""
    DispositionFactory()
    QueryCategoryFactory()
    page = portal.page
    open_new_form(portal, "/calls/", "Log new call")

    page.locator("#id_direction").select_option("outbound")
    expect(page.locator("#id_wait_seconds")).to_be_hidden()
    page.locator("#id_outcome").select_option("follow_up")
    follow_up = page.locator(
        "fieldset", has=page.locator("legend", has_text=re.compile("^Follow-up$"))
    )
    expect(follow_up).to_be_visible()
    expect(page.locator("#id_escalation_notes")).to_be_hidden()
    page.locator("#id_title").fill("Customer wants a call back about a refund")
    page.locator("#id_severity").select_option(Severity.SEV2)
    page.locator("#id_occurred_at").fill(local_input(timedelta(minutes=40)))
    page.locator("#id_answered_at").fill(local_input(timedelta(minutes=39)))
    page.locator("#id_ended_at").fill(local_input(timedelta(minutes=30)))
    page.locator("#id_customer_name").fill("Priya Natarajan")
    page.locator("#id_query_category").select_option(index=1)
    page.locator("#id_disposition").select_option(index=1)
    due = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    follow_up.locator("#id_follow_up_due").fill(due)
    portal.submit()
    reference = saved_reference(portal)
    call = Call.objects.get(reference=reference)
    assert (call.direction, call.outcome, call.severity) == ("outbound", "follow_up", "SEV2")
    assert call.follow_up_due is not None
    edit_title_only(portal, Call, reference, Severity.SEV2)
    assert Call.objects.get(reference=reference).direction == "outbound"


def open_a_recovery_case(portal, world) -> None:
    """A recovery case for a customer whose parcel was lost."""
    page = portal.page
    open_new_form(portal, "/recovery/", "Log new recovery case")

    page.locator("#id_title").fill("Parcel lost twice, customer furious")
    page.locator("#id_severity").select_option(Severity.SEV2)
    page.locator("#id_nature").select_option("delivery_problem")
    page.locator("#id_occurred_at").fill(local_input(timedelta(days=1)))
    page.locator("#id_customer_name").fill("Tomás Herrera")
    page.locator("#id_initial_feedback").fill("Wants a refund and an apology.")
    portal.submit()
    reference = saved_reference(portal)
    case = RecoveryCase.objects.get(reference=reference)
    assert (case.nature, case.severity, case.customer_name) == (
        "delivery_problem",
        "SEV2",
        "Tomás Herrera",
    )
    edit_title_only(portal, RecoveryCase, reference, Severity.SEV2)


def test_agent_files_the_other_four_kinds(portal, live_world):
    """Each through its own form, then edited: the severity stays as filed."""
    portal.sign_in(live_world.agent)
    for file_one in (file_a_failure_report, file_an_escalation, log_a_call, open_a_recovery_case):
        file_one(portal, live_world)
