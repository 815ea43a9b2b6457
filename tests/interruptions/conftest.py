"""The interruptions every list test filters, sorts and acts on."""

import pytest

from apps.core.choices import Status
from tests.factories import InterruptionFactory

from .listing import at


@pytest.fixture
def rows(world):
    """Seven interruptions of client A and two of client B, each filter picking some."""
    crm, tel, ivr = world.service_a, world.service_a2, world.service_b
    a1, a2 = world.team_a1, world.team_a2

    def make(key, **values):
        services = values.pop("services", [])
        return key, InterruptionFactory(affected_services=services, **values)

    made = dict(
        [
            make("a1", client=world.client_a, kind="incident", severity="SEV1",
                 status=Status.NEW, services=[crm], assignee=world.agent, team=a1,
                 occurred_at=at(1, 9), title="CRM login failing"),
            make("a2", client=world.client_a, kind="outage", severity="SEV2",
                 status=Status.IN_PROGRESS, services=[tel], assignee=world.lead, team=a2,
                 occurred_at=at(2), title="Telephony platform outage"),
            make("a3", client=world.client_a, kind="degradation", severity="SEV3",
                 status=Status.ON_HOLD, services=[crm, tel], team=a1,
                 occurred_at=at(3, 23, 30), title="Slow CRM searches"),
            make("a4", client=world.client_a, kind="error", severity="SEV4",
                 status=Status.RESOLVED, assignee=world.agent, occurred_at=at(4, 0),
                 ended_at=at(4, 2), title="Payment module errors"),
            make("a5", client=world.client_a, kind="maintenance", severity="SEV3",
                 status=Status.CLOSED, closed_at=at(5, 14), services=[tel],
                 occurred_at=at(5, 12), ended_at=at(5, 13), title="Planned telephony upgrade"),
            make("a6", client=world.client_a, kind="third_party", severity="SEV2",
                 status=Status.CANCELLED, cancel_reason="Duplicate", services=[crm],
                 assignee=world.lead, team=a1, occurred_at=at(6), title="Vendor API errors"),
            make("a7", client=world.client_a, kind="communication", severity="SEV1",
                 status=Status.NEW, services=[tel], assignee=world.agent, team=a2,
                 occurred_at=at(7), title="Carrier dropping calls"),
            make("b1", client=world.client_b, kind="incident", severity="SEV1",
                 status=Status.NEW, services=[ivr], assignee=world.agent_b,
                 team=world.team_b1, occurred_at=at(1), title="CRM login failing at Globex"),
            make("b2", client=world.client_b, kind="outage", severity="SEV2",
                 status=Status.IN_PROGRESS, services=[ivr], occurred_at=at(2, 11),
                 title="Globex IVR outage"),
        ]
    )  # fmt: skip
    return {key: record.reference for key, record in made.items()}
