"""The quality audit list's agent and score filters, and the averages of the audits listed."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.calls.models import QualityAudit
from tests.factories_calls import CallFactory, QualityAuditFactory

pytestmark = pytest.mark.django_db
URL = "/calls/audits/"


def scored(call, auditor, score: int, day: int):
    scores = dict.fromkeys(QualityAudit.SCORE_FIELDS, score)
    return QualityAuditFactory(
        call=call,
        auditor=auditor,
        scored_at=datetime(2026, 3, day, 10, tzinfo=UTC),
        total_percent=QualityAudit.total_of(scores),
        **scores,
    )


@pytest.fixture
def audits(world):
    agent_call = CallFactory(client=world.client_a, assignee=world.agent)
    lead_call = CallFactory(client=world.client_a, assignee=world.lead)
    other_call = CallFactory(client=world.client_b, assignee=world.agent_b)
    return [
        scored(agent_call, world.auditor, 5, 1),  # 100 %
        scored(agent_call, world.auditor, 3, 2),  # 60 %
        scored(lead_call, world.auditor, 1, 3),  # 20 %
        scored(other_call, world.admin, 0, 4),  # another client's
    ]


@pytest.mark.parametrize(
    ("query", "count", "total", "greeting"),
    [
        ("", 3, 60.0, 3.0),
        ("agent={agent}", 2, 80.0, 4.0),
        ("agent={lead}", 1, 20.0, 1.0),
        ("score_min=60", 2, 80.0, 4.0),
        ("score_max=60", 2, 40.0, 2.0),
        ("score_min=50&score_max=70&agent={agent}", 1, 60.0, 3.0),
    ],
)
def test_filters_and_the_averages_of_the_rows_listed(
    world, client, audits, query, count, total, greeting
):
    client.force_login(world.lead)
    response = client.get(f"{URL}?{query.format(agent=world.agent.pk, lead=world.lead.pk)}")
    assert response.status_code == 200
    averages = response.context["averages"]
    assert response.context["row_count"] == averages.audits == count
    assert averages.total == pytest.approx(total)
    assert averages.means["greeting"] == pytest.approx(greeting)
    page = response.content.decode()
    assert f"{total:.1f} %" in page
    assert f"{greeting:.2f} / 5" in page


def test_a_score_range_upside_down_is_a_clear_error(world, client, audits):
    client.force_login(world.lead)
    response = client.get(f"{URL}?score_min=80&score_max=20")
    assert response.status_code == 200
    assert "The highest total % is below the lowest." in response.content.decode()
    assert response.context["averages"].audits == 0
    assert 'id="audit-averages"' not in response.content.decode()


def test_the_averages_cost_the_same_however_many_audits(world, client, audits):
    client.force_login(world.lead)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    call = CallFactory(client=world.client_a, assignee=world.agent)
    for day in range(5, 25):
        scored(call, world.auditor, day % 6, day)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.context["averages"].audits == 23
    assert len(many) == len(few)
