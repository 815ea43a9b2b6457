"""The call centre's figures above the list, against values worked out by hand."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.calls.models import Direction, Outcome
from tests.factories_calls import CallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(world):
    start = timezone.now() - timedelta(days=1)

    def call(minute, **fields):
        return CallFactory(
            client=world.client_a, occurred_at=start + timedelta(minutes=minute), **fields
        )

    first = call(0, talk_seconds=300, wait_seconds=30, qa_score=Decimal("80.00"))
    call(10, follow_up_of=first, talk_seconds=120, wait_seconds=10)  # resolved, but a follow-up
    call(20, outcome=Outcome.ESCALATED, talk_seconds=600, wait_seconds=90,
         qa_score=Decimal("60.00"))  # fmt: skip
    call(30, outcome=Outcome.MISSED, answered_at=None, talk_seconds=None, wait_seconds=40)
    call(40, outcome=Outcome.DROPPED, answered_at=None, talk_seconds=None, wait_seconds=200)
    call(50, direction=Direction.OUTBOUND, talk_seconds=60, wait_seconds=None)
    call(60, direction=Direction.OUTBOUND, outcome=Outcome.VOICEMAIL, answered_at=None,
         talk_seconds=None, wait_seconds=None)  # fmt: skip
    # Another client's calls count nowhere.
    CallFactory(client=world.client_b, outcome=Outcome.MISSED, answered_at=None, wait_seconds=999)


def measures(client, query: str = "") -> dict:
    response = client.get(f"/calls/?{query}")
    assert response.status_code == 200
    return {item.label: item.value for item in response.context["measures"]}


def test_measures_match_the_hand_worked_values(world, client, calls):
    client.force_login(world.lead)

    values = measures(client)

    # Answered inbound: 3; resolved on the call and not a follow-up: 1.
    assert values["First-call resolution"] == pytest.approx(100 / 3)
    # Talk of the answered calls: 300, 120, 600, 60.
    assert values["Average handle time"] == pytest.approx(270)
    # Wait of the inbound calls: 30, 10, 90, 40, 200.
    assert values["Average wait"] == pytest.approx(74)
    # Inbound: 5; missed or dropped: 2.
    assert values["Abandonment"] == pytest.approx(40)
    assert values["QA score"] == pytest.approx(70)
    assert values["Open"] == 7


def test_measures_follow_the_filters(world, client, calls):
    client.force_login(world.lead)

    outbound = measures(client, "direction=outbound")

    assert outbound["First-call resolution"] is None
    assert outbound["Abandonment"] is None
    assert outbound["Average handle time"] == pytest.approx(60)
    assert outbound["QA score"] is None


def test_abandonment_links_to_the_abandoned_calls(world, client, calls):
    client.force_login(world.lead)
    response = client.get("/calls/?severity=SEV4")

    item = next(item for item in response.context["measures"] if item.label == "Abandonment")
    listed = client.get(f"/calls/{item.href}").context["page"].rows

    assert "severity=SEV4" in item.href
    assert sorted(row.outcome for row in listed) == ["dropped", "missed"]
