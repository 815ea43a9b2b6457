"""CSRF: with the checks on, every POST route the grid knows refuses a request without a token
and takes one with the X-CSRFToken header that htmx sends from the page's configuration."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from .cells import Browser
from .expected import expected_outcome, rule_for
from .urls import url_patterns, urls_of
from .world import ANONYMOUS

pytestmark = pytest.mark.django_db

HX_HEADERS = re.compile(r"<body[^>]*\shx-headers='(?P<json>[^']*)'")
META_TOKEN = re.compile(r'<meta name="csrf-token" content="(?P<token>[^"]+)"')
SCRIPTS = re.compile(r"<script(?P<attributes>[^>]*)>")


def _token_htmx_sends(page: str) -> str:
    """The token htmx puts in X-CSRFToken: from hx-headers on <body>, or from a meta tag that
    one of the page's static scripts hands to htmx."""
    found = HX_HEADERS.search(page)
    if found:
        return json.loads(found["json"])["X-CSRFToken"]
    meta = META_TOKEN.search(page)
    assert meta, "the page gives htmx no CSRF token (hx-headers on <body> or a csrf-token meta)"
    sources = re.findall(r'<script src="/static/([^"]+)"', page)
    assert any("X-CSRFToken" in Path(finders.find(source)).read_text() for source in sources)
    return meta["token"]


@pytest.fixture(scope="module")
def strict(grid_world, django_db_blocker):
    """Clients of every role with CSRF checks on, and the token each one's page carries."""
    with django_db_blocker.unblock():
        browser = Browser(grid_world.users, enforce_csrf_checks=True)
        tokens = {}
        for role, client in browser.clients.items():
            page = client.get("/accounts/login/" if role == ANONYMOUS else "/")
            tokens[role] = _token_htmx_sends(page.content.decode())
    return browser, tokens


def _post_routes(world):
    """Every address that takes a POST, with what the administrator (who may do everything
    and reaches every client) gets from it."""
    for pattern in url_patterns():
        if getattr(pattern.callback, "csrf_exempt", False):
            continue  # the intake endpoint: machines post with a bearer token, no session
        for url in urls_of(pattern, world):
            rule = rule_for(url.key)
            if rule.outcomes("POST")["admin"] != 405:
                yield url, "admin", expected_outcome(rule, "POST", "admin", url)


def test_pages_configure_htmx_without_an_inline_script(strict):
    browser, tokens = strict
    page = browser.clients["lead"].get("/interruptions/").content.decode()
    assert _token_htmx_sends(page)
    inline = [tag for tag in SCRIPTS.findall(page) if "src=" not in tag]
    assert inline == []


def test_every_post_is_refused_without_a_token_and_taken_with_the_htmx_header(grid_world, strict):
    browser, tokens = strict
    wrong, routes = [], 0
    for url, role, expected in _post_routes(grid_world):
        routes += 1
        refused, response, body = browser.request(role, "POST", url.path)
        if refused != 403 or b"CSRF" not in body:
            wrong.append(f"POST {url.path} as {role} without a token: {refused}")
        header = {"HTTP_X_CSRFTOKEN": tokens[role]}
        taken, response, body = browser.request(role, "POST", url.path, **header)
        if taken != expected:
            wrong.append(f"POST {url.path} as {role} with X-CSRFToken: {taken}, not {expected}")
    assert routes > 100
    assert not wrong, "\n".join(wrong)


def test_a_token_of_another_session_is_refused(strict):
    browser, tokens = strict
    header = {"HTTP_X_CSRFTOKEN": tokens["agent"]}
    refused, response, body = browser.request("lead", "POST", "/notifications/read-all/", **header)
    assert refused == 403 and b"CSRF" in body
    taken, response, body = browser.request(
        "lead", "POST", "/notifications/read-all/", HTTP_X_CSRFTOKEN=tokens["lead"]
    )
    assert taken == 302
