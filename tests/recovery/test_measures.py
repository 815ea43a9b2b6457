"""The recovery figures above the list, against values worked out by hand."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.choices import Status
from apps.core.listing.measures import compute_measures
from apps.recovery.models import RecoveryCase
from apps.recovery.selectors import recovery_measures
from tests.factories_recovery import (
    RecoveryCaseFactory,
    RecoveryFeedbackFactory,
    RecoveryInteractionFactory,
    RecoveryResolutionFactory,
)

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(days=20)
HOUR = timedelta(hours=1)


def _case(world, client=None, *, nature="delivery_problem", **values):
    return RecoveryCaseFactory(
        client=client or world.client_a, nature=nature, occurred_at=T0, **values
    )


def _confirmed(case, hours: int):
    RecoveryResolutionFactory(
        case=case, customer_confirmed=True, confirmed_at=case.occurred_at + hours * HOUR
    )


def _feedback(case, world, *scores):
    """Feedback in time order: (satisfaction, likelihood) pairs, the last one latest."""
    for number, (satisfaction, likelihood) in enumerate(scores, start=1):
        RecoveryFeedbackFactory(
            case=case,
            recorded_by=world.agent,
            satisfaction=satisfaction,
            likelihood_to_return=likelihood,
            at=case.occurred_at + number * 24 * HOUR,
        )


def _interactions(case, world, *answers):
    for number, answer in enumerate(answers, start=1):
        RecoveryInteractionFactory(
            case=case,
            recorded_by=world.agent,
            customer_satisfied=answer,
            at=case.occurred_at + number * HOUR,
        )


@pytest.fixture
def cases(world):
    """Eight cases; the comments say whether each one counts as recovered and why."""
    # Recovered: confirmed after 10 h, latest feedback 5 (an earlier one was 2).
    c1 = _case(world, nature="service_error")
    _confirmed(c1, 10)
    _feedback(c1, world, (2, 3), (5, 9))
    # Recovered: confirmed after 30 h, no feedback, latest interaction satisfied.
    c2 = _case(world, nature="service_error")
    _confirmed(c2, 30)
    _interactions(c2, world, "no", "yes")
    # Not recovered: confirmed after 2 h but the latest interaction says not satisfied.
    c3 = _case(world)
    _confirmed(c3, 2)
    _interactions(c3, world, "yes", "no")
    # Not recovered: confirmed after 6 h, interaction satisfied, but latest feedback only 3.
    c4 = _case(world)
    _confirmed(c4, 6)
    _interactions(c4, world, "yes")
    _feedback(c4, world, (5, 8), (3, 4))
    # Not recovered: happy (5, 10) but never confirmed: the customer could not be reached.
    c5 = _case(world)
    RecoveryResolutionFactory(case=c5, unreachable_reason="No answer to three calls.")
    _feedback(c5, world, (5, 10))
    # Not recovered: nothing recorded yet.
    _case(world)
    # Left out: cancelled (it would be recovered, with feedback 1 and 1 h to recover).
    c7 = _case(world, status=Status.CANCELLED, cancel_reason="Logged twice.")
    _confirmed(c7, 1)
    _feedback(c7, world, (1, 0))
    # Out of reach of client A's people: client B.
    c8 = _case(world, client=world.client_b)
    _confirmed(c8, 100)
    _feedback(c8, world, (1, 0))


def figures(response) -> dict:
    return {item.label: item.value for item in response.context["measures"]}


def test_figures_over_every_case_the_lead_may_see(world, client, cases):
    client.force_login(world.lead)

    response = client.get("/recovery/")

    values = figures(response)
    assert values["Recovery rate"] == pytest.approx(100 * 2 / 6)  # c1, c2 of c1…c6
    assert values["Avg. satisfaction"] == pytest.approx((5 + 3 + 5) / 3)  # c1, c4, c5
    assert values["Avg. likelihood to return"] == pytest.approx((9 + 4 + 10) / 3)
    assert values["Avg. hours to recover"] == pytest.approx((10 + 30 + 2 + 6) / 4)
    assert values["Open"] == 6
    content = html.unescape(response.content.decode())
    assert "33.3%" in content
    assert "4.3" in content and "7.7" in content and "12.0" in content
    assert "How the recovery figures are computed" in content


def test_figures_follow_the_filters(world, client, cases):
    client.force_login(world.lead)

    values = figures(client.get("/recovery/?nature=service_error"))

    assert values["Recovery rate"] == pytest.approx(100.0)
    assert values["Avg. satisfaction"] == pytest.approx(5.0)
    assert values["Avg. likelihood to return"] == pytest.approx(9.0)
    assert values["Avg. hours to recover"] == pytest.approx(20.0)


def test_figures_of_an_empty_selection_are_blank(world, client, cases):
    client.force_login(world.lead)

    response = client.get("/recovery/?nature=other")

    values = figures(response)
    assert [values[label] for label in ("Recovery rate", "Avg. satisfaction")] == [None, None]
    assert [values[label] for label in ("Avg. likelihood to return", "Avg. hours to recover")] == [
        None,
        None,
    ]


def test_figures_are_one_aggregate_query_over_every_client_for_the_admin(world, cases):
    with CaptureQueriesContext(connection) as captured:
        values = compute_measures(
            RecoveryCase.objects.all(), list(recovery_measures()), QueryDict()
        )

    assert len(captured.captured_queries) == 1
    by_label = {item.label: item.value for item in values}
    # Client B's case adds a confirmed case (100 h) that is not satisfied (feedback 1).
    assert by_label["Recovery rate"] == pytest.approx(100 * 2 / 7)
    assert by_label["Avg. satisfaction"] == pytest.approx((5 + 3 + 5 + 1) / 4)
    assert by_label["Avg. likelihood to return"] == pytest.approx((9 + 4 + 10 + 0) / 4)
    assert by_label["Avg. hours to recover"] == pytest.approx((10 + 30 + 2 + 6 + 100) / 5)
