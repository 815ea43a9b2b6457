"""Fixtures of the recovery case tests: the standard action types and one case of client A."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.choices import Status
from tests.factories_recovery import RecoveryActionTypeFactory, RecoveryCaseFactory

ACTION_TYPES = (
    ("refund", "Refund"),
    ("replacement", "Replacement"),
    ("credit", "Account credit"),
    ("apology", "Apology"),
    ("expedite", "Expedited service"),
    ("other", "Other"),
)


@pytest.fixture
def action_types(db) -> dict:
    return {
        code: RecoveryActionTypeFactory(code=code, label=label, sort_order=order)
        for order, (code, label) in enumerate(ACTION_TYPES, start=1)
    }


@pytest.fixture
def case(world):
    return RecoveryCaseFactory(
        client=world.client_a,
        title="Wrong item delivered twice",
        customer_name="Jane Doe",
        account_reference="AC-778899",
        team=world.team_a1,
        assignee=world.agent,
        status=Status.IN_PROGRESS,
        occurred_at=timezone.now() - timedelta(days=3),
    )
