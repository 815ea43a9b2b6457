"""Permissions, clients and filter choices are remembered across requests, and forgotten as
soon as the organisation changes."""

import socket

import pytest
from django.contrib.auth.models import Group

from apps.core import roles
from apps.core.access import organisation_version
from apps.core.cache import TolerantRedisCache
from apps.core.models import ClientAssignment
from tests.factories import InterruptionFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/interruptions/"


def test_a_role_taken_away_is_refused_on_the_next_request(world, client):
    client.force_login(world.auditor)
    assert client.get(URL).status_code == 200

    world.auditor.groups.remove(Group.objects.get(name=roles.AUDITOR))

    assert client.get(URL).status_code == 403


def test_a_client_taken_away_is_out_of_the_list_on_the_next_request(world, client):
    record = InterruptionFactory(client=world.client_a)
    client.force_login(world.auditor)
    assert record.reference in client.get(URL).content.decode()

    ClientAssignment.objects.filter(user=world.auditor).delete()

    assert record.reference not in client.get(URL).content.decode()
    assert client.get(record.get_absolute_url()).status_code == 404


def test_a_new_team_member_is_offered_in_the_filters_at_once(world, client):
    client.force_login(world.lead)
    assert "newcomer" not in client.get(URL).content.decode()

    TeamMembershipFactory(team=world.team_a1, user=UserFactory(username="newcomer"))

    assert "newcomer" in client.get(URL).content.decode()


def test_signing_in_changes_nobody_s_access(world, client):
    before = organisation_version()
    client.force_login(world.lead)
    client.get(URL)
    assert organisation_version() == before


def test_an_unreachable_redis_is_a_miss_not_an_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cache = TolerantRedisCache(
        f"redis://127.0.0.1:{port}/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )

    assert cache.set("key", 1) is None
    assert cache.get("key", "missing") == "missing"
    assert cache.add("key", 1) is False
    assert cache.get_many(["key"]) == {}
