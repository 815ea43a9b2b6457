"""An interruption's page and its actions over HTTP: notes, status moves, assignment, scoping."""

import html
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from apps.core.choices import Status, TimelineKind
from apps.core.forms import STALE_FORM
from apps.core.models import RecordLink, TimelineEntry
from apps.interruptions.services import interruption_update
from tests.factories import InterruptionFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(world):
    return InterruptionFactory(
        client=world.client_a,
        title="CRM unreachable",
        affected_services=[world.service_a],
    )


@pytest.fixture
def resolved(world):
    """A resolved interruption that still lacks its root cause and resolution."""
    now = timezone.now()
    return InterruptionFactory(
        client=world.client_a,
        title="IVR menu looping",
        status=Status.RESOLVED,
        occurred_at=now - timedelta(hours=5),
        ended_at=now - timedelta(hours=4),
        resolved_at=now - timedelta(hours=4),
    )


def page(client, record) -> str:
    response = client.get(f"/interruptions/{record.reference}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def timeline(record, kind: str | None = None):
    entries = TimelineEntry.objects.filter(object_id=record.pk).order_by("id")
    return entries.filter(kind=kind) if kind else entries


# --- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_workers_see_the_record_with_its_action_forms(world, client, record, role):
    TimelineEntryFactory(record=record, message="Vendor says a fix is on its way.")
    TimelineEntryFactory(record=record, kind=TimelineKind.ALERT, message="Alert e-mailed.")
    client.force_login(getattr(world, role))

    content = page(client, record)

    ref = record.reference
    assert "CRM unreachable" in content
    assert "Acme Retail" in content
    assert "Vendor says a fix is on its way." in content
    # Entries the portal wrote itself (no person) are shown as the portal's.
    assert "Portal · Alert sent" in content
    assert f'href="/interruptions/{ref}/edit/"' in content
    assert f'action="/interruptions/{ref}/note/"' in content
    assert f'action="/interruptions/{ref}/status/"' in content
    assert f'action="/interruptions/{ref}/assign/"' in content
    assert "Change history" in content


def test_auditor_reads_the_record_without_any_action_form(world, client, record):
    TimelineEntryFactory(record=record, message="Vendor says a fix is on its way.")
    client.force_login(world.auditor)

    content = page(client, record)

    ref = record.reference
    assert "CRM unreachable" in content
    assert "Vendor says a fix is on its way." in content
    assert "Change history" in content
    assert "/edit/" not in content
    for action in ("note", "status", "assign", "link"):
        assert f'action="/interruptions/{ref}/{action}/"' not in content


def test_auditor_posts_to_actions_are_forbidden_and_change_nothing(world, client, record):
    client.force_login(world.auditor)
    ref = record.reference

    responses = [
        client.post(f"/interruptions/{ref}/note/", {"text": "Auditor note"}),
        client.post(f"/interruptions/{ref}/status/", {"status": "in_progress", "version": 1}),
        client.post(f"/interruptions/{ref}/assign/", {"assignee": world.lead.pk, "version": 1}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    record.refresh_from_db()
    assert record.status == Status.NEW
    assert record.assignee is None
    assert record.version == 1
    assert not timeline(record, TimelineKind.NOTE).exists()


def test_page_shows_the_change_history_with_who_and_what(world, client, record):
    interruption_update(
        record, actor=world.lead, changes={"title": "CRM down for all"}, expected_version=1
    )
    client.force_login(world.auditor)

    content = page(client, record)

    history = content[content.index("Change history") :]
    assert world.lead.get_full_name() in history
    assert "CRM unreachable" in history
    assert "→ CRM down for all" in history


def test_actions_answer_405_to_get(world, client, record):
    client.force_login(world.agent)
    for action in ("note", "status", "assign"):
        assert client.get(f"/interruptions/{record.reference}/{action}/").status_code == 405


# --- notes ---------------------------------------------------------------------------------


def test_agent_adds_a_note_to_the_timeline(world, client, record):
    client.force_login(world.agent)

    response = client.post(
        f"/interruptions/{record.reference}/note/", {"text": "Called the vendor, ticket 881."}
    )

    assert response.status_code == 302
    assert response.url == f"/interruptions/{record.reference}/"
    note = timeline(record, TimelineKind.NOTE).get()
    assert note.message == "Called the vendor, ticket 881."
    assert note.actor == world.agent
    assert note.client == world.client_a
    assert messages_of(response) == ["Note added."]
    assert "Called the vendor, ticket 881." in page(client, record)


def test_empty_note_is_refused(world, client, record):
    client.force_login(world.agent)

    response = client.post(f"/interruptions/{record.reference}/note/", {"text": "   "})

    assert response.status_code == 302
    assert not timeline(record, TimelineKind.NOTE).exists()
    assert messages_of(response) == ["Write the note first: an empty note was not added."]


# --- status --------------------------------------------------------------------------------


def test_status_moves_along_the_workflow(world, client, record):
    client.force_login(world.agent)

    response = client.post(
        f"/interruptions/{record.reference}/status/", {"status": "in_progress", "version": 1}
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.IN_PROGRESS
    assert record.version == 2
    assert messages_of(response) == [f"{record.reference} is now In progress."]
    event = timeline(record, TimelineKind.STATUS).get()
    assert event.actor == world.agent
    assert event.data == {"from": "new", "to": "in_progress"}
    assert record.history.latest().history_user == world.agent


def test_status_move_with_a_stale_version_is_refused(world, client, record):
    interruption_update(record, actor=world.lead, changes={"title": "CRM down"}, expected_version=1)
    client.force_login(world.agent)

    response = client.post(
        f"/interruptions/{record.reference}/status/", {"status": "in_progress", "version": 1}
    )

    record.refresh_from_db()
    assert record.status == Status.NEW
    assert record.version == 2
    (message,) = messages_of(response)
    assert "changed by someone else" in message


def test_move_the_workflow_does_not_allow_is_refused(world, client, record):
    client.force_login(world.lead)

    response = client.post(
        f"/interruptions/{record.reference}/status/", {"status": "closed", "version": 1}
    )

    record.refresh_from_db()
    assert record.status == Status.NEW
    assert record.version == 1
    (message,) = messages_of(response)
    assert "Select a valid choice" in message


def test_closing_without_root_cause_and_resolution_shows_why(world, client, resolved):
    client.force_login(world.lead)

    response = client.post(
        f"/interruptions/{resolved.reference}/status/", {"status": "closed", "version": 1}
    )

    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    assert resolved.closed_at is None
    assert resolved.version == 1
    assert sorted(messages_of(response)) == [
        "Choose a root-cause category before closing.",
        "Describe the resolution before closing.",
        "Describe the root cause before closing.",
    ]
    shown = client.get(response.url)
    content = html.unescape(shown.content.decode())
    assert "Describe the resolution before closing." in content


def test_closing_with_root_cause_and_resolution_closes(world, client, resolved):
    interruption_update(
        resolved,
        actor=world.lead,
        changes={
            "root_cause_category": "third_party",
            "root_cause_analysis": "Vendor pushed a faulty IVR script.",
            "resolution": "Vendor rolled the script back.",
        },
        expected_version=1,
    )
    client.force_login(world.lead)

    response = client.post(
        f"/interruptions/{resolved.reference}/status/", {"status": "closed", "version": 2}
    )

    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    assert resolved.closed_at is not None
    assert resolved.version == 3
    assert messages_of(response) == [f"{resolved.reference} is now Closed."]


def test_cancelling_needs_a_reason(world, client, record):
    client.force_login(world.lead)
    url = f"/interruptions/{record.reference}/status/"

    refused = client.post(url, {"status": "cancelled", "version": 1})
    record.refresh_from_db()
    assert record.status == Status.NEW
    assert messages_of(refused) == ["Give a reason to cancel a record."]

    client.post(url, {"status": "cancelled", "version": 1, "reason": "Logged twice"})
    record.refresh_from_db()
    assert record.status == Status.CANCELLED
    assert record.cancel_reason == "Logged twice"


# --- assignment ----------------------------------------------------------------------------


def test_assign_to_a_person_and_a_team(world, client, record):
    client.force_login(world.lead)

    response = client.post(
        f"/interruptions/{record.reference}/assign/",
        {"assignee": world.agent.pk, "team": world.team_a2.pk, "version": 1},
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.assignee == world.agent
    assert record.team == world.team_a2
    assert record.version == 2
    assert messages_of(response) == ["Assignment saved."]
    event = timeline(record, TimelineKind.ASSIGNMENT).get()
    assert event.actor == world.lead
    assert "Acme Technical" in event.message
    assert record.history.latest().history_user == world.lead


def test_assign_to_someone_of_another_client_is_refused(world, client, record):
    client.force_login(world.lead)

    response = client.post(
        f"/interruptions/{record.reference}/assign/",
        {"assignee": world.agent_b.pk, "team": world.team_b1.pk, "version": 1},
    )

    record.refresh_from_db()
    assert record.assignee is None
    assert record.team is None
    assert record.version == 1
    choice_error = "Select a valid choice. That choice is not one of the available choices."
    assert messages_of(response) == [choice_error, choice_error, "Choose a person or a team."]


def test_assign_with_nobody_chosen_is_refused(world, client, record):
    client.force_login(world.lead)

    response = client.post(f"/interruptions/{record.reference}/assign/", {"version": 1})

    record.refresh_from_db()
    assert record.version == 1
    assert messages_of(response) == ["Choose a person or a team."]


# --- the outsider --------------------------------------------------------------------------


def test_outsider_gets_404_for_every_url_of_another_clients_record(world, client, record):
    client.force_login(world.agent_b)
    ref = record.reference

    gets = [f"/interruptions/{ref}/", f"/interruptions/{ref}/edit/"]
    posts = [
        (f"/interruptions/{ref}/edit/", {"title": "Hijacked", "version": 1}),
        (f"/interruptions/{ref}/note/", {"text": "Outsider note"}),
        (f"/interruptions/{ref}/status/", {"status": "in_progress", "version": 1}),
        (f"/interruptions/{ref}/assign/", {"assignee": world.agent_b.pk, "version": 1}),
        (f"/interruptions/{ref}/link/", {"relation": "related_to", "reference": ref}),
    ]

    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    record.refresh_from_db()
    assert record.title == "CRM unreachable"
    assert record.status == Status.NEW
    assert record.assignee is None
    assert record.version == 1
    assert list(timeline(record).values_list("kind", flat=True)) == []


def test_outsider_404_looks_the_same_as_an_unknown_reference(world, client, record):
    client.force_login(world.agent_b)

    foreign = client.get(f"/interruptions/{record.reference}/")
    unknown = client.get("/interruptions/INT-1999-000001/")

    assert foreign.status_code == unknown.status_code == 404
    assert record.reference not in foreign.content.decode()
    assert "CRM unreachable" not in foreign.content.decode()


def test_auditor_gets_404_not_403_for_another_clients_record(world, client):
    foreign = InterruptionFactory(client=world.client_b)
    client.force_login(world.auditor)

    assert client.get(f"/interruptions/{foreign.reference}/").status_code == 404
    assert (
        client.post(f"/interruptions/{foreign.reference}/note/", {"text": "x"}).status_code == 404
    )


# --- forms that must not change what the user did not change -----------------------------


def test_status_form_offers_the_current_status_first_and_chosen(world, client, record):
    client.force_login(world.agent)

    form = client.get(f"/interruptions/{record.reference}/").context["status_form"]

    assert form.fields["status"].choices[0] == ("new", "New (current)")
    assert form["status"].value() == "new"


def test_sending_the_current_status_moves_nothing(world, client, record):
    client.force_login(world.agent)
    versions = record.history.count()

    response = client.post(
        f"/interruptions/{record.reference}/status/", {"status": "new", "version": 1}
    )

    assert messages_of(response) == [f"{record.reference} stays New."]
    record.refresh_from_db()
    assert (record.status, record.version, record.history.count()) == ("new", 1, versions)
    assert not timeline(record).exists()


def test_a_closed_record_offers_no_status_form(world, client):
    closed = InterruptionFactory(
        client=world.client_a, status=Status.CLOSED, closed_at=timezone.now()
    )
    client.force_login(world.lead)

    assert client.get(f"/interruptions/{closed.reference}/").context["status_form"] is None


def test_a_link_to_an_unknown_reference_is_an_error_on_the_page(world, client, record):
    client.force_login(world.agent)

    response = client.post(
        f"/interruptions/{record.reference}/link/",
        {"relation": "related_to", "reference": "INT-2026-99999"},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain == [(f"/interruptions/{record.reference}/", 302)]
    assert messages_of(response) == [
        "No record INT-2026-99999 among your clients' records. Nothing was linked."
    ]
    assert "No record INT-2026-99999" in html.unescape(response.content.decode())
    assert not RecordLink.objects.exists()
    assert not timeline(record).exists()


def test_a_link_to_another_clients_record_reads_like_an_unknown_one(world, client, record):
    other = InterruptionFactory(client=world.client_b)
    client.force_login(world.agent)

    response = client.post(
        f"/interruptions/{record.reference}/link/",
        {"relation": "related_to", "reference": other.reference},
    )

    assert messages_of(response) == [
        f"No record {other.reference} among your clients' records. Nothing was linked."
    ]
    assert not RecordLink.objects.exists()


def test_an_empty_link_is_refused(world, client, record):
    client.force_login(world.agent)

    response = client.post(
        f"/interruptions/{record.reference}/link/", {"relation": "related_to", "reference": " "}
    )

    assert messages_of(response) == [
        "Enter the reference of the record to link to, e.g. INT-2026-000042."
    ]
    assert not RecordLink.objects.exists()


def test_assigning_the_same_person_and_team_changes_nothing(world, client, record):
    record.assignee, record.team = world.agent, world.team_a1
    record.save()
    client.force_login(world.lead)

    response = client.post(
        f"/interruptions/{record.reference}/assign/",
        {"assignee": world.agent.pk, "team": world.team_a1.pk, "version": 1},
    )

    assert messages_of(response) == ["The assignment is as it was: nothing changed."]
    record.refresh_from_db()
    assert record.version == 1
    assert not timeline(record).exists()


@pytest.mark.parametrize("version", ["", "x"])
def test_a_status_move_without_a_valid_version_says_why(world, client, record, version):
    client.force_login(world.agent)

    response = client.post(
        f"/interruptions/{record.reference}/status/", {"status": "in_progress", "version": version}
    )

    assert messages_of(response) == [STALE_FORM]
    record.refresh_from_db()
    assert record.status == Status.NEW
