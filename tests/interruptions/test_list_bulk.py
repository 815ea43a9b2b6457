"""Bulk actions on the interruption list: assign or move the selected rows; refusals, rights."""

import pytest

from apps.core.choices import Status
from apps.interruptions.models import Interruption

from .listing import messages_of

pytestmark = pytest.mark.django_db


# --- bulk actions --------------------------------------------------------------------------


def records(rows, keys: str) -> list[Interruption]:
    return [Interruption.objects.get(reference=rows[key]) for key in keys.split()]


def bulk(client, rows, keys: str, **data):
    selection = [record.pk for record in records(rows, keys)]
    data.setdefault("next", "/interruptions/?severity=SEV1")
    return client.post("/interruptions/bulk/", {"selection": selection, **data})


def test_lead_sees_the_bulk_form_and_others_do_not(world, client, rows):
    for user, shown in [(world.lead, True), (world.agent, False), (world.auditor, False)]:
        client.force_login(user)
        content = client.get("/interruptions/").content.decode()
        assert ('id="bulk-form"' in content) is shown
        assert ('name="selection"' in content) is shown


def test_lead_assigns_the_selected_rows_of_their_clients_only(world, client, rows):
    client.force_login(world.lead)

    response = bulk(
        client, rows, "a1 a3 b1", action="assign", assignee=world.lead.pk, team=world.team_a2.pk
    )

    assert response.status_code == 302
    assert response.url == "/interruptions/?severity=SEV1"
    assert messages_of(response) == [f"Updated 2: {rows['a1']}, {rows['a3']}."]
    for record in records(rows, "a1 a3"):
        assert (record.assignee, record.team, record.version) == (world.lead, world.team_a2, 2)
        latest = record.history.latest()
        assert latest.history_user == world.lead
        assert latest.assignee_id == world.lead.pk
    (b1,) = records(rows, "b1")
    assert (b1.assignee, b1.team, b1.version) == (world.agent_b, world.team_b1, 1)
    assert b1.history.count() == 2  # created, services set: nothing from the lead


def test_lead_moves_the_selected_rows_and_hears_about_refusals(world, client, rows):
    client.force_login(world.lead)

    response = bulk(client, rows, "a1 a2 a4 a7 b1", action="status", status="in_progress")

    a1, a2, a4, a7, b1 = records(rows, "a1 a2 a4 a7 b1")
    assert [a1.status, a4.status, a7.status] == [Status.IN_PROGRESS] * 3
    assert [a1.version, a2.version, a4.version, a7.version] == [2, 1, 2, 2]
    assert a4.resolved_at is None
    assert {a1.history.latest().history_user, a7.history.latest().history_user} == {world.lead}
    assert a2.status == Status.IN_PROGRESS
    assert b1.status == Status.NEW
    assert messages_of(response) == [
        f"Updated 3: {a1.reference}, {a4.reference}, {a7.reference}.",
        f"{a2.reference} not changed: {a2.reference} cannot move from In progress to In progress.",
    ]


def test_bulk_close_refuses_records_missing_their_resolution(world, client, rows):
    client.force_login(world.lead)

    response = bulk(client, rows, "a4", action="status", status="closed")

    (a4,) = records(rows, "a4")
    assert a4.status == Status.RESOLVED
    (message,) = messages_of(response)
    assert message.startswith(f"{a4.reference} not changed: ")
    assert "Describe the resolution before closing." in message


def test_bulk_cancel_needs_a_reason(world, client, rows):
    client.force_login(world.lead)

    bulk(client, rows, "a1", action="status", status="cancelled")
    (a1,) = records(rows, "a1")
    assert a1.status == Status.NEW

    bulk(client, rows, "a1", action="status", status="cancelled", reason="Logged twice")
    (a1,) = records(rows, "a1")
    assert (a1.status, a1.cancel_reason) == (Status.CANCELLED, "Logged twice")


@pytest.mark.parametrize("role", ["agent", "auditor", "agent_b"])
def test_bulk_actions_are_forbidden_without_the_permission(world, client, rows, role):
    client.force_login(getattr(world, role))

    response = bulk(client, rows, "a1 a2 b1", action="assign", assignee=world.agent.pk)

    assert response.status_code == 403
    assert [record.version for record in records(rows, "a1 a2 b1")] == [1, 1, 1]


@pytest.mark.parametrize(
    ("keys", "data", "message"),
    [
        ("", {"action": "status", "status": "new"}, "Select at least one row first."),
        ("b1 b2", {"action": "status", "status": "in_progress"},
         "None of the selected records could be found."),
        ("a1", {"action": "assign"}, "Choose a person or a team to assign to."),
        ("a1", {"action": "status"}, "Choose the status to move the records to."),
    ],
)  # fmt: skip
def test_bulk_with_nothing_usable_explains_why(world, client, rows, keys, data, message):
    client.force_login(world.lead)

    response = (
        bulk(client, rows, keys, **data) if keys else client.post("/interruptions/bulk/", data)
    )

    assert response.status_code == 302
    assert messages_of(response) == [message]
    assert [record.version for record in records(rows, "a1 b1 b2")] == [1, 1, 1]


def test_bulk_never_redirects_off_site(world, client, rows):
    client.force_login(world.lead)

    response = bulk(
        client, rows, "a1", action="status", status="in_progress", next="https://evil.test/"
    )

    assert response.url == "/interruptions/"
