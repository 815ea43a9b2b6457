"""Client scoping: which clients' records a user reaches, decided in one place."""

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.core.models import Service, TimelineEntry
from apps.core.scoping import (
    accessible_client_ids,
    forget_accessible_clients,
    scope_to_user,
    sees_every_client,
)
from tests.factories import (
    ClientAssignmentFactory,
    ClientFactory,
    InterruptionFactory,
    TeamFactory,
    TeamMembershipFactory,
    TimelineEntryFactory,
    UserFactory,
)
from tests.log_kinds import KINDS, LOG_FACTORIES

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The same user loaded again, without the ids cached on the test's object."""
    return type(user).objects.get(pk=user.pk)


def test_team_membership_gives_the_teams_clients(world):
    assert accessible_client_ids(world.agent) == {world.client_a.pk}
    assert accessible_client_ids(world.lead) == {world.client_a.pk}
    assert accessible_client_ids(world.agent_b) == {world.client_b.pk}


def test_a_team_serving_several_clients_gives_all_of_them(world):
    third = ClientFactory(name="Initech", code="initech")
    shared = TeamFactory(name="Shared desk", clients=[world.client_a, third])
    user = UserFactory(username="floater")
    TeamMembershipFactory(team=shared, user=user)
    assert accessible_client_ids(user) == {world.client_a.pk, third.pk}


def test_client_assignment_gives_that_client(world):
    assert accessible_client_ids(world.auditor) == {world.client_a.pk}


def test_membership_and_assignment_add_up(world):
    ClientAssignmentFactory(client=world.client_b, user=world.agent)
    assert accessible_client_ids(_fresh(world.agent)) == {world.client_a.pk, world.client_b.pk}


def test_membership_of_a_team_serving_no_client_reaches_nothing(world):
    idle = TeamFactory(name="Bench")
    user = UserFactory(username="benched")
    TeamMembershipFactory(team=idle, user=user)
    assert accessible_client_ids(user) == frozenset()


def test_a_user_with_neither_reaches_nothing(world):
    assert accessible_client_ids(UserFactory(username="nobody")) == frozenset()


def test_superuser_reaches_every_client(world):
    extra = ClientFactory(name="Initech", code="initech")
    assert accessible_client_ids(world.admin) == {world.client_a.pk, world.client_b.pk, extra.pk}
    assert sees_every_client(world.admin)
    assert not sees_every_client(world.lead)


@pytest.mark.parametrize("kind", KINDS)
def test_inactive_users_reach_nothing(world, kind):
    model = LOG_FACTORIES[kind]._meta.model
    LOG_FACTORIES[kind](client=world.client_a)
    for user in (world.agent, world.admin):
        user.is_active = False
        user.save()
        fresh = _fresh(user)
        assert accessible_client_ids(fresh) == frozenset()
        assert not sees_every_client(fresh)
        assert list(model.objects.for_user(fresh)) == []


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_reaches_nothing(world, kind):
    model = LOG_FACTORIES[kind]._meta.model
    LOG_FACTORIES[kind](client=world.client_a)
    anonymous = AnonymousUser()
    assert accessible_client_ids(anonymous) == frozenset()
    assert not sees_every_client(anonymous)
    assert list(model.objects.for_user(anonymous)) == []


def test_ids_are_asked_once_per_user_object(world, django_assert_num_queries):
    user = _fresh(world.agent)
    with django_assert_num_queries(1):
        accessible_client_ids(user)
        accessible_client_ids(user)


def test_forgetting_the_cache_sees_new_memberships(world):
    user = _fresh(world.agent)
    assert accessible_client_ids(user) == {world.client_a.pk}
    TeamMembershipFactory(team=world.team_b1, user=user)
    assert accessible_client_ids(user) == {world.client_a.pk}  # cached for this request
    forget_accessible_clients(user)
    assert accessible_client_ids(user) == {world.client_a.pk, world.client_b.pk}
    forget_accessible_clients(user)
    forget_accessible_clients(user)  # forgetting twice is harmless


def test_removing_the_membership_removes_the_access(world):
    world.agent.team_memberships.all().delete()
    assert accessible_client_ids(_fresh(world.agent)) == frozenset()


@pytest.mark.parametrize("kind", KINDS)
def test_for_user_on_every_log(world, kind):
    make, model = LOG_FACTORIES[kind], LOG_FACTORIES[kind]._meta.model
    a1 = make(client=world.client_a)
    a2 = make(client=world.client_a)
    b1 = make(client=world.client_b)
    own_a = {a1.pk, a2.pk}

    def reached(user):
        return set(model.objects.for_user(user).values_list("pk", flat=True))

    assert reached(world.agent) == own_a
    assert reached(world.lead) == own_a
    assert reached(world.auditor) == own_a
    assert reached(world.agent_b) == {b1.pk}
    assert reached(world.admin) == {a1.pk, a2.pk, b1.pk}
    assert reached(UserFactory(username="nobody")) == set()
    assert model.objects.for_user(world.agent).count() == 2


@pytest.mark.parametrize("kind", KINDS)
def test_for_user_combines_with_other_filters(world, kind):
    make, model = LOG_FACTORIES[kind], LOG_FACTORIES[kind]._meta.model
    open_a = make(client=world.client_a, status="new")
    make(client=world.client_a, status="cancelled", cancel_reason="Duplicate.")
    make(client=world.client_b, status="new")
    assert list(model.objects.for_user(world.agent).open()) == [open_a]
    assert list(model.objects.open().for_user(world.agent)) == [open_a]


def test_scope_to_user_on_other_models(world):
    service_ids = set(
        scope_to_user(Service.objects.all(), world.agent_b).values_list("pk", flat=True)
    )
    assert service_ids == {world.service_b.pk}
    note_a = TimelineEntryFactory(record=InterruptionFactory(client=world.client_a))
    TimelineEntryFactory(record=InterruptionFactory(client=world.client_b))
    assert list(scope_to_user(TimelineEntry.objects.all(), world.auditor)) == [note_a]
    assert scope_to_user(TimelineEntry.objects.all(), world.admin).count() == 2
