"""The matrix preview: what fires when for a start time, and the steps that never fire."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.core.choices import Severity, Tier
from apps.escalations.models import EscalationMatrix, MatrixStep
from apps.escalations.preview import matrix_preview
from tests.escalations.test_sweep import category, matrix  # noqa: F401
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("UTC"))


def test_preview_lists_warnings_moves_and_the_breach_in_business_time(world, matrix):  # noqa: F811
    preview = matrix_preview(world.client_a, None, Severity.SEV2, START)
    got = [(round(event.business_minutes), event.what.split(":")[0]) for event in preview.events]
    assert got == [
        (0, "Tier 1 · Frontline"),
        (24, "Warning"),
        (30, "Tier 2 · Technical"),
        (78, "Warning"),
        (90, "Tier 3 · Expert / management"),
        (186, "Warning"),
        (210, "Breach"),
    ]
    assert preview.events[2].at == START + timedelta(minutes=30)
    assert "(1 people) notified" in preview.events[2].what
    assert preview.warnings == ["Tier 3 · Expert / management: Acme Experts has no lead to notify."]


def test_steps_that_can_never_fire_are_warned_about(world):
    lonely = TeamFactory(name="Empty experts", tier=Tier.EXPERT, clients=[world.client_a])
    gap = EscalationMatrix.objects.create(client=world.client_a, severity=Severity.SEV1)
    MatrixStep.objects.create(matrix=gap, tier=Tier.EXPERT, team=lonely, minutes_allowed=10)
    warnings = " ".join(matrix_preview(world.client_a, None, Severity.SEV1, START).warnings)
    assert "no Tier 1 step" in warnings
    assert "No step for Tier 2" in warnings
    assert "Empty experts has no members" in warnings


def test_no_matrix_says_so(world):
    preview = matrix_preview(world.client_b, None, Severity.SEV1, START)
    assert preview.matrix is None and "No active matrix" in preview.warnings[0]


def test_preview_page_for_a_lead_and_only_their_clients(world, client, matrix):  # noqa: F811
    client.force_login(world.lead)
    response = client.get(
        "/escalations/matrix/preview/",
        {"client": world.client_a.pk, "severity": "SEV2", "start": "2026-11-23T09:00"},
    )
    assert response.status_code == 200
    assert 'id="matrix-timeline"' in response.content.decode()
    outsider = client.get(
        "/escalations/matrix/preview/",
        {"client": world.client_b.pk, "severity": "SEV2", "start": "2026-11-23T09:00"},
    )
    assert "preview" not in outsider.context or outsider.context.get("preview") is None
    assert outsider.context["form"].errors["client"]
