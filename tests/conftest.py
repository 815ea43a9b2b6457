"""Shared fixtures: two clients, their teams and services, and one user per role."""

import os
from dataclasses import dataclass

import pytest
from hypothesis import settings

from apps.core import roles
from apps.core.choices import Tier
from tests.factories import (
    ClientAssignmentFactory,
    ClientFactory,
    ServiceFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

# Property tests: 100 examples each in CI (what the suite's ten minutes on two cores allow),
# derandomized so a failure there is the same failure here (and the failing example is
# printed); fewer, random ones while working locally.
# HYPOTHESIS_PROFILE=ci runs the CI profile locally.
settings.register_profile(
    "ci", max_examples=100, derandomize=True, deadline=None, database=None, print_blob=True
)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
)


def pytest_collection_modifyitems(config, items):
    """Under CI, tests that need PostgreSQL or Redis fail rather than skip without them."""
    if os.environ.get("CI", "").lower() != "true":
        return
    missing = []
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        missing.append("DATABASE_URL (PostgreSQL)")
    if not os.environ.get("REDIS_URL"):
        missing.append("REDIS_URL")
    if missing:
        raise pytest.UsageError("CI=true but not configured: " + ", ".join(missing))


@dataclass
class World:
    client_a: object
    client_b: object
    team_a1: object
    team_a2: object
    team_b1: object
    service_a: object
    service_a2: object
    service_b: object
    agent: object
    lead: object
    auditor: object
    admin: object
    agent_b: object


@pytest.fixture
def world(db) -> World:
    client_a = ClientFactory(name="Acme Retail", code="acme")
    client_b = ClientFactory(name="Globex Telecom", code="globex")
    team_a1 = TeamFactory(name="Acme Frontline", tier=Tier.FRONTLINE, clients=[client_a])
    team_a2 = TeamFactory(name="Acme Technical", tier=Tier.TECHNICAL, clients=[client_a])
    team_b1 = TeamFactory(name="Globex Frontline", tier=Tier.FRONTLINE, clients=[client_b])
    agent = UserFactory(username="agent", role=roles.AGENT)
    lead = UserFactory(username="lead", role=roles.TEAM_LEAD)
    auditor = UserFactory(username="auditor", role=roles.AUDITOR)
    agent_b = UserFactory(username="agent_b", role=roles.AGENT)
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    TeamMembershipFactory(team=team_a1, user=agent)
    TeamMembershipFactory(team=team_a1, user=lead)
    TeamMembershipFactory(team=team_b1, user=agent_b)
    team_a1.lead = lead
    team_a1.save()
    ClientAssignmentFactory(client=client_a, user=auditor)
    return World(
        client_a=client_a,
        client_b=client_b,
        team_a1=team_a1,
        team_a2=team_a2,
        team_b1=team_b1,
        service_a=ServiceFactory(client=client_a, name="CRM"),
        service_a2=ServiceFactory(client=client_a, name="Telephony platform"),
        service_b=ServiceFactory(client=client_b, name="IVR"),
        agent=agent,
        lead=lead,
        auditor=auditor,
        admin=admin,
        agent_b=agent_b,
    )
