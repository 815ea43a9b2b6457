"""Runs a page's view the way its URL does, without the HTTP round trip: the request goes to
the resolved view function (forms, services and messages as in production); the template is
not rendered, its context is read instead."""

from contextlib import contextmanager

from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.test import RequestFactory
from django.urls import resolve
from hypothesis import HealthCheck, settings

from .browser import posted
from .state import differences, snapshot

REQUESTS = RequestFactory()
# Examples per property come from the profile (tests/conftest.py); the world is built once
# per test and every example's writes are rolled back (`rolled_back`).
PROPERTY = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def call_view(user, path: str, data: dict | None = None):
    """GET `path` (or POST `data` to it) as `user`; the response keeps the request's messages."""
    request = REQUESTS.get(path) if data is None else REQUESTS.post(path, data)
    request.user = user
    request._messages = CookieStorage(request)
    match = resolve(path)
    response = match.func(request, *match.args, **match.kwargs)
    response.sent_messages = [str(message) for message in request._messages]
    return response


def page_forms(response, *names: str) -> list:
    """The forms (and formsets) a page drew, by their context names, those it drew only."""
    return [response.context_data[name] for name in names if response.context_data.get(name)]


@contextmanager
def rolled_back():
    """One example's writes, undone after it whatever happens."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_unchanged_when_resent(user, record, path: str, *names: str, action: str | None = None):
    """Open the page at `path`, send its forms `names` back untouched (to `action`, by default
    the same address) and check the record and everything around it stayed as they were.
    Returns the response to the send."""
    forms_drawn = page_forms(call_view(user, path), *names)
    assert forms_drawn, f"{path} drew none of {names}"
    return resend(user, record, forms_drawn, action or path)


def resend(user, record, forms_drawn, action: str):
    """Send `forms_drawn` back untouched to `action`; check nothing changed; the response."""
    before = snapshot(record)
    response = call_view(user, action, posted(*forms_drawn))
    changed = differences(before, snapshot(record))
    assert not changed, f"sent back untouched, it changed {changed}"
    return response
