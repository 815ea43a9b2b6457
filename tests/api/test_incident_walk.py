"""One incident walked through the API alone, as an integration would: opened, escalated,
linked, resolved, closed; each step checked in the record's history and timeline."""

import pytest

from apps.core.choices import Status
from tests.factories_escalations import EscalationCategoryFactory


@pytest.mark.django_db
def test_an_incident_from_open_to_closed(world, api_as):
    lead = api_as(world.lead)
    category = EscalationCategoryFactory()

    opened = lead.post(
        "/api/interruptions/",
        {
            "client": world.client_a.pk,
            "kind": "outage",
            "title": "CRM down for all agents",
            "severity": "SEV1",
            "affected_services": [world.service_a.pk],
            "occurred_at": "2026-12-01T08:00:00Z",
            "description": "Login page times out.",
        },
    )
    assert opened.status_code == 201, opened.json().get("errors")
    incident = opened.json()
    reference = incident["reference"]
    assert incident["status"] == Status.NEW
    assert incident["affected_services"] == [
        {"id": world.service_a.pk, "name": "CRM", "reference": None}
    ]

    escalated = lead.post(
        "/api/escalations/",
        {
            "reason": "Vendor must restore the CRM",
            "channel": "voice",
            "origin": "technical",
            "category": category.pk,
            "occurred_at": "2026-12-01T08:10:00Z",
        },
        origin=reference,
    )
    assert escalated.status_code == 201, escalated.json().get("errors")
    escalation = escalated.json()
    chain = lead.get(f"/api/interruptions/{reference}/chain").json()
    assert escalation["reference"] in [node["record"]["reference"] for node in chain["nodes"]]

    moved = lead.post(
        f"/api/escalations/{escalation['reference']}/tier",
        {
            "version": escalation["version"],
            "tier": 2,
            "team": world.team_a2.pk,
            "reason": "Needs the technical team",
        },
    )
    assert moved.status_code == 200, moved.json().get("errors")
    assert moved.json()["tier"] == 2

    failure = lead.post(
        "/api/failures/",
        {
            "category": "technical",
            "title": "CRM database failover failed",
            "severity": "SEV2",
            "occurred_at": "2026-12-01T07:55:00Z",
            "client": world.client_a.pk,
        },
    )
    assert failure.status_code == 201, failure.json().get("errors")
    linked = lead.post(
        f"/api/interruptions/{reference}/links",
        {"reference": failure.json()["reference"], "relation": "caused_by"},
    )
    assert linked.status_code == 201, linked.json().get("errors")
    assert {(link["description"], link["record"]["reference"]) for link in linked.json()} == {
        ("Caused by", failure.json()["reference"]),
        ("Led to", escalation["reference"]),
    }

    noted = lead.post(f"/api/interruptions/{reference}/notes", {"text": "Vendor on the bridge."})
    assert noted.status_code == 201

    current = lead.get(f"/api/interruptions/{reference}").json()
    resolving = lead.patch(
        f"/api/interruptions/{reference}",
        {
            "version": current["version"],
            "ended_at": "2026-12-01T09:30:00Z",
            "root_cause_category": "technology",
            "root_cause_analysis": "Failover script pointed at the old replica.",
            "resolution": "Replica promoted by hand.",
            "corrective_actions": "Fix the failover script.",
        },
    )
    assert resolving.status_code == 200, resolving.json().get("errors")
    for target in (Status.IN_PROGRESS, Status.RESOLVED):
        version = lead.get(f"/api/interruptions/{reference}").json()["version"]
        moved = lead.post(
            f"/api/interruptions/{reference}/status", {"status": target, "version": version}
        )
        assert moved.status_code == 200, moved.json().get("errors")

    escalation_path = f"/api/escalations/{escalation['reference']}"
    written = lead.patch(
        escalation_path,
        {
            "version": lead.get(escalation_path).json()["version"],
            "resolution_steps": "Replica promoted.",
            "outcome": "Restored.",
        },
    )
    assert written.status_code == 200, written.json().get("errors")
    for target in (Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
        version = lead.get(escalation_path).json()["version"]
        step = lead.post(f"{escalation_path}/status", {"status": target, "version": version})
        assert step.status_code == 200, (target, step.json())

    version = lead.get(f"/api/interruptions/{reference}").json()["version"]
    closed = lead.post(
        f"/api/interruptions/{reference}/status", {"status": Status.CLOSED, "version": version}
    )
    assert closed.status_code == 200, closed.json().get("errors")
    assert closed.json()["status"] == Status.CLOSED

    history = lead.get(f"/api/interruptions/{reference}/history").json()
    assert all('via api (token "tests write")' in entry["reason"].lower() for entry in history)
    assert {entry["by"] for entry in history} == {world.lead.get_full_name()}
    timeline = lead.get(f"/api/interruptions/{reference}/timeline").json()
    assert "Vendor on the bridge." in [entry["message"] for entry in timeline]
