"""Login throttling with django-axes switched on (the other tests run without it): five
failures lock the username from that address, and the locked user is told for how long."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]

LOGIN = "/accounts/login/"


@pytest.fixture
def axes_on():
    with override_settings(AXES_ENABLED=True):
        yield


def _fail(client, username="agent", times=1):
    return [client.post(LOGIN, {"username": username, "password": "wrong"}) for _ in range(times)]


def test_four_failures_are_told_as_wrong_passwords(world, client):
    for response in _fail(client, times=4):
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()


def test_the_fifth_failure_locks_the_account_with_a_page_saying_for_how_long(world, client):
    responses = _fail(client, times=5)

    locked = responses[-1]
    assert locked.status_code == 429
    page = " ".join(locked.content.decode().split())
    assert 'class="navbar-brand" href="/"' in page  # the portal's layout, not a bare text
    assert 'id="locked-out"' in page
    assert "After 5 failed attempts" in page and "<strong>agent</strong>" in page
    assert "from this address is locked for 15 minutes." in page
    assert 'href="/">Back to the home page</a>' in page


def test_the_right_password_does_not_open_a_locked_account(world, client):
    _fail(client, times=5)

    response = client.post(LOGIN, {"username": "agent", "password": "demo"})

    assert response.status_code == 429
    assert "for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_username_from_the_same_address_still_logs_in(world, client):
    _fail(client, times=5)

    response = client.post(LOGIN, {"username": "lead", "password": "demo"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.lead.pk)


def test_the_lock_ends_after_the_cool_off(world, client):
    _fail(client, times=5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = client.post(LOGIN, {"username": "agent", "password": "demo"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.agent.pk)


def test_a_successful_login_resets_the_count(world, client):
    _fail(client, times=4)
    assert client.post(LOGIN, {"username": "agent", "password": "demo"}).status_code == 302
    client.logout()

    assert [response.status_code for response in _fail(client, times=4)] == [200] * 4


@override_settings(AXES_COOLOFF_TIME=2)
def test_the_page_states_a_longer_cool_off_in_minutes(world, client):
    locked = _fail(client, times=5)[-1]
    assert locked.status_code == 429
    assert "for 120 minutes" in locked.content.decode()
