"""`update_rows` writes the named fields of many rows, nulls and JSON included, and no other."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.bulk_writes import update_rows
from apps.escalations.models import Escalation
from tests.factories_escalations import EscalationFactory

pytestmark = pytest.mark.django_db


def test_named_fields_of_every_row_are_written_and_the_rest_kept(world):
    rows = [EscalationFactory(client=world.client_a, tier=1) for _ in range(3)]
    deadline = timezone.now() + timedelta(hours=1)
    for number, row in enumerate(rows):
        row.tier = 2
        row.tier_deadline = deadline + timedelta(minutes=number)
        row.team_id = None
        row.matrix_steps = [{"tier": 2, "minutes": 60 + number}]
        row.title = "not saved"

    assert update_rows(Escalation, rows, ["tier", "tier_deadline", "team", "matrix_steps"]) == 3

    for number, row in enumerate(rows):
        stored = Escalation.objects.get(pk=row.pk)
        assert stored.tier == 2
        assert stored.tier_deadline == deadline + timedelta(minutes=number)
        assert stored.team_id is None
        assert stored.matrix_steps == [{"tier": 2, "minutes": 60 + number}]
        assert stored.title != "not saved"


def test_no_rows_write_nothing():
    assert update_rows(Escalation, [], ["tier"]) == 0
