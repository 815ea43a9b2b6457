"""Escalation pages over HTTP as agent, lead, auditor and an outsider (agent_b of client B)."""

import html
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from apps.core.choices import LinkRelation, Status, Tier, TimelineKind
from apps.core.models import RecordLink, TimelineEntry
from apps.escalations.models import Escalation
from tests.factories import InterruptionFactory
from tests.factories_escalations import EscalationCategoryFactory, EscalationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(world):
    return EscalationFactory(
        client=world.client_a,
        title="Customer charged twice",
        customer_name="Jane Doe",
        account_reference="AC-778899",
        team=world.team_a1,
    )


@pytest.fixture
def other(world):
    return EscalationFactory(client=world.client_b, title="Globex porting delay")


def text(response, status: int = 200) -> str:
    """The page's text, once its status is the expected one: a check that a text is absent
    means nothing on an error page."""
    assert response.status_code == status, response.status_code
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_data(world, **overrides) -> dict:
    return {
        "client": world.client_a.pk,
        "title": "Refund refused twice",
        "severity": "SEV2",
        "origin": "customer",
        "channel": "email",
        "category": EscalationCategoryFactory().pk,
        "tier": 1,
        "occurred_at": "2026-03-02T09:00",
        "reason": "Customer asked for a supervisor.",
        "customer_name": "Jane Doe",
        "account_reference": "AC-1",
        "team": world.team_a1.pk,
        **overrides,
    }


# --- pages per role ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_workers_see_the_escalation_with_its_actions(world, client, record, role):
    client.force_login(getattr(world, role))

    content = text(client.get(f"/escalations/{record.reference}/"))

    ref = record.reference
    assert "Customer charged twice" in content
    assert "Jane Doe · account AC-778899" in content
    assert "Tier 1 · Frontline" in content
    assert "Billing dispute" in content
    assert f'action="/escalations/{ref}/move-tier/"' in content
    assert f'action="/escalations/{ref}/first-response/"' in content
    assert f'href="/escalations/{ref}/edit/"' in content


def test_auditor_reads_without_actions(world, client, record):
    client.force_login(world.auditor)

    content = text(client.get(f"/escalations/{record.reference}/"))

    assert "Customer charged twice" in content
    assert "move-tier" not in content
    assert "first-response" not in content
    assert "/edit/" not in content


def test_auditor_cannot_move_or_record_first_response(world, client, record):
    client.force_login(world.auditor)
    ref = record.reference

    responses = [
        client.post(
            f"/escalations/{ref}/move-tier/",
            {"tier": 2, "team": world.team_a2.pk, "reason": "x", "version": 1},
        ),
        client.post(f"/escalations/{ref}/first-response/", {"version": 1}),
        client.get("/escalations/new/"),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    record.refresh_from_db()
    assert (record.tier, record.first_response_at, record.version) == (1, None, 1)


def test_outsider_gets_404_everywhere(world, client, record):
    client.force_login(world.agent_b)
    ref = record.reference

    responses = [
        client.get(f"/escalations/{ref}/"),
        client.get(f"/escalations/{ref}/edit/"),
        client.post(f"/escalations/{ref}/edit/", form_data(world)),
        client.post(f"/escalations/{ref}/note/", {"text": "hi"}),
        client.post(f"/escalations/{ref}/status/", {"status": "in_progress", "version": 1}),
        client.post(f"/escalations/{ref}/assign/", {"assignee": world.agent_b.pk, "version": 1}),
        client.post(
            f"/escalations/{ref}/move-tier/",
            {"tier": 2, "team": world.team_a2.pk, "reason": "x", "version": 1},
        ),
        client.post(f"/escalations/{ref}/first-response/", {"version": 1}),
    ]

    assert [response.status_code for response in responses] == [404] * 8
    record.refresh_from_db()
    assert (record.status, record.tier, record.first_response_at, record.version) == (
        Status.NEW,
        1,
        None,
        1,
    )
    assert not TimelineEntry.objects.filter(object_id=record.pk).exists()
    listing = text(client.get("/escalations/"))
    assert record.reference not in listing
    assert client.get("/escalations/?_export=csv").status_code == 403  # agents do not export


def test_outsider_list_shows_only_their_client(world, client, record, other):
    client.force_login(world.agent_b)

    content = text(client.get("/escalations/"))

    assert other.reference in content
    assert record.reference not in content


def test_anonymous_is_sent_to_login(client, record):
    response = client.get(f"/escalations/{record.reference}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# --- create and edit -----------------------------------------------------------------------


def test_agent_logs_an_escalation_with_default_due_times(world, client):
    client.force_login(world.agent)

    response = client.post("/escalations/new/", form_data(world))

    created = Escalation.objects.get()
    assert response.status_code == 302
    assert response.url == f"/escalations/{created.reference}/"
    assert (created.title, created.client, created.reported_by) == (
        "Refund refused twice",
        world.client_a,
        world.agent,
    )
    assert created.resolution_due - created.occurred_at == timedelta(hours=8)
    assert created.first_response_due - created.occurred_at == timedelta(hours=1)


def test_form_offers_only_active_escalation_categories(world, client):
    EscalationCategoryFactory(code="vip", label="VIP customer")
    EscalationCategoryFactory(code="old", label="Retired category", active=False)
    client.force_login(world.agent)

    content = text(client.get("/escalations/new/"))

    assert "VIP customer" in content
    assert "Retired category" not in content
    inactive = EscalationCategoryFactory(code="gone", label="Gone", active=False)
    response = client.post("/escalations/new/", form_data(world, category=inactive.pk))
    assert response.status_code == 200
    assert not Escalation.objects.exists()


def test_edit_keeps_the_tier_for_the_move_action(world, client, record):
    client.force_login(world.agent)

    response = client.post(
        f"/escalations/{record.reference}/edit/",
        form_data(world, tier=3, title="Charged three times", version=1),
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.title, record.tier, record.version) == ("Charged three times", 1, 2)


# --- escalate from an interruption ---------------------------------------------------------


@pytest.fixture
def interruption(world):
    return InterruptionFactory(client=world.client_a, title="CRM down", severity="SEV1")


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_interruption_page_offers_escalate_to_those_who_may(world, client, interruption, role):
    client.force_login(getattr(world, role))

    content = text(client.get(f"/interruptions/{interruption.reference}/"))

    assert f'href="/escalations/new/?origin={interruption.reference}">Escalate</a>' in content


def test_auditor_sees_no_escalate_button(world, client, interruption):
    client.force_login(world.auditor)

    content = text(client.get(f"/interruptions/{interruption.reference}/"))

    assert "Escalate</a>" not in content


def test_escalation_page_itself_has_no_escalate_button(world, client, record):
    client.force_login(world.agent)

    content = text(client.get(f"/escalations/{record.reference}/"))

    assert "Escalate</a>" not in content


def test_escalate_prefills_from_the_origin_and_links_on_save(world, client, interruption):
    client.force_login(world.agent)
    url = f"/escalations/new/?origin={interruption.reference}"

    page = client.get(url)

    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["client"] == world.client_a
    assert form.initial["title"] == "CRM down"
    assert form.initial["severity"] == "SEV1"
    assert (
        f'Escalating <a class="alert-link" href="/interruptions/{interruption.reference}/">'
        f"{interruption.reference}</a> · CRM down" in text(page)
    )

    response = client.post(
        url, form_data(world, title="CRM down: customers cannot pay", severity="SEV1")
    )

    created = Escalation.objects.get()
    assert response.status_code == 302
    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id, link.relation) == (
        created.pk,
        interruption.pk,
        LinkRelation.CAUSED_BY,
    )
    assert link.created_by == world.agent
    assert created.resolution_due - created.occurred_at == timedelta(hours=4)
    origin_page = text(client.get(f"/interruptions/{interruption.reference}/"))
    assert f'Led to <a href="/escalations/{created.reference}/">' in origin_page


def test_outsider_cannot_escalate_from_another_clients_record(world, client, interruption):
    client.force_login(world.agent_b)
    url = f"/escalations/new/?origin={interruption.reference}"

    page = client.get(url)
    posted = client.post(url, form_data(world, client=world.client_b.pk, team=world.team_b1.pk))

    assert (page.status_code, posted.status_code) == (404, 404)
    assert "CRM down" not in text(page, status=404)
    assert not Escalation.objects.exists()
    assert not RecordLink.objects.exists()


def test_origin_of_a_kind_that_cannot_be_escalated_is_404(world, client, record):
    client.force_login(world.agent)

    assert client.get(f"/escalations/new/?origin={record.reference}").status_code == 404
    assert client.get("/escalations/new/?origin=INT-2026-999999").status_code == 404


# --- move tier and first response ----------------------------------------------------------


def test_lead_moves_the_escalation_to_tier_two(world, client, record):
    client.force_login(world.lead)

    response = client.post(
        f"/escalations/{record.reference}/move-tier/",
        {"tier": 2, "team": world.team_a2.pk, "reason": "Database fix needed", "version": 1},
    )

    assert response.status_code == 302
    assert messages_of(response) == [f"{record.reference} is now at {Tier(2).label}."]
    record.refresh_from_db()
    assert (record.tier, record.team, record.version) == (2, world.team_a2, 2)
    entry = TimelineEntry.objects.get(object_id=record.pk, kind=TimelineKind.ASSIGNMENT)
    assert entry.actor == world.lead
    assert entry.message.endswith(": Database fix needed")
    content = text(client.get(f"/escalations/{record.reference}/"))
    assert "Tier 2 · Technical" in content


def test_move_without_reason_or_to_a_wrong_team_is_refused(world, client, record):
    client.force_login(world.agent)
    url = f"/escalations/{record.reference}/move-tier/"

    no_reason = client.post(url, {"tier": 2, "team": world.team_a2.pk, "reason": "", "version": 1})
    wrong_team = client.post(
        url, {"tier": 2, "team": world.team_a1.pk, "reason": "x", "version": 1}
    )
    same_tier = client.post(url, {"tier": 1, "team": world.team_a1.pk, "reason": "x", "version": 1})

    # Messages pile up until a page shows them: each response adds the last one.
    assert messages_of(no_reason) == ["Give the reason for moving the escalation."]
    assert messages_of(wrong_team)[-1] == "Acme Frontline does not work at Tier 2 · Technical."
    assert (
        messages_of(same_tier)[-1]
        == "Select a valid choice. 1 is not one of the available choices."
    )
    record.refresh_from_db()
    assert (record.tier, record.team, record.version) == (1, world.team_a1, 1)


def test_agent_records_the_first_response_once(world, client, record):
    client.force_login(world.agent)
    url = f"/escalations/{record.reference}/first-response/"

    first = client.post(url, {"version": 1})
    record.refresh_from_db()
    recorded = record.first_response_at
    second = client.post(url, {"version": 2})

    assert messages_of(first) == ["First response recorded."]
    assert messages_of(second)[-1] == f"{record.reference}'s first response is already recorded."
    record.refresh_from_db()
    assert recorded is not None
    assert abs(recorded - timezone.now()) < timedelta(minutes=1)
    assert (record.first_response_at, record.version) == (recorded, 2)
    content = text(client.get(f"/escalations/{record.reference}/"))
    assert "first-response/" not in content


def test_closing_from_the_page_reports_what_is_missing(world, client):
    resolved = EscalationFactory(client=world.client_a, status=Status.RESOLVED)
    client.force_login(world.lead)

    response = client.post(
        f"/escalations/{resolved.reference}/status/", {"status": "closed", "version": 1}
    )

    assert sorted(messages_of(response)) == [
        "Describe the resolution steps before closing.",
        "Record the outcome before closing.",
    ]
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


# --- admin ---------------------------------------------------------------------------------


def test_admin_lists_escalations_read_only(world, client, record):
    client.force_login(world.admin)

    listing = client.get("/admin/escalations/escalation/?q=AC-778899")
    change = client.get(f"/admin/escalations/escalation/{record.pk}/change/")
    add = client.get("/admin/escalations/escalation/add/")

    assert listing.status_code == 200
    assert record.reference in listing.content.decode()
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert add.status_code == 403
