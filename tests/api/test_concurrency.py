"""Requests issuing tokens at once for one person: the limit and the names still hold."""

import pytest
from django.db import connection

from apps.api.models import ApiToken, Scope
from apps.api.tokens import MAX_TOKENS_PER_USER, token_issue
from tests.concurrency import run_at_once
from tests.factories import UserFactory

THREADS = 4


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_issuing_at_once_passes_neither_the_limit_nor_a_name_in_use():
    _needs_postgresql()
    person = UserFactory(username="racer")
    for n in range(MAX_TOKENS_PER_USER - 2):
        token_issue(person, name=f"Token {n}", scope=Scope.READ)
    names = iter(["Same", "Same", "Other", "Third"])
    chosen = [next(names) for _ in range(THREADS)]
    turn = iter(range(THREADS))

    results, errors = run_at_once(
        lambda: token_issue(person, name=chosen[next(turn)], scope=Scope.READ)[0].name,
        threads=THREADS,
    )

    assert len(results) == 2 and len(errors) == THREADS - 2
    assert len(set(results)) == 2
    assert ApiToken.objects.filter(user=person).count() == MAX_TOKENS_PER_USER
