"""API tokens in the admin: administrators see everyone's and revoke them, nothing more."""

import pytest

from apps.api.models import ApiToken, Scope
from apps.api.tokens import token_for, token_issue
from apps.core import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/api/apitoken/"


@pytest.fixture
def administrator(world, client):
    person = UserFactory(username="administrator", role=roles.ADMINISTRATOR, is_staff=True)
    client.force_login(person)
    return person


def test_administrators_see_every_token_but_no_secret(world, client, administrator):
    agent_token, agent_secret = token_issue(world.agent, name="Agent's Grafana", scope=Scope.READ)
    token_issue(world.auditor, name="Auditor's script", scope=Scope.WRITE)

    page = client.get(CHANGELIST).content.decode()

    assert "Agent&#x27;s Grafana" in page and "Auditor&#x27;s script" in page
    assert agent_token.hint in page
    assert agent_secret not in page and agent_token.digest not in page
    change = client.get(f"{CHANGELIST}{agent_token.pk}/change/").content.decode()
    assert agent_token.hint in change and agent_token.digest not in change
    assert 'name="_save"' not in change


def test_the_search_and_filters_answer(world, client, administrator):
    token_issue(world.agent, name="Grafana", scope=Scope.READ)
    for query in ("?q=agent", "?q=Grafana", "?scope__exact=write", "?revoked_at__isnull=True"):
        assert client.get(CHANGELIST + query).status_code == 200


def test_nothing_is_added_edited_or_deleted_here(world, client, administrator):
    token, secret = token_issue(world.agent, name="Grafana", scope=Scope.READ)

    assert client.get(f"{CHANGELIST}add/").status_code == 403
    response = client.post(f"{CHANGELIST}{token.pk}/change/", {"name": "Renamed", "scope": "write"})
    assert response.status_code == 403
    assert client.post(f"{CHANGELIST}{token.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApiToken.objects.get().name == "Grafana"
    assert token_for(secret) is not None


def test_the_action_revokes_the_selected_tokens_through_the_service(world, client, administrator):
    first, first_secret = token_issue(world.agent, name="Grafana", scope=Scope.READ)
    second, _ = token_issue(world.lead, name="Script", scope=Scope.WRITE)
    kept, kept_secret = token_issue(world.lead, name="Kept", scope=Scope.READ)

    response = client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [first.pk, second.pk]}, follow=True
    )

    assert "Revoked 2 tokens." in response.content.decode()
    assert token_for(first_secret) is None and token_for(kept_secret) is not None
    revoked = ApiToken.objects.filter(revoked_at__isnull=False)
    assert {token.pk for token in revoked} == {first.pk, second.pk}
    assert {token.revoked_by for token in revoked} == {administrator}


def test_other_roles_do_not_reach_the_tokens_in_the_admin(world, client):
    lead = UserFactory(username="staff-lead", role=roles.TEAM_LEAD, is_staff=True)
    client.force_login(lead)
    assert client.get(CHANGELIST).status_code == 403
