"""A record's people, team and services all belong to its client, whatever path saves it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.interruptions.models import Interruption
from apps.interruptions.services import interruption_create, interruption_update
from tests.factories import InterruptionFactory

pytestmark = pytest.mark.django_db


def test_create_refuses_people_teams_and_services_of_another_client(world):
    with pytest.raises(ValidationError) as refused:
        interruption_create(
            actor=world.agent,
            values={
                "client": world.client_a,
                "kind": "incident",
                "title": "Mixed up",
                "occurred_at": timezone.now(),
                "assignee": world.agent_b,
                "team": world.team_b1,
            },
            affected_services=[world.service_a, world.service_b],
        )

    assert set(refused.value.message_dict) == {"assignee", "team", "affected_services"}
    assert "IVR" in refused.value.message_dict["affected_services"][0]
    assert not Interruption.objects.exists()


def test_update_refuses_a_team_of_another_client(world):
    record = InterruptionFactory(client=world.client_a)

    with pytest.raises(ValidationError) as refused:
        interruption_update(
            record,
            actor=world.lead,
            changes={"team": world.team_b1},
            expected_version=record.version,
        )

    assert "does not serve" in refused.value.message_dict["team"][0]
    record.refresh_from_db()
    assert (record.team, record.version) == (None, 1)
