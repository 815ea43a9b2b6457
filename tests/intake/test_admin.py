"""Integrations in the admin: the token shown once on creation and rotation, revocation."""

import re

import pytest

from apps.intake.models import Integration
from apps.intake.tokens import token_matches

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"<code>(bpoi_[^<]+)</code>")


def _form(world, **changes) -> dict:
    return {
        "name": "Prometheus Acme",
        "slug": "prometheus-acme",
        "client": world.client_a.pk,
        "services": [world.service_a.pk],
        "alert_format": "alertmanager",
        "default_kind": "incident",
        "default_severity": "SEV3",
        "severity_label": "severity",
        "severity_map": '{"critical": "SEV1"}',
        "service_label": "service",
        "group_by": "alertname",
        "rate_limit_per_minute": 600,
        **changes,
    }


def test_creating_an_integration_shows_its_token_once(world, client):
    client.force_login(world.admin)
    response = client.post("/admin/intake/integration/add/", _form(world), follow=True)
    token = TOKEN.search(response.content.decode())[1]
    integration = Integration.objects.get()
    assert token_matches(token, integration.token_hash)
    again = client.get(f"/admin/intake/integration/{integration.pk}/change/").content.decode()
    assert token not in again and integration.token_hint in again


def test_rotating_replaces_the_token_and_revoking_refuses_it(world, client):
    client.force_login(world.admin)
    first = TOKEN.search(
        client.post("/admin/intake/integration/add/", _form(world), follow=True).content.decode()
    )[1]
    integration = Integration.objects.get()
    changelist = "/admin/intake/integration/"
    response = client.post(
        changelist, {"action": "rotate_token", "_selected_action": [integration.pk]}, follow=True
    )
    second = TOKEN.search(response.content.decode())[1]
    integration.refresh_from_db()
    assert second != first and token_matches(second, integration.token_hash)
    assert not token_matches(first, integration.token_hash)
    client.post(changelist, {"action": "revoke_token", "_selected_action": [integration.pk]})
    integration.refresh_from_db()
    assert integration.revoked_at is not None and not integration.accepts_tokens


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"services": []}, "services"),
        ({"severity_map": '{"critical": "P1"}'}, "severity_map"),
        ({"default_kind": "maintenance"}, "default_kind"),
        ({"slug": "requests"}, "slug"),
    ],
)
def test_the_form_refuses_what_cannot_work(world, client, changes, field):
    if field == "services":
        changes = {"services": [world.service_b.pk]}  # another client's service
    client.force_login(world.admin)
    response = client.post("/admin/intake/integration/add/", _form(world, **changes))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Integration.objects.exists()
