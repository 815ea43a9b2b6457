"""Every API operation × role × token (read-only, read-and-write, revoked, none, or a
signed-in session without one) against tests/grid/api_expected.py. The operations come from
the API itself, so a new one fails here until its row is reviewed and added; no answer may
show another client's rows."""

import pytest

from apps.api.models import Scope

from .api_cells import (
    NO_TOKEN,
    REVOKED,
    SESSION,
    TokenBrowser,
    api_operations,
    operation_urls,
)
from .api_expected import API_ROLES, API_RULES, api_rule_for
from .world import ANONYMOUS, REACHES

OPERATIONS = api_operations()


@pytest.fixture(scope="module")
def tokens(grid_world, django_db_blocker):
    with django_db_blocker.unblock():
        return TokenBrowser(grid_world.users)


def expected_outcome(rule, operation, role: str, scope: str, url) -> int:
    if scope in (NO_TOKEN, REVOKED, SESSION):
        return 401
    if scope == Scope.READ and operation.method != "GET":
        return 403
    if role not in url.reached_by:
        return 404
    return rule.outcome(role)


def cells_of(operation, world):
    """(url, role, scope) of every cell of one operation. A revoked token and a session alone
    are tried as the administrator, who reaches every row: anything but 401 would show it."""
    for url in operation_urls(operation, world):
        yield url, ANONYMOUS, NO_TOKEN
        for role in API_ROLES:
            for scope in (Scope.READ, Scope.WRITE):
                yield url, role, scope
        yield url, "admin", REVOKED
        yield url, "admin", SESSION


def test_every_operation_has_a_rule_and_every_rule_is_used():
    keys = {operation.key for operation in OPERATIONS}
    assert not [key for key in sorted(keys) if api_rule_for(key) is None], (
        "add these API operations to tests/grid/api_expected.py after reviewing their outcomes"
    )
    used = {id(api_rule_for(key)) for key in keys}
    assert [rule.names for rule in API_RULES if id(rule) not in used] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=lambda operation: f"{operation.method} {operation.key}"
)
def test_api_cells(operation, grid_world, tokens):
    rule = api_rule_for(operation.key)
    wrong = []
    for url, role, scope in cells_of(operation, grid_world):
        expected = expected_outcome(rule, operation, role, scope, url)
        actual, body = tokens.request(role, scope, operation, url.path)
        cell = f"{operation.method} {url.path} ({url.target}) as {role} with {scope}"
        text = body.decode("utf-8", errors="replace")
        leaks = [
            leak
            for side, marks in grid_world.leaks.items()
            if role not in REACHES[side]
            for leak in marks
            if leak in text
        ]
        if actual != expected:
            wrong.append(f"{cell}: {actual}, expected {expected}")
        elif leaks:
            wrong.append(f"{cell}: shows {leaks}")
    assert not wrong, "\n".join(wrong)
