"""Reads reused across apps."""

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .models import Client, Team, TeamMembership
from .roles import TEAM_LEAD, log_models


def client_team_leads(client: Client) -> QuerySet:
    """Active users who lead a team serving `client`, or hold the lead role in one."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(is_active=True)
        .filter(
            Q(led_teams__clients=client)
            | Q(groups__name=TEAM_LEAD, team_memberships__team__clients=client)
        )
        .distinct()
        .order_by("username")
    )


def users_of_clients(client_ids) -> QuerySet:
    """Active users who work for any of the clients, through a team or a direct assignment."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(is_active=True)
        .filter(
            Q(team_memberships__team__clients__in=client_ids)
            | Q(client_assignments__client__in=client_ids)
        )
        .distinct()
        .order_by("username")
    )


def assignable_users(client_ids, *, keep: int | None = None) -> QuerySet:
    """The users of the clients who work records (may change a log's records): who a record,
    or a corrective action, can be given to. Auditors, who only read, are not offered.

    `keep` (the current assignee's id) stays offered whatever their role now, so a form
    saved unchanged stays valid.
    """
    user_model = get_user_model()
    codenames = [f"change_{model._meta.model_name}" for model in log_models()]
    workers = user_model.objects.filter(
        Q(is_superuser=True)
        | Q(groups__permissions__codename__in=codenames)
        | Q(user_permissions__codename__in=codenames)
    ).values("pk")
    offered = users_of_clients(client_ids).filter(pk__in=workers)
    if keep is None:
        return offered
    return user_model.objects.filter(Q(pk__in=offered.values("pk")) | Q(pk=keep)).order_by(
        "username"
    )


def teams_for_clients(client_ids) -> QuerySet:
    """Teams serving any of the clients, frontline first."""
    return Team.objects.filter(clients__in=client_ids).distinct().order_by("tier", "name")


def members_by_team(team_ids: Iterable[int]) -> dict[int, set[int]]:
    """Team id → the ids of its members, for many teams in one query (teams without members
    answer an empty set)."""
    members: dict[int, set[int]] = defaultdict(set)
    for team_id, user_id in TeamMembership.objects.filter(team_id__in=set(team_ids)).values_list(
        "team_id", "user_id"
    ):
        members[team_id].add(user_id)
    return members
