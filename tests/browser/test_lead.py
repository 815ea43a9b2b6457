"""A team lead works the interruption queue: filters, sorts, bulk changes, notifications,
audit findings, and closes a record over the follow-ups it caused."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.audits.models import AuditFinding, FindingKind
from apps.core.choices import LinkRelation, Severity, Status
from apps.intake.models import IntakeRequest, Outcome
from apps.interruptions.models import Interruption
from apps.notifications.models import Notification
from tests.factories import InterruptionFactory, RecordLinkFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_intake import IntegrationFactory
from tests.factories_notifications import NotificationFactory

pytestmark = pytest.mark.browser


def resolved(world, **values) -> Interruption:
    ended = timezone.now() - timedelta(hours=1)
    return InterruptionFactory(
        client=world.client_a,
        status=Status.RESOLVED,
        resolution="Restarted the session broker.",
        root_cause_category="technology",
        root_cause_analysis="A certificate expired on the session broker.",
        ended_at=ended,
        resolved_at=ended,
        **values,
    )


def select_rows(page, *records) -> None:
    for record in records:
        page.locator(f"#results input[name='selection'][value='{record.pk}']").check()


def filter_sort_and_change_many(portal, world) -> None:
    """Filter by severity, sort by title, bulk-assign, bulk-close: one message per row."""
    closable = resolved(world, title="Billing screen frozen", severity=Severity.SEV2)
    working = InterruptionFactory(
        client=world.client_a,
        title="Agents dropped from the dialer",
        severity=Severity.SEV2,
        status=Status.IN_PROGRESS,
    )
    minor = InterruptionFactory(client=world.client_a, title="Typo on the wallboard")
    page = portal.page
    portal.goto("/interruptions/")
    shown = set(portal.table_references())
    assert shown == {closable.reference, working.reference, minor.reference}

    portal.open_filters()
    portal.choose_in_filter("Severity", "SEV2 · High")
    portal.apply_filters()
    assert sorted(portal.table_references()) == sorted([closable.reference, working.reference])
    assert "severity=SEV2" in page.url
    assert portal.filter_button_text("Severity") not in ("", "Any"), (
        "The Severity filter button does not show the selection after filtering"
    )
    assert portal.filter_button_text("Status") == "Any"

    portal.click_and_load(page.locator("#results th").get_by_role("link", name="Title"))
    assert portal.table_references() == [working.reference, closable.reference]
    assert "severity=SEV2" in page.url
    portal.click_and_load(page.locator("#results th").get_by_role("link", name="Title"))
    assert portal.table_references() == [closable.reference, working.reference]

    assignees = page.locator("#bulk-form #id_assignee option").all_inner_texts()
    assert any(world.agent.get_full_name() in option for option in assignees)
    assert not any(world.auditor.get_full_name() in option for option in assignees), (
        f"Auditors are offered as assignees: {assignees}"
    )
    select_rows(page, closable, working)
    page.locator("#id_action").select_option("assign")
    page.locator("#bulk-form #id_assignee").select_option(str(world.agent.pk))
    portal.submit("Apply", scope=page.locator("#bulk-form"))
    portal.expect_message(closable.reference)
    portal.expect_message(working.reference)
    assert set(
        Interruption.objects.filter(assignee=world.agent).values_list("reference", flat=True)
    ) == {closable.reference, working.reference}
    assert "severity=SEV2" in page.url, "The list forgot its filter after a bulk change"

    select_rows(page, closable, working)
    page.locator("#id_action").select_option("status")
    page.locator("#bulk-form #id_status").select_option(Status.CLOSED)
    portal.submit("Apply", scope=page.locator("#bulk-form"))
    expect(page.locator(".alert-success").filter(has_text=closable.reference).first).to_be_visible()
    expect(page.locator(".alert-warning").filter(has_text=working.reference).first).to_contain_text(
        "not changed"
    )
    closable.refresh_from_db()
    working.refresh_from_db()
    assert (closable.status, working.status) == (Status.CLOSED, Status.IN_PROGRESS)


def work_notifications_and_findings(portal, world) -> None:
    """Mark one notification read, open another, acknowledge a finding."""
    record = InterruptionFactory(client=world.client_a, severity=Severity.SEV1)
    first = NotificationFactory(
        record=record, recipient=world.lead, subject=f"{record.reference} needs a first response"
    )
    second = NotificationFactory(
        record=record, recipient=world.lead, subject=f"{record.reference} was escalated"
    )
    finding = AuditFinding.objects.create(
        kind=FindingKind.STALE,
        client=world.client_a,
        severity=Severity.SEV2,
        summary=f"{record.reference} has not moved for 9 days.",
        found_at=timezone.now(),
        fingerprint=f"stale:browser:{record.pk}",
    )
    page = portal.page
    portal.goto("/notifications/")
    expect(page.locator("h1")).to_contain_text("2 unread")
    item = page.locator(".list-group-item").filter(has_text=first.subject)
    portal.click_and_load(item.get_by_role("button", name="Mark read"))
    expect(page.locator("h1")).to_contain_text("1 unread")
    item = page.locator(".list-group-item").filter(has_text=second.subject)
    portal.click_and_load(item.get_by_role("button", name="Open"))
    assert portal.path == record.get_absolute_url()
    assert not Notification.objects.filter(recipient=world.lead, read_at__isnull=True).exists()

    portal.goto("/audits/findings/")
    row = page.locator("#results tbody tr").filter(has_text=finding.summary)
    portal.click_and_load(row.get_by_role("button", name="Acknowledge"))
    finding.refresh_from_db()
    assert finding.acknowledged_by == world.lead
    expect(page.locator("#results tbody tr").filter(has_text=finding.summary)).not_to_contain_text(
        "Acknowledge"
    )


def close_over_open_follow_ups(portal, world) -> None:
    """Closing waits for the escalation it caused, unless the lead gives a reason."""
    record = resolved(world, title="Telephony platform down")
    follow_up = EscalationFactory(client=world.client_a, title="Customer lost a sale")
    RecordLinkFactory(
        source_record=follow_up, target_record=record, relation=LinkRelation.CAUSED_BY
    )
    page = portal.page
    portal.goto(record.get_absolute_url())
    expect(page.locator("main")).to_contain_text(f"Close {follow_up.reference}, which it caused.")

    page.get_by_label("Status").select_option(Status.CLOSED)
    portal.submit("Change status")
    record.refresh_from_db()
    assert record.status == Status.RESOLVED, "It closed although a record it caused is open"
    portal.expect_message(follow_up.reference)

    page.get_by_label("Status").select_option(Status.CLOSED)
    page.get_by_label("Close even though records it caused are still open").check()
    reason = "The escalation is handled by the client's own desk."
    page.get_by_label("Reason", exact=True).fill(reason)
    portal.submit("Change status")
    record.refresh_from_db()
    assert record.status == Status.CLOSED
    expect(page.locator("main")).to_contain_text(reason)


def read_the_alert_intake(portal, world) -> None:
    """The requests of the monitoring integrations, refused ones with their reason."""
    source = IntegrationFactory(name="Acme probes", client=world.client_a)
    IntakeRequest.objects.create(
        integration=source,
        client=world.client_a,
        outcome=Outcome.REFUSED,
        status_code=401,
        reason="wrong or missing token",
    )
    page = portal.page
    portal.goto("/intake/requests/")
    expect(page.locator("#results tbody tr")).to_contain_text("wrong or missing token")


def test_lead_works_the_queue(portal, live_world):
    portal.sign_in(live_world.lead)
    filter_sort_and_change_many(portal, live_world)
    work_notifications_and_findings(portal, live_world)
    close_over_open_follow_ups(portal, live_world)
    read_the_alert_intake(portal, live_world)
