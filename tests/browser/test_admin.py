"""An administrator edits an SLA policy and an escalation matrix in the Django admin."""

import pytest
from playwright.sync_api import expect

from apps.core.choices import Severity, Tier
from apps.escalations.models import EscalationMatrix, MatrixStep
from tests.factories_sla import SlaPolicyFactory

pytestmark = pytest.mark.browser


def test_administrator_edits_an_sla_policy_and_a_matrix(portal, live_world):
    world = live_world
    policy = SlaPolicyFactory(client=world.client_a, severity=Severity.SEV2)
    matrix = EscalationMatrix.objects.create(client=world.client_a)
    step = MatrixStep.objects.create(
        matrix=matrix, tier=Tier.FRONTLINE, team=world.team_a1, minutes_allowed=30
    )
    page = portal.page
    portal.sign_in(world.admin)
    portal.goto("/admin/")

    portal.click_and_load(page.get_by_role("link", name="SLA policies", exact=True))
    portal.click_and_load(page.locator("#result_list tbody").get_by_role("link").first)
    page.locator("#id_resolution_minutes").fill("240")
    portal.submit("Save")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    policy.refresh_from_db()
    assert (policy.first_response_minutes, policy.resolution_minutes) == (60, 240)

    portal.goto("/admin/")
    portal.click_and_load(page.get_by_role("link", name="Escalation matrices", exact=True))
    portal.click_and_load(page.locator("#result_list tbody").get_by_role("link").first)
    page.locator("#id_steps-0-minutes_allowed").fill("45")
    portal.submit("Save")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    step.refresh_from_db()
    matrix.refresh_from_db()
    assert (step.minutes_allowed, matrix.version) == (45, 2)
