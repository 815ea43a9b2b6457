"""Logging in and out, and that no page of the portal opens without a login."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.log_kinds import KINDS, LOG_FACTORIES

pytestmark = pytest.mark.django_db


@pytest.fixture(params=KINDS)
def record(request, world):
    """A record of client A, of each of the five logs in turn."""
    return LOG_FACTORIES[request.param](client=world.client_a, title="CRM unreachable")


def _base(record) -> str:
    return f"/{record._meta.app_label}/"


def test_login_page_renders_the_form(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content


@pytest.mark.parametrize("username", ["agent", "lead", "auditor", "agent_b", "admin"])
def test_demo_users_log_in_with_password_demo(world, client, username):
    response = client.post("/accounts/login/", {"username": username, "password": "demo"})

    user = getattr(world, username)
    assert response.status_code == 302
    assert response.url == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    home = client.get("/")
    assert home.status_code == 200
    assert user.get_full_name() in home.content.decode()


def test_login_follows_next_to_the_page_asked_for(world, client):
    response = client.post(
        "/accounts/login/?next=/interruptions/",
        {"username": "lead", "password": "demo", "next": "/interruptions/"},
    )

    assert response.status_code == 302
    assert response.url == "/interruptions/"


def test_wrong_password_is_refused_and_stays_anonymous(world, client):
    response = client.post("/accounts/login/", {"username": "agent", "password": "wrong"})

    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/interruptions/").status_code == 302


def _expect_login_redirect(response, path: str) -> None:
    """A 302 to the login page that brings the user back to `path` afterwards."""
    assert response.status_code == 302, path
    target = urlsplit(response.url)
    assert target.path == "/accounts/login/", path
    assert parse_qs(target.query) == {"next": [path]}, path


def test_anonymous_get_of_every_page_redirects_to_login(record, client):
    ref, base = record.reference, _base(record)
    paths = [
        "/",
        base,
        f"{base}?_export=csv",
        f"{base}?_export=xlsx",
        f"{base}new/",
        f"{base}{ref}/",
        f"{base}{ref}/edit/",
    ]
    for path in paths:
        _expect_login_redirect(client.get(path), path)


def test_anonymous_posts_redirect_to_login_and_change_nothing(record, client):
    ref, base = record.reference, _base(record)
    model = type(record)
    count = model.objects.count()
    for path, data in [
        (f"{base}{ref}/note/", {"text": "sneaky"}),
        (f"{base}{ref}/status/", {"status": "in_progress", "version": 1}),
        (f"{base}{ref}/assign/", {"assignee": "", "version": 1}),
        (f"{base}{ref}/link/", {"relation": "related_to", "reference": ref}),
        (f"{base}bulk/", {"selection": [record.pk], "action": "status"}),
        (f"{base}new/", {"title": "x"}),
        (f"{base}{ref}/edit/", {"title": "changed"}),
    ]:
        _expect_login_redirect(client.post(path, data), path)

    record.refresh_from_db()
    assert record.status == "new"
    assert record.title == "CRM unreachable"
    assert record.version == 1
    assert model.objects.count() == count


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_reference_redirects_anonymous_to_login_not_404(world, client, kind):
    """An anonymous visitor learns nothing about which references exist."""
    prefix = LOG_FACTORIES[kind]._meta.model.reference_prefix
    path = f"/{kind}/{prefix}-2026-999999/"
    _expect_login_redirect(client.get(path), path)


def test_logout_by_post_ends_the_session(world, client):
    client.post("/accounts/login/", {"username": "agent", "password": "demo"})
    assert client.get("/interruptions/").status_code == 200

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    _expect_login_redirect(client.get("/interruptions/"), "/interruptions/")


def test_logout_by_get_is_not_allowed(world, client):
    client.force_login(world.agent)

    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert client.get("/interruptions/").status_code == 200


def test_pages_offer_a_logout_form_that_posts(world, client):
    client.force_login(world.agent)

    content = client.get("/").content.decode()

    assert 'method="post" action="/accounts/logout/"' in content
