"""Recovery case pages over HTTP as agent, lead, auditor, admin and an outsider (agent_b)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.choices import LinkRelation, Status
from apps.core.models import RecordLink, TimelineEntry
from apps.recovery.models import (
    RecoveryAction,
    RecoveryCase,
    RecoveryFeedback,
    RecoveryInteraction,
    RecoveryResolution,
)
from tests.factories import InterruptionFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_recovery import (
    RecoveryActionFactory,
    RecoveryCaseFactory,
    RecoveryFeedbackFactory,
    RecoveryInteractionFactory,
    RecoveryResolutionFactory,
)
from tests.recovery.helpers import CHILD_POSTS, text

pytestmark = pytest.mark.django_db


def form_data(world, **overrides) -> dict:
    return {
        "client": world.client_a.pk,
        "title": "Wrong item delivered",
        "severity": "SEV3",
        "nature": "delivery_problem",
        "occurred_at": (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "customer_name": "Jane Doe",
        "account_reference": "AC-1",
        "initial_feedback": "Disappointed.",
        "team": world.team_a1.pk,
        "assignee": world.agent.pk,
        **overrides,
    }


# --- pages per role ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "lead", "admin"])
def test_workers_see_the_case_with_its_children_and_their_forms(world, client, case, role):
    RecoveryInteractionFactory(
        case=case, summary="Called, customer upset.", recorded_by=world.agent
    )
    RecoveryActionFactory(case=case, details="Sent a written apology.", recorded_by=world.lead)
    RecoveryResolutionFactory(case=case, final_resolution="Replacement shipped.")
    RecoveryFeedbackFactory(case=case, suggestions="Faster couriers.", recorded_by=world.agent)
    client.force_login(getattr(world, role))

    content = text(client.get(f"/recovery/{case.reference}/"))

    ref = case.reference
    assert "Jane Doe · account AC-778899" in content
    for shown in ("Called, customer upset.", "Sent a written apology.", "Replacement shipped."):
        assert shown in content
    assert "Faster couriers." in content
    for action in ("interactions", "actions", "resolution", "feedback"):
        assert f'action="/recovery/{ref}/{action}/"' in content
    assert f'href="/recovery/{ref}/edit/"' in content
    assert f'href="/escalations/new/?origin={ref}">Escalate</a>' in content
    # The resolution is not confirmed yet; the latest feedback scores 4 of 5.
    assert "not recovered yet" in content and "latest score 4/5" in content


def test_a_recovered_case_says_so(world, client, case):
    RecoveryResolutionFactory(
        case=case, customer_confirmed=True, confirmed_at=case.occurred_at + timedelta(hours=5)
    )
    RecoveryFeedbackFactory(case=case, satisfaction=5, likelihood_to_return=9)
    client.force_login(world.auditor)

    content = text(client.get(f"/recovery/{case.reference}/"))

    outcome = content.split('id="outcome">', 1)[1].split("</dd>", 1)[0]
    assert "recovered</span>" in outcome
    assert "· satisfied · latest score 5/5 · likelihood to return 9/10" in outcome


def test_auditor_reads_without_forms_and_cannot_post(world, client, case, action_types):
    client.force_login(world.auditor)
    ref = case.reference

    content = text(client.get(f"/recovery/{ref}/"))
    posts = [client.post(f"/recovery/{ref}/{name}/", data) for name, data in CHILD_POSTS.items()]

    assert "Wrong item delivered twice" in content
    assert "/interactions/" not in content and "/edit/" not in content
    assert "Escalate</a>" not in content
    assert [response.status_code for response in posts] == [403] * 4
    assert client.get("/recovery/new/").status_code == 403


def test_outsider_gets_404_everywhere(world, client, case, action_types):
    client.force_login(world.agent_b)
    ref = case.reference
    child_posts = dict(CHILD_POSTS)
    child_posts["actions"] = {
        **CHILD_POSTS["actions"],
        "action-action_type": action_types["apology"].pk,
    }

    responses = [
        client.get(f"/recovery/{ref}/"),
        client.get(f"/recovery/{ref}/edit/"),
        client.post(f"/recovery/{ref}/edit/", form_data(world, version=1)),
        client.post(f"/recovery/{ref}/note/", {"text": "hi"}),
        client.post(f"/recovery/{ref}/status/", {"status": "on_hold", "version": 1}),
        client.post(f"/recovery/{ref}/assign/", {"assignee": world.agent_b.pk, "version": 1}),
        client.post(f"/recovery/{ref}/link/", {"relation": "related_to", "reference": ref}),
        *[client.post(f"/recovery/{ref}/{name}/", data) for name, data in child_posts.items()],
    ]

    assert [response.status_code for response in responses] == [404] * 11
    case.refresh_from_db()
    assert (case.status, case.version, case.title) == (
        Status.IN_PROGRESS,
        1,
        "Wrong item delivered twice",
    )
    for model in (RecoveryInteraction, RecoveryAction, RecoveryResolution, RecoveryFeedback):
        assert not model.objects.exists()
    assert not TimelineEntry.objects.filter(object_id=case.pk).exists()
    assert ref not in text(client.get("/recovery/"))
    assert client.get("/recovery/?_export=csv").status_code == 403  # agents do not export


def test_outsider_list_shows_only_their_client(world, client, case):
    other = RecoveryCaseFactory(client=world.client_b)
    client.force_login(world.agent_b)

    content = text(client.get("/recovery/"))

    assert other.reference in content
    assert case.reference not in content


def test_anonymous_is_sent_to_login(client, case):
    response = client.get(f"/recovery/{case.reference}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# --- create and edit -----------------------------------------------------------------------


def test_agent_opens_a_case(world, client):
    client.force_login(world.agent)

    response = client.post("/recovery/new/", form_data(world))

    created = RecoveryCase.objects.get()
    assert response.status_code == 302
    assert response.url == f"/recovery/{created.reference}/"
    assert (created.customer_name, created.nature, created.assignee, created.reported_by) == (
        "Jane Doe",
        "delivery_problem",
        world.agent,
        world.agent,
    )
    assert not RecordLink.objects.exists()


def test_origin_reference_on_the_form_links_the_case(world, client):
    origin = InterruptionFactory(client=world.client_a, title="Courier API down")
    client.force_login(world.agent)

    response = client.post(
        "/recovery/new/", form_data(world, origin_reference=origin.reference.lower())
    )

    created = RecoveryCase.objects.get()
    assert response.status_code == 302
    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id, link.relation) == (
        created.pk,
        origin.pk,
        LinkRelation.CAUSED_BY,
    )
    page = text(client.get(f"/recovery/{created.reference}/"))
    assert f'Caused by <a href="/interruptions/{origin.reference}/">' in page


def test_origin_reference_is_validated(world, client):
    theirs = InterruptionFactory(client=world.client_b)
    other_case = RecoveryCaseFactory(client=world.client_a)
    client.force_login(world.agent)

    cases = {
        "INT-2026-999999": "No record INT-2026-999999 among your clients' records.",
        theirs.reference: f"No record {theirs.reference} among your clients' records.",
        other_case.reference: f"{other_case.reference} is a recovery case: a recovery case is "
        "caused by an interruption, failure report, escalation or call.",
    }
    for reference, message in cases.items():
        response = client.post("/recovery/new/", form_data(world, origin_reference=reference))
        assert response.status_code == 200
        assert response.context["form"].errors["origin_reference"] == [message]
    assert RecoveryCase.objects.count() == 1


def test_origin_of_another_client_than_the_case_is_refused(world, client):
    origin = InterruptionFactory(client=world.client_a)
    client.force_login(world.admin)

    response = client.post(
        "/recovery/new/",
        form_data(
            world, client=world.client_b.pk, team="", assignee="", origin_reference=origin.reference
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["origin_reference"] == [
        f"{origin.reference} belongs to Acme Retail, not to Globex Telecom."
    ]
    assert not RecoveryCase.objects.exists()


def test_edit_saves_and_hides_the_origin_field(world, client, case):
    client.force_login(world.lead)

    page = client.get(f"/recovery/{case.reference}/edit/")
    response = client.post(
        f"/recovery/{case.reference}/edit/",
        form_data(world, title="Wrong item, third time", version=1),
    )

    assert page.status_code == 200
    assert "origin_reference" not in page.context["form"].fields
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.version) == ("Wrong item, third time", 2)


# --- started from another record -----------------------------------------------------------


@pytest.fixture
def interruption(world):
    return InterruptionFactory(client=world.client_a, title="Courier API down", severity="SEV2")


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_origin_pages_offer_start_recovery_case(world, client, interruption, role):
    escalation = EscalationFactory(client=world.client_a)
    client.force_login(getattr(world, role))

    for origin, app in ((interruption, "interruptions"), (escalation, "escalations")):
        content = text(client.get(f"/{app}/{origin.reference}/"))
        assert f'href="/recovery/new/?origin={origin.reference}">Start recovery case</a>' in content


def test_auditor_sees_no_start_button(world, client, interruption):
    client.force_login(world.auditor)

    content = text(client.get(f"/interruptions/{interruption.reference}/"))

    assert "Start recovery case" not in content


def test_start_from_an_origin_prefills_and_links(world, client, interruption):
    client.force_login(world.agent)
    url = f"/recovery/new/?origin={interruption.reference}"

    page = client.get(url)

    initial = page.context["form"].initial
    assert (initial["client"], initial["severity"], initial["origin_reference"]) == (
        world.client_a,
        "SEV2",
        interruption.reference,
    )
    assert (
        'Recovering a customer from <a class="alert-link" '
        f'href="/interruptions/{interruption.reference}/">' in (text(page))
    )
    response = client.post(url, form_data(world, origin_reference=interruption.reference))

    created = RecoveryCase.objects.get()
    assert response.status_code == 302
    assert RecordLink.objects.get().target_id == interruption.pk
    origin_page = text(client.get(f"/interruptions/{interruption.reference}/"))
    assert f'Led to <a href="/recovery/{created.reference}/">' in origin_page


def test_start_from_an_escalation_takes_its_customer(world, client):
    escalation = EscalationFactory(
        client=world.client_a, customer_name="Jane Doe", account_reference="AC-5"
    )
    client.force_login(world.agent)

    initial = client.get(f"/recovery/new/?origin={escalation.reference}").context["form"].initial

    assert (initial["customer_name"], initial["account_reference"]) == ("Jane Doe", "AC-5")
    assert initial["title"] == escalation.title


def test_outsider_cannot_start_from_another_clients_record(world, client, interruption):
    client.force_login(world.agent_b)
    url = f"/recovery/new/?origin={interruption.reference}"

    page = client.get(url)
    posted = client.post(url, form_data(world, client=world.client_b.pk, team=world.team_b1.pk))

    assert (page.status_code, posted.status_code) == (404, 404)
    assert not RecoveryCase.objects.exists()


# --- admin ---------------------------------------------------------------------------------


def test_admin_shows_cases_and_children_read_only(world, client, case):
    RecoveryInteractionFactory(case=case, summary="Called back.")
    client.force_login(world.admin)

    listing = client.get("/admin/recovery/recoverycase/?q=AC-778899")
    change = client.get(f"/admin/recovery/recoverycase/{case.pk}/change/")
    add = client.get("/admin/recovery/recoverycase/add/")

    assert listing.status_code == 200
    assert case.reference in listing.content.decode()
    assert change.status_code == 200
    assert "Called back." in change.content.decode()
    assert 'name="_save"' not in change.content.decode()
    assert add.status_code == 403
