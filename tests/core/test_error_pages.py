"""403, 404 and 500 answer in the portal's layout with a way back; /favicon.ico answers."""

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.factories import InterruptionFactory

LAYOUT = 'class="navbar-brand" href="/"'
WAY_BACK = '<a class="btn btn-primary" href="/">Back to the home page</a>'


@pytest.mark.django_db
def test_not_found_uses_the_layout_and_offers_a_way_back(world, client):
    client.force_login(world.agent)

    response = client.get("/interruptions/INT-2026-999999/")

    assert response.status_code == 404
    page = response.content.decode()
    assert LAYOUT in page and WAY_BACK in page
    assert "Page not found" in page
    assert "Notifications" in page  # the signed-in navigation is drawn as on any page


@pytest.mark.django_db
def test_another_clients_record_is_the_same_not_found_page(world, client):
    other = InterruptionFactory(client=world.client_b)
    client.force_login(world.agent)

    response = client.get(f"/interruptions/{other.reference}/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert other.title not in response.content.decode()


@pytest.mark.django_db
def test_forbidden_uses_the_layout_and_offers_a_way_back(world, client):
    client.force_login(world.agent)

    response = client.get("/interruptions/?_export=csv")

    assert response.status_code == 403
    page = response.content.decode()
    assert LAYOUT in page and WAY_BACK in page
    assert "You may not do this" in page


@pytest.mark.django_db
def test_unknown_address_of_an_anonymous_visitor_is_a_layout_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert WAY_BACK in response.content.decode()


def test_server_error_page_renders_without_a_database(django_db_blocker):
    """The 500 page is drawn when anything may be broken: no request context, no queries."""
    request = RequestFactory().get("/interruptions/")

    with django_db_blocker.block():
        response = server_error(request)

    assert response.status_code == 500
    page = response.content.decode()
    assert LAYOUT in page and WAY_BACK in page
    assert "Something went wrong on our side" in page


@pytest.mark.django_db
def test_an_exception_in_a_view_answers_the_layout_500(world, client, monkeypatch):
    client.raise_request_exception = False
    client.force_login(world.agent)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("apps.core.views.records.record_history", broken)
    record = InterruptionFactory(client=world.client_a)

    response = client.get(f"/interruptions/{record.reference}/")

    assert response.status_code == 500
    assert WAY_BACK in response.content.decode()
    assert "boom" not in response.content.decode()


@pytest.mark.django_db
def test_favicon_answers_with_the_portals_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response.url == "/static/favicon.ico"
    found = finders.find("favicon.ico")
    assert found is not None
    with open(found, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file's header
