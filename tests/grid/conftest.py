"""One seeded world for all the cells of a module: built once in a transaction that is rolled
back when the module ends; each test runs in a savepoint inside it (pytest-django's `db`)."""

import pytest
from django.db import transaction

from .cells import Browser
from .world import build_world


@pytest.fixture(scope="module")
def grid_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
            world.browser = Browser(world.users)
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
