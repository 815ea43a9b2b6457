"""The sweep writes the SLA breach stamps of the escalations it moves, and keeps the top
tier's breach (`breached_at`) apart from them."""

import pytest
from django.utils import timezone

from apps.escalations.models import Escalation
from apps.escalations.sweep import escalation_sweep
from tests.escalations.test_sweep import MIN, _escalate, category, matrix  # noqa: F401

pytestmark = pytest.mark.django_db


def test_an_escalation_the_sweep_moves_carries_the_targets_it_missed(
    world,
    matrix,  # noqa: F811
    category,  # noqa: F811
):
    start = timezone.now() - 300 * MIN
    escalation = _escalate(world, category, start)
    # Logged after the fact, it was stamped as it was logged: its first response was due
    # within the hour. Say it was due after 20 minutes, and the minute task has not run.
    assert escalation.first_response_breached_at == escalation.first_response_due
    Escalation.objects.filter(pk=escalation.pk).update(
        first_response_due=start + 20 * MIN, first_response_breached_at=None
    )

    escalation_sweep(now=start + 31 * MIN)

    escalation.refresh_from_db()
    assert escalation.tier == 2
    assert escalation.first_response_breached_at == start + 20 * MIN
    assert escalation.resolution_breached_at is None
    assert escalation.breached_at is None  # the matrix's top tier has time left
    latest = escalation.history.order_by("-history_id").first()
    assert latest.first_response_breached_at == start + 20 * MIN
