"""/healthz: 200 with both checks passing, 503 (quickly) when the database or broker is down;
details only for staff and for callers with the monitoring token."""

import socket
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from apps.core.models import TaskRun
from apps.core.runs import ESCALATION_SWEEP
from config.celery import app as celery_app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sweep_ran_lately(db):
    """The escalation engine finished a run a minute ago, as in a healthy portal."""
    moment = timezone.now() - timedelta(minutes=1)
    return TaskRun.objects.create(task=ESCALATION_SWEEP, started_at=moment, finished_at=moment)


# Load balancers give up on a probe after a few seconds (often 5); /healthz answers well before.
PROBE_BUDGET_SECONDS = 3
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_at():
    """Point the Celery app at another Redis URL, with the options the project gives Redis."""
    options = dict(settings.REDIS_BROKER_TRANSPORT_OPTIONS)
    saved = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)

    def point(url: str) -> None:
        celery_app.conf.broker_url = url
        celery_app.conf.broker_transport_options = options

    yield point
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


@pytest.fixture
def silent_broker():
    """A port that accepts TCP connections and never answers: a hung Redis."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            accepted.append(connection)

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=2)
    for connection in accepted:
        connection.close()
    server.close()


@pytest.fixture
def staff_client(client):
    """A client logged in as a staff user: /healthz shows it the details of every check."""
    client.force_login(UserFactory(username="operator", is_staff=True))
    return client


def _timed_get(client, path="/healthz"):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


def test_healthy_when_database_and_broker_answer(staff_client):
    response, elapsed = _timed_get(staff_client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["broker"]["transport"] == settings.CELERY_BROKER_URL.split(":", 1)[0]
    assert elapsed < PROBE_BUDGET_SECONDS


def test_health_needs_no_login_and_is_never_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_health_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_unreachable_broker_answers_503_within_seconds(staff_client, broker_at):
    broker_at(UNREACHABLE_REDIS)

    response, elapsed = _timed_get(staff_client)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]
    assert elapsed < PROBE_BUDGET_SECONDS


def test_broker_that_accepts_but_never_answers_is_503_within_seconds(
    staff_client, broker_at, silent_broker
):
    broker_at(silent_broker)

    response, elapsed = _timed_get(staff_client)

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert elapsed < PROBE_BUDGET_SECONDS


def test_failing_database_answers_503(staff_client):
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("could not connect to server")

    with mock.patch("apps.core.views.health.connection", broken):
        response = staff_client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"] == {"ok": False, "error": "OperationalError"}
    assert body["broker"]["ok"] is True


def test_both_down_reports_both(staff_client, broker_at):
    broker_at(UNREACHABLE_REDIS)
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("gone")

    with mock.patch("apps.core.views.health.connection", broken):
        response = staff_client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is False
    assert body["broker"]["ok"] is False


def test_health_recovers_once_the_broker_is_back(client, broker_at):
    broker_at(UNREACHABLE_REDIS)
    assert client.get("/healthz").status_code == 503

    celery_app.conf.broker_url = settings.CELERY_BROKER_URL
    celery_app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS

    assert client.get("/healthz").status_code == 200


def test_a_late_sweep_makes_the_portal_unhealthy(staff_client, sweep_ran_lately):
    TaskRun.objects.filter(pk=sweep_ran_lately.pk).update(
        finished_at=timezone.now() - timedelta(minutes=6)
    )
    response = staff_client.get("/healthz")
    assert response.status_code == 503
    sweep = response.json()["escalation_sweep"]
    assert sweep["ok"] is False and sweep["minutes_ago"] == 6


def test_a_sweep_that_never_ran_is_unhealthy(staff_client):
    TaskRun.objects.all().delete()
    response = staff_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["escalation_sweep"]["last_finished"] is None


def test_anonymous_callers_learn_only_up_or_down(client, broker_at):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}

    broker_at(UNREACHABLE_REDIS)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down"}


def test_a_database_outage_tells_anonymous_callers_only_down(client):
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("could not connect to server")

    with mock.patch("apps.core.views.health.connection", broken):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b'{"status": "down"}'


def test_signed_in_users_who_are_not_staff_learn_only_up_or_down(world, client):
    client.force_login(world.lead)
    assert client.get("/healthz").json() == {"status": "ok"}


@override_settings(HEALTHZ_TOKEN="s3cret-probe-token")
def test_the_monitoring_token_gives_the_details(client):
    body = client.get("/healthz", headers={"X-Healthz-Token": "s3cret-probe-token"}).json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True and "ms" in body["database"]
    assert body["broker"]["transport"] == settings.CELERY_BROKER_URL.split(":", 1)[0]


@override_settings(HEALTHZ_TOKEN="s3cret-probe-token")
@pytest.mark.parametrize("sent", ["", "wrong", "s3cret-probe-token-and-more"])
def test_a_wrong_or_missing_token_gives_no_details(client, sent):
    headers = {"X-Healthz-Token": sent} if sent else {}
    assert client.get("/healthz", headers=headers).json() == {"status": "ok"}


@override_settings(HEALTHZ_TOKEN="")
def test_no_token_configured_means_no_token_is_accepted(client):
    assert client.get("/healthz", headers={"X-Healthz-Token": ""}).json() == {"status": "ok"}


def test_healthz_answers_with_and_without_the_trailing_slash(staff_client):
    for path in ("/healthz", "/healthz/"):
        response = staff_client.get(path)
        assert response.status_code == 200, path
        assert response.json()["database"]["ok"] is True, path
    assert staff_client.post("/healthz/").status_code == 405


def test_leads_are_warned_in_the_header_when_the_engine_stopped(world, client):
    client.force_login(world.lead)
    assert 'id="engine-stopped"' not in client.get("/").content.decode()
    TaskRun.objects.update(finished_at=timezone.now() - timedelta(minutes=9))
    page = client.get("/").content.decode()
    assert 'id="engine-stopped"' in page and "for 9 minutes" in page
    client.force_login(world.agent)
    assert 'id="engine-stopped"' not in client.get("/").content.decode()
