"""POST /intake/<integration>/: what is taken, what is refused and why, and what is queued."""

import json

import pytest

from apps.core.models import OutboxMessage
from apps.intake.models import AlertFormat, IntakeRequest, Outcome
from apps.intake.receiving import MAX_BODY_BYTES, PROCESS_TASK
from apps.intake.services import integration_issue_token, integration_revoke_token
from tests.factories_intake import IntegrationFactory

from .payloads import alertmanager, alertmanager_alert, generic, grafana, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(world):
    return IntegrationFactory(client=world.client_a, services=[world.service_a])


@pytest.mark.parametrize(
    ("alert_format", "payload"),
    [
        (AlertFormat.ALERTMANAGER, alertmanager()),
        (AlertFormat.GRAFANA, grafana()),
        (AlertFormat.GENERIC, generic()),
    ],
)
def test_a_body_of_the_integrations_format_is_stored_and_queued_after_commit(
    world, client, django_capture_on_commit_callbacks, alert_format, payload
):
    integration = IntegrationFactory(client=world.client_a, alert_format=alert_format)
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, integration, payload)
    assert response.status_code == 202
    stored = IntakeRequest.objects.get(pk=response.json()["request"])
    assert (stored.outcome, stored.status_code, stored.alert_count) == (Outcome.RECEIVED, 202, 1)
    assert stored.client == world.client_a and stored.payload == payload
    message = OutboxMessage.objects.get(task_name=PROCESS_TASK)
    assert message.args == [integration.pk] and message.sent_at is None
    assert len(callbacks) == 1  # published once the request's transaction commits


def _refused(response, status: int) -> IntakeRequest:
    assert response.status_code == status
    stored = IntakeRequest.objects.get(pk=response.json()["request"])
    assert (stored.outcome, stored.status_code) == (Outcome.REFUSED, status)
    assert stored.payload is None
    assert not OutboxMessage.objects.filter(task_name=PROCESS_TASK).exists()
    return stored


def test_a_wrong_or_missing_token_is_401(client, integration):
    stored = _refused(post(client, integration, alertmanager(), token="bpoi_guess"), 401)
    assert stored.reason == "wrong or missing token"
    _refused(post(client, integration, alertmanager(), token=""), 401)
    response = client.post(
        f"/intake/{integration.slug}/",
        data=json.dumps(alertmanager()),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {integration.token}",
    )
    assert _refused(response, 401) and response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_401_and_a_rotated_one_replaces_the_old(client, integration):
    old = integration.token
    integration_revoke_token(integration)
    assert _refused(post(client, integration, alertmanager()), 401).reason == "revoked token"
    new = integration_issue_token(integration)
    assert post(client, integration, alertmanager(), token=new).status_code == 202
    OutboxMessage.objects.all().delete()
    _refused(post(client, integration, alertmanager(), token=old), 401)


def test_only_a_digest_of_the_token_is_stored(integration):
    integration.refresh_from_db()
    assert integration.token not in integration.token_hash
    assert len(integration.token_hash) == 64
    assert integration.token.startswith(integration.token_hint)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "the body is not JSON"),
        ([1, 2], "the body must be a JSON object"),
        ({"version": "4"}, "alerts: expected a list of alerts"),
        (alertmanager() | {"version": "3"}, 'expected Alertmanager\'s webhook version "4"'),
        (grafana(), "version: expected Alertmanager's webhook version \"4\", not '1'"),
        (
            alertmanager(alertmanager_alert(status="pending")),
            'alerts[0]: status must be "firing" or "resolved"',
        ),
        (
            alertmanager(alertmanager_alert() | {"startsAt": "yesterday"}),
            "alerts[0].startsAt: 'yesterday' is not an RFC 3339 date and time",
        ),
        (
            alertmanager(alertmanager_alert() | {"labels": {"a": 1}}),
            "alerts[0].labels: expected an object of strings",
        ),
    ],
)
def test_a_body_not_in_the_format_is_400_with_the_reason(client, integration, body, reason):
    response = post(client, integration, body)
    stored = _refused(response, 400)
    assert reason in response.json()["reason"]
    assert stored.reason.startswith("not Prometheus Alertmanager (webhook v4): ")


def test_grafana_and_generic_say_what_is_missing(world, client):
    grafana_source = IntegrationFactory(client=world.client_a, alert_format=AlertFormat.GRAFANA)
    response = post(client, grafana_source, alertmanager())
    assert "orgId: missing" in _refused(response, 400).reason
    generic_source = IntegrationFactory(client=world.client_a, alert_format=AlertFormat.GENERIC)
    IntakeRequest.objects.all().delete()
    response = post(client, generic_source, {"alerts": [{"title": "CRM down"}]})
    assert "alerts[0].key: missing" in _refused(response, 400).reason


def test_a_body_over_a_megabyte_is_413(client, integration):
    padding = "x" * MAX_BODY_BYTES
    payload = alertmanager(alertmanager_alert() | {"annotations": {"description": padding}})
    assert "body over" in _refused(post(client, integration, payload), 413).reason


def test_over_the_rate_is_429_and_the_refusals_do_not_count(client, integration):
    integration.rate_limit_per_minute = 2
    integration.save()
    assert [post(client, integration, alertmanager()).status_code for _ in range(2)] == [202] * 2
    response = post(client, integration, alertmanager())
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert post(client, integration, alertmanager()).status_code == 429
    assert IntakeRequest.objects.filter(outcome=Outcome.REFUSED, status_code=429).count() == 2
    assert IntakeRequest.objects.filter(status_code=202).count() == 2


def test_the_rate_is_per_integration(world, client, integration):
    integration.rate_limit_per_minute = 1
    integration.save()
    other = IntegrationFactory(client=world.client_a)
    assert post(client, integration, alertmanager()).status_code == 202
    assert post(client, other, alertmanager()).status_code == 202
    assert post(client, integration, alertmanager()).status_code == 429


def test_an_unknown_integration_is_404_and_get_is_405(client, integration):
    assert (
        client.post("/intake/nobody/", data="{}", content_type="application/json").status_code
        == 404
    )
    assert client.get(f"/intake/{integration.slug}/").status_code == 405
    assert not IntakeRequest.objects.exists()


def test_a_logged_in_session_is_no_token(client, world, integration):
    client.force_login(world.admin)
    assert post(client, integration, alertmanager(), token="").status_code == 401
