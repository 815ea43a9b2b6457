"""Call pages over HTTP as agent, lead, auditor, administrator and an outsider (agent_b)."""

import html
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from apps.calls.models import Call, Direction, Outcome, QualityAudit
from apps.core.choices import LinkRelation, Status
from apps.core.models import RecordLink
from tests.factories_calls import (
    CallFactory,
    DispositionFactory,
    QualityAuditFactory,
    QueryCategoryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(world):
    return CallFactory(
        client=world.client_a,
        title="Customer asks why the bill went up",
        caller_number="+44 20 7946 0958",
        customer_name="Jane Doe",
        account_reference="AC-778899",
        assignee=world.agent,
        team=world.team_a1,
    )


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
        "direction": "inbound",
        "title": "Refund not received",
        "severity": "SEV4",
        "occurred_at": "2026-03-02T09:00",
        "answered_at": "2026-03-02T09:01",
        "ended_at": "2026-03-02T09:07",
        "caller_number": "+44 20 7946 0001",
        "customer_name": "Ahmed Khan",
        "account_reference": "AC-1",
        "queue": "Billing",
        "query_category": QueryCategoryFactory().pk,
        "disposition": DispositionFactory().pk,
        "outcome": "resolved",
        "resolution": "Refund traced and re-sent.",
        "assignee": world.agent.pk,
        "team": world.team_a1.pk,
        **overrides,
    }


SCORES = {
    "greeting": 5,
    "tone": 4,
    "accuracy": 5,
    "compliance": 3,
    "resolution": 4,
    "empathy": 4,
    "pass_mark": 80,
}


# --- the record page per role --------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "lead", "admin"])
def test_workers_see_the_call_with_its_personal_data(world, client, record, role):
    client.force_login(getattr(world, role))

    content = text(client.get(f"/calls/{record.reference}/"))

    assert "Customer asks why the bill went up" in content
    assert "Jane Doe" in content
    assert "+44 20 7946 0958" in content
    assert "account AC-778899" in content
    assert f'href="/calls/{record.reference}/edit/"' in content
    assert "masked" not in content


def test_the_auditor_sees_the_call_masked_and_may_score_it(world, client, record):
    client.force_login(world.auditor)

    content = text(client.get(f"/calls/{record.reference}/"))

    assert "Jane Doe" not in content
    assert "+44 20 7946 0958" not in content
    assert '<span data-personal="caller_number">•••• 0958</span>' in content
    assert '<span data-personal="customer_name">••••</span>' in content
    assert "account AC-778899" in content
    assert f'action="/calls/{record.reference}/audit/"' in content
    assert f'href="/calls/{record.reference}/edit/"' not in content


def test_an_agent_may_not_score_calls(world, client, record):
    client.force_login(world.agent)

    content = text(client.get(f"/calls/{record.reference}/"))
    response = client.post(f"/calls/{record.reference}/audit/", SCORES)

    assert "/audit/" not in content
    assert response.status_code == 403
    assert not QualityAudit.objects.exists()


def test_history_masks_personal_data_for_the_auditor(world, client, record):
    from apps.calls.services import call_update

    call_update(
        record,
        actor=world.agent,
        changes={"customer_name": "Janet Doe-Smith", "caller_number": "+44 20 7946 1111"},
        expected_version=record.version,
    )
    client.force_login(world.auditor)
    auditor_page = text(client.get(f"/calls/{record.reference}/"))
    client.force_login(world.lead)
    lead_page = text(client.get(f"/calls/{record.reference}/"))

    assert "Janet Doe-Smith" not in auditor_page
    assert "7946 1111" not in auditor_page.replace("•••• 1111", "")
    assert "•••• 1111" in auditor_page
    assert "Janet Doe-Smith" in lead_page


# --- the outsider --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "edit/"),
        ("post", "edit/"),
        ("post", "note/"),
        ("post", "status/"),
        ("post", "assign/"),
        ("post", "link/"),
        ("post", "audit/"),
    ],
)
def test_an_outsider_gets_404_on_every_page_of_a_call(world, client, record, method, suffix):
    client.force_login(world.agent_b)

    response = getattr(client, method)(f"/calls/{record.reference}/{suffix}", SCORES)

    assert response.status_code == 404


def test_an_outsider_lead_may_not_score_another_clients_call(world, client, record):
    from tests.factories import TeamMembershipFactory, UserFactory

    lead_b = UserFactory(username="lead_b", role="Team lead")
    TeamMembershipFactory(team=world.team_b1, user=lead_b)
    client.force_login(lead_b)

    response = client.post(f"/calls/{record.reference}/audit/", SCORES)

    assert response.status_code == 404
    assert not QualityAudit.objects.exists()


def test_an_outsider_sees_neither_the_call_nor_its_audits_in_lists(world, client, record):
    QualityAuditFactory(call=record, auditor=world.auditor)
    client.force_login(world.agent_b)

    calls = client.get("/calls/")
    audits = client.get("/calls/audits/")

    assert calls.status_code == 200
    assert record.reference not in calls.content.decode()
    assert audits.status_code == 403  # agents hold no audit list at all
    assert client.get("/calls/import/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, record):
    for url in ("/calls/", f"/calls/{record.reference}/", "/calls/audits/", "/calls/import/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# --- the form ------------------------------------------------------------------------------


def test_an_agent_logs_a_call(world, client):
    client.force_login(world.agent)

    response = client.post("/calls/new/", form_data(world))

    call = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/calls/{call.reference}/"
    assert (call.customer_name, call.wait_seconds, call.talk_seconds) == ("Ahmed Khan", 60, 360)
    assert call.reported_by == world.agent
    assert call.status == Status.NEW


def test_close_now_from_the_form(world, client):
    client.force_login(world.agent)

    client.post("/calls/new/", form_data(world, close_now="on"))

    assert Call.objects.get().status == Status.CLOSED


def test_close_now_refused_shows_why_and_saves_nothing(world, client):
    client.force_login(world.agent)

    response = client.post("/calls/new/", form_data(world, close_now="on", resolution=""))

    assert response.status_code == 200
    assert "Describe the resolution given before closing." in text(response)
    assert not Call.objects.exists()


def test_the_form_refuses_an_end_before_the_start(world, client):
    client.force_login(world.agent)

    response = client.post("/calls/new/", form_data(world, ended_at="2026-03-02T08:00"))

    assert response.status_code == 200
    assert "A call cannot end before it started." in text(response)
    assert not Call.objects.exists()


def test_the_form_offers_only_active_codes_of_each_list(world, client):
    DispositionFactory(code="retired", label="Retired disposition", active=False)
    QueryCategoryFactory(code="returns", label="Returns and refunds")
    client.force_login(world.agent)

    content = text(client.get("/calls/new/"))

    assert "Returns and refunds" in content
    assert "Retired disposition" not in content
    assert 'data-show-when="outcome:escalated"' in content
    assert 'data-show-when="direction:inbound"' in content


def test_the_edit_form_is_stale_safe(world, client, record):
    client.force_login(world.agent)
    data = form_data(world, version=record.version, title="Edited once")
    data.pop("client")
    client.post(f"/calls/{record.reference}/edit/", data)

    response = client.post(
        f"/calls/{record.reference}/edit/", {**data, "title": "Edited twice, stale"}
    )

    assert response.status_code == 200
    assert "changed by someone else" in text(response)
    record.refresh_from_db()
    assert record.title == "Edited once"


def test_a_follow_up_call_starts_from_the_previous_call(world, client, record):
    client.force_login(world.agent)

    page = text(client.get(f"/calls/{record.reference}/"))
    form = text(client.get(f"/calls/new/?follow_up_of={record.reference}"))

    assert f'href="/calls/new/?follow_up_of={record.reference}"' in page
    assert f'value="{record.reference}"' in form
    assert 'value="Jane Doe"' in form
    assert 'value="outbound" selected' in form


def test_a_follow_up_of_a_call_out_of_reach_is_404(world, client, record):
    client.force_login(world.agent_b)

    assert client.get(f"/calls/new/?follow_up_of={record.reference}").status_code == 404


def test_the_follow_up_field_takes_a_reference(world, client, record):
    client.force_login(world.agent)

    unknown = client.post("/calls/new/", form_data(world, follow_up_of="CALL-1999-000001"))
    response = client.post(
        "/calls/new/",
        form_data(
            world,
            follow_up_of=record.reference.lower(),
            direction="outbound",
            occurred_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            answered_at="",
            ended_at="",
        ),
    )

    call = Call.objects.get(follow_up_of=record)
    assert "No call CALL-1999-000001 among your clients' calls." in text(unknown)
    assert response.status_code == 302
    assert call.direction == Direction.OUTBOUND


def test_an_auditor_may_not_open_the_form(world, client, record):
    client.force_login(world.auditor)

    assert client.get("/calls/new/").status_code == 403
    assert client.get(f"/calls/{record.reference}/edit/").status_code == 403


def test_without_the_permission_the_form_has_no_personal_fields(world, client, record):
    from django.contrib.auth.models import Permission

    from tests.factories import TeamMembershipFactory, UserFactory

    # Someone who may edit calls but not see personal data (no standard role is like that).
    editor = UserFactory(username="editor")
    TeamMembershipFactory(team=world.team_a1, user=editor)
    editor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_call", "change_call"])
    )
    client.force_login(editor)
    data = form_data(world, version=record.version, title="Edited without personal data")
    data.pop("client")

    content = text(client.get(f"/calls/{record.reference}/edit/"))
    response = client.post(f"/calls/{record.reference}/edit/", data)

    assert 'name="caller_number"' not in content
    assert "Jane Doe" not in content
    assert 'name="account_reference"' in content
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.title, record.customer_name) == ("Edited without personal data", "Jane Doe")


# --- audits from the page ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "lead"])
def test_auditors_and_leads_score_a_call_from_its_page(world, client, record, role):
    client.force_login(getattr(world, role))

    response = client.post(f"/calls/{record.reference}/audit/", {**SCORES, "comments": "Good"})
    page = text(client.get(f"/calls/{record.reference}/"))

    audit = QualityAudit.objects.get()
    assert response.status_code == 302
    assert audit.auditor == getattr(world, role)
    assert str(audit.total_percent) == "83.33"
    assert "Quality audit saved: 83.33% (passed)." in messages_of(response)
    assert "Quality audit: 83.33% (passed, pass mark 80%)." in page
    assert "83.33%" in page


def test_an_invalid_audit_is_refused_with_a_message(world, client, record):
    client.force_login(world.auditor)

    response = client.post(f"/calls/{record.reference}/audit/", {**SCORES, "tone": 9})

    assert response.status_code == 302
    assert not QualityAudit.objects.exists()
    assert any("valid choice" in message for message in messages_of(response))


# --- escalate ------------------------------------------------------------------------------


def test_a_call_is_escalated_from_its_page(world, client, record):
    client.force_login(world.agent)

    page = text(client.get(f"/calls/{record.reference}/"))
    form = text(client.get(f"/escalations/new/?origin={record.reference}"))

    assert f'href="/escalations/new/?origin={record.reference}"' in page
    ref = record.reference
    assert f'Escalating <a class="alert-link" href="/calls/{ref}/">{ref}</a>' in form
    assert 'value="Customer asks why the bill went up"' in form


def test_the_escalation_form_takes_the_customer_only_from_who_may_see_it(world, client, record):
    from django.contrib.auth.models import Permission

    from tests.factories import TeamMembershipFactory, UserFactory

    client.force_login(world.agent)
    agent_form = text(client.get(f"/escalations/new/?origin={record.reference}"))
    # Someone who may escalate but not see personal data (no standard role is like that).
    escalator = UserFactory(username="escalator")
    TeamMembershipFactory(team=world.team_a1, user=escalator)
    escalator.user_permissions.set(
        Permission.objects.filter(codename__in=["view_call", "add_escalation"])
    )
    client.force_login(escalator)
    escalator_form = text(client.get(f"/escalations/new/?origin={record.reference}"))

    assert 'value="Jane Doe"' in agent_form
    assert 'value="AC-778899"' in agent_form
    assert "Jane Doe" not in escalator_form
    assert "AC-778899" not in escalator_form
    assert 'value="Customer asks why the bill went up"' in escalator_form


def test_the_escalation_is_linked_to_the_call(world, client, record):
    from tests.factories_escalations import EscalationCategoryFactory

    client.force_login(world.agent)
    response = client.post(
        f"/escalations/new/?origin={record.reference}",
        {
            "client": world.client_a.pk,
            "title": "Bill dispute",
            "severity": "SEV3",
            "origin": "customer",
            "channel": "voice",
            "category": EscalationCategoryFactory().pk,
            "tier": 1,
            "occurred_at": "2026-03-02T09:00",
            "reason": "Customer asked for a supervisor.",
        },
    )

    assert response.status_code == 302
    link = RecordLink.objects.get()
    assert (link.target_id, link.relation) == (record.pk, LinkRelation.CAUSED_BY)


def test_an_outsider_cannot_escalate_a_call(world, client, record):
    client.force_login(world.agent_b)

    assert client.get(f"/escalations/new/?origin={record.reference}").status_code == 404


# --- list page basics ----------------------------------------------------------------------


def test_the_list_shows_calls_with_tabs_for_leads(world, client, record):
    CallFactory(client=world.client_b, title="Globex call")
    client.force_login(world.lead)

    content = text(client.get("/calls/"))

    assert record.reference in content
    assert "Globex call" not in content
    assert 'href="/calls/audits/"' in content
    assert 'href="/calls/import/"' in content
    assert "First-call resolution" in content


def test_missed_inbound_calls_are_listed_with_their_outcome(world, client):
    CallFactory(
        client=world.client_a,
        outcome=Outcome.MISSED,
        answered_at=None,
        talk_seconds=None,
        occurred_at=timezone.now() - timedelta(minutes=3),
    )
    client.force_login(world.agent)

    content = text(client.get("/calls/?outcome=missed"))

    assert "Missed" in content
