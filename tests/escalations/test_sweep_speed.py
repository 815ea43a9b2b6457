"""How long the sweep takes at volume: 100,000 open escalations, 10,000 of them due.

A benchmark, not part of the default run (it needs PostgreSQL and about a minute to set up):
    pytest -m benchmark tests/escalations/test_sweep_speed.py -s
"""

import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.core.bulk_insert import BulkTable, refresh_statistics
from apps.core.choices import Severity, Status, Tier
from apps.core.services.references import format_reference, reserve_reference_numbers
from apps.escalations.engine import matrix_snapshot
from apps.escalations.models import Escalation, EscalationMatrix, MatrixStep
from apps.escalations.sweep import escalation_sweep
from apps.notifications.models import Notification
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory
from tests.factories_escalations import EscalationCategoryFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres, pytest.mark.django_db]

OPEN = 100_000
MOVES, WARNINGS, BREACHES = 6_000, 3_000, 1_000
MIN = timedelta(minutes=1)
# What "processed in seconds" means on a two-core machine.
LIMIT_SECONDS = 10


def _rows(world, steps, now):
    """Escalation rows: the due ones first, then those with time left."""
    numbers = iter(reserve_reference_numbers(Escalation.reference_prefix, now.year, OPEN))
    plan = (
        [(Tier.FRONTLINE, now - 31 * MIN)] * MOVES  # tier one ran out a minute ago
        + [(Tier.FRONTLINE, now - 25 * MIN)] * WARNINGS  # 80% of tier one gone
        + [(Tier.EXPERT, now - 121 * MIN)] * BREACHES  # top tier ran out
        + [(Tier.FRONTLINE, now - 5 * MIN)] * (OPEN - MOVES - WARNINGS - BREACHES)
    )
    minutes = {step["tier"]: step["minutes"] for step in steps}
    team = {step["tier"]: step["team"] for step in steps}
    for tier, entered in plan:
        allowed = minutes[tier] * MIN
        yield {
            "reference": format_reference(Escalation.reference_prefix, now.year, next(numbers)),
            "client_id": world.client_a.pk,
            "title": "Customer cut off twice",
            "severity": Severity.SEV2,
            "status": Status.IN_PROGRESS,
            "origin": "customer",
            "channel": "voice",
            "tier": tier,
            "team_id": team[tier],
            "assignee_id": world.agent.pk,
            "reason": "Two failed callbacks",
            "occurred_at": entered,
            "created_at": entered,
            "updated_at": entered,
            "version": 1,
            "matrix_steps": steps,
            "matrix_name": "Acme default",
            "tier_entered_at": entered,
            "tier_warn_at": entered + allowed * 0.8,
            "tier_deadline": entered + allowed,
        }


def test_a_sweep_of_ten_thousand_due_among_a_hundred_thousand_takes_seconds(world):
    if connection.vendor != "postgresql":
        pytest.skip("measured on PostgreSQL")
    team_a3 = TeamFactory(name="Acme Experts", tier=Tier.EXPERT, clients=[world.client_a])
    TeamMembershipFactory(team=world.team_a2, user=UserFactory(username="tech"))
    TeamMembershipFactory(team=team_a3, user=UserFactory(username="expert"))
    matrix = EscalationMatrix.objects.create(client=world.client_a)
    for tier, team, minutes in ((1, world.team_a1, 30), (2, world.team_a2, 60), (3, team_a3, 120)):
        MatrixStep.objects.create(matrix=matrix, tier=tier, team=team, minutes_allowed=minutes)
    steps = matrix_snapshot(matrix)
    category = EscalationCategoryFactory()
    now = timezone.now()

    with transaction.atomic():
        table = BulkTable(Escalation)
        ids = iter(table.reserve_ids(OPEN))
        rows = [
            row | {"id": next(ids), "category_id": category.pk} for row in _rows(world, steps, now)
        ]
        table.insert(rows)
        historical = Escalation.history.model
        BulkTable(historical, with_pk=False).insert(
            {name: row.get(name, historical._meta.get_field(name).get_default()) for name in row}
            | {"history_date": row["created_at"], "history_type": "+"}
            for row in rows
        )
    refresh_statistics(Escalation, historical)

    began = time.monotonic()
    result = escalation_sweep(now=now)
    seconds = time.monotonic() - began

    print(f"\nsweep of {OPEN:,} open, {MOVES + WARNINGS + BREACHES:,} due: {seconds:.2f} s")
    assert (result.moved, result.warned, result.breached) == (MOVES, WARNINGS, BREACHES)
    assert Notification.objects.exists()
    assert seconds < LIMIT_SECONDS
    assert escalation_sweep(now=now).as_dict()["moved"] == 0
