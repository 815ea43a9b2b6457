"""Roles: groups with exactly their permissions, created by one idempotent function."""

import pytest
from django.contrib.auth.models import Group, Permission

from apps.core import roles
from apps.core.roles import sync_roles
from apps.interruptions.models import Interruption
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INTERRUPTION = {
    "view": "interruptions.view_interruption",
    "add": "interruptions.add_interruption",
    "change": "interruptions.change_interruption",
    "delete": "interruptions.delete_interruption",
    "bulk": "interruptions.bulk_update_interruption",
    "export": "interruptions.export_interruption",
}


def _permissions(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def _log_permissions(group_name: str) -> set[str]:
    """The role's permissions on interruptions (other log apps follow the same pattern)."""
    return {name for name in _permissions(group_name) if name.startswith("interruptions.")}


def _all_roles() -> dict[str, set[str]]:
    return {name: _permissions(name) for name in roles.ROLES}


def _user_with(role: str):
    return UserFactory(username=f"{role.lower().replace(' ', '_')}_user", role=role)


def test_every_role_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)


def test_sync_roles_is_idempotent():
    before = _all_roles()
    group_ids = dict(Group.objects.values_list("name", "pk"))
    sync_roles()
    sync_roles()
    assert _all_roles() == before
    assert dict(Group.objects.values_list("name", "pk")) == group_ids
    assert Group.objects.filter(name__in=roles.ROLES).count() == len(roles.ROLES)


def test_sync_roles_recreates_a_deleted_group_and_removes_extra_permissions():
    before = _all_roles()
    Group.objects.get(name=roles.AUDITOR).delete()
    agent = Group.objects.get(name=roles.AGENT)
    agent.permissions.add(Permission.objects.get(codename="delete_interruption"))
    sync_roles()
    assert _all_roles() == before


def test_log_models_lists_the_concrete_logs():
    assert Interruption in roles.log_models()


def test_agent_records_but_does_not_export_or_bulk():
    assert _log_permissions(roles.AGENT) == {
        INTERRUPTION["view"],
        INTERRUPTION["add"],
        INTERRUPTION["change"],
    }


def test_auditor_views_and_exports_only():
    assert _log_permissions(roles.AUDITOR) == {INTERRUPTION["view"], INTERRUPTION["export"]}


def test_team_lead_works_queues_and_exports():
    assert _log_permissions(roles.TEAM_LEAD) == {
        INTERRUPTION["view"],
        INTERRUPTION["add"],
        INTERRUPTION["change"],
        INTERRUPTION["bulk"],
        INTERRUPTION["export"],
    }


OVERRIDE = "core.close_with_open_follow_ups"


def test_administrator_configures_the_portal():
    perms = _permissions(roles.ADMINISTRATOR)
    for model in roles.CONFIGURATION_MODELS:
        for verb in ("view", "add", "change", "delete"):
            assert f"core.{verb}_{model}" in perms
    assert {"auth.view_user", "auth.add_user", "auth.change_user"} <= perms
    assert "auth.delete_user" not in perms
    assert INTERRUPTION["delete"] not in perms
    assert {INTERRUPTION["bulk"], INTERRUPTION["export"]} <= perms


@pytest.mark.parametrize("role", [roles.AGENT, roles.TEAM_LEAD, roles.AUDITOR])
def test_only_administrators_configure(role):
    configuration = {name for name in _permissions(role) if name.startswith(("core.", "auth."))}
    assert configuration - {OVERRIDE} == set()


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (roles.AGENT, False),
        (roles.TEAM_LEAD, True),
        (roles.AUDITOR, False),
        (roles.ADMINISTRATOR, True),
    ],
)
def test_leads_and_administrators_may_close_over_open_follow_ups(role, may):
    assert (OVERRIDE in _permissions(role)) is may


def test_no_role_may_delete_a_log():
    for name in roles.ROLES:
        assert INTERRUPTION["delete"] not in _permissions(name)


@pytest.mark.parametrize(
    ("role", "granted"),
    [
        (roles.AGENT, {"view", "add", "change"}),
        (roles.TEAM_LEAD, {"view", "add", "change", "bulk", "export"}),
        (roles.AUDITOR, {"view", "export"}),
        (roles.ADMINISTRATOR, {"view", "add", "change", "bulk", "export"}),
    ],
)
def test_users_in_a_role_hold_its_permissions(role, granted):
    user = _user_with(role)
    for key, permission in INTERRUPTION.items():
        assert user.has_perm(permission) is (key in granted), permission


def test_a_user_without_a_role_holds_nothing():
    user = UserFactory(username="roleless")
    assert not any(user.has_perm(permission) for permission in INTERRUPTION.values())


def test_world_users_hold_their_roles(world):
    assert world.agent.has_perm(INTERRUPTION["add"])
    assert not world.agent.has_perm(INTERRUPTION["export"])
    assert not world.agent.has_perm(INTERRUPTION["bulk"])
    assert world.lead.has_perm(INTERRUPTION["bulk"])
    assert world.auditor.has_perm(INTERRUPTION["export"])
    assert not world.auditor.has_perm(INTERRUPTION["change"])
    assert world.admin.has_perm(INTERRUPTION["delete"])  # superuser
