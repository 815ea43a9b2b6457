"""Editing a matrix in the admin: a new version, kept in history, for new escalations only."""

import pytest
from django.utils import timezone

from apps.escalations.models import EscalationMatrix
from tests.escalations.test_sweep import _escalate, category, matrix  # noqa: F401

pytestmark = pytest.mark.django_db


def _form(matrix, minutes: dict[int, int]) -> dict:  # noqa: F811
    steps = list(matrix.steps.order_by("tier"))
    data = {
        "client": matrix.client_id,
        "category": "",
        "severity": "",
        "active": "on",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, step in enumerate(steps):
        data |= {
            f"steps-{index}-id": step.pk,
            f"steps-{index}-matrix": matrix.pk,
            f"steps-{index}-tier": step.tier,
            f"steps-{index}-team": step.team_id,
            f"steps-{index}-minutes_allowed": minutes.get(step.tier, step.minutes_allowed),
            f"steps-{index}-notify_team": "on",
            f"steps-{index}-notify_lead": "on",
        }
    return data


def test_a_step_edit_raises_the_version_and_keeps_running_escalations_on_their_copy(
    world,
    client,
    matrix,  # noqa: F811
    category,  # noqa: F811
):
    under_way = _escalate(world, category, timezone.now())
    client.force_login(world.admin)

    response = client.post(
        f"/admin/escalations/escalationmatrix/{matrix.pk}/change/", _form(matrix, {1: 5})
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    matrix = EscalationMatrix.objects.get(pk=matrix.pk)
    assert matrix.version == 2
    step = matrix.steps.get(tier=1)
    assert [version.minutes_allowed for version in step.history.order_by("history_date")] == [
        30,
        5,
    ]
    new = _escalate(world, category, timezone.now())
    under_way.refresh_from_db()
    assert under_way.matrix_steps[0]["minutes"] == 30
    assert new.matrix_steps[0]["minutes"] == 5
    assert new.matrix_name.endswith("(v2)")


def test_saving_without_a_change_keeps_the_version(
    world,
    client,
    matrix,  # noqa: F811
):
    client.force_login(world.admin)
    client.post(f"/admin/escalations/escalationmatrix/{matrix.pk}/change/", _form(matrix, {}))
    assert EscalationMatrix.objects.get(pk=matrix.pk).version == 1
