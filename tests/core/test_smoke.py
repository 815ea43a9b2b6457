import pytest

from apps.interruptions.services import interruption_create

pytestmark = pytest.mark.django_db


def test_agent_logs_an_interruption_and_sees_it_listed(world, client):
    record = interruption_create(
        actor=world.agent,
        values={
            "client": world.client_a,
            "kind": "incident",
            "title": "CRM down",
            "severity": "SEV3",
            "occurred_at": "2026-11-20T10:00:00Z",
        },
        affected_services=[world.service_a],
    )
    client.force_login(world.agent)
    response = client.get("/interruptions/")
    assert response.status_code == 200
    assert record.reference in response.content.decode()
    detail = client.get(record.get_absolute_url())
    assert detail.status_code == 200
