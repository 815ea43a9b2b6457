"""Roles: groups with exactly their permissions, created by one idempotent function."""

import pytest
from django.contrib.auth.models import Group, Permission

from apps.core import roles
from apps.core.roles import sync_roles
from apps.interruptions.models import Interruption
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KINDS = ("interruptions", "failures", "escalations", "calls", "recovery")
VERBS = ("view", "add", "change", "delete", "bulk", "export")


def _log_model(app_label: str):
    return next(model for model in roles.log_models() if model._meta.app_label == app_label)


# Call logs are also imported from telephony exports, by leads and administrators.
IMPORT_CALLS = {"calls.import_call"}


def _extra(kind: str, role: str) -> set[str]:
    return (
        IMPORT_CALLS
        if kind == "calls" and role in (roles.TEAM_LEAD, roles.ADMINISTRATOR)
        else set()
    )


def _log_perms(app_label: str) -> dict[str, str]:
    """verb -> permission name of that log, e.g. "bulk" -> "calls.bulk_update_call"."""
    name = _log_model(app_label)._meta.model_name
    codename = {verb: f"{verb}_{name}" for verb in VERBS}
    codename["bulk"] = f"bulk_update_{name}"
    return {verb: f"{app_label}.{code}" for verb, code in codename.items()}


def _permissions(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def _log_permissions(group_name: str, app_label: str) -> set[str]:
    """The role's permissions on one log's record model (not its child rows)."""
    model = _log_model(app_label)._meta.model_name
    return {
        name
        for name in _permissions(group_name)
        if name.startswith(f"{app_label}.") and name.endswith(f"_{model}")
    }


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
    assert sorted(model._meta.app_label for model in roles.log_models()) == sorted(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_agent_records_but_does_not_export_or_bulk(kind):
    perms = _log_perms(kind)
    assert _log_permissions(roles.AGENT, kind) == {perms["view"], perms["add"], perms["change"]}


@pytest.mark.parametrize("kind", KINDS)
def test_auditor_views_and_exports_only(kind):
    perms = _log_perms(kind)
    assert _log_permissions(roles.AUDITOR, kind) == {perms["view"], perms["export"]}


@pytest.mark.parametrize("kind", KINDS)
def test_team_lead_works_queues_and_exports(kind):
    perms = _log_perms(kind)
    assert _log_permissions(roles.TEAM_LEAD, kind) == {
        perms["view"],
        perms["add"],
        perms["change"],
        perms["bulk"],
        perms["export"],
        *_extra(kind, roles.TEAM_LEAD),
    }


OVERRIDE = "core.close_with_open_follow_ups"


def test_administrator_configures_the_portal():
    perms = _permissions(roles.ADMINISTRATOR)
    for model in roles.CONFIGURATION_MODELS:
        for verb in ("view", "add", "change", "delete"):
            assert f"core.{verb}_{model}" in perms
    assert {"auth.view_user", "auth.add_user", "auth.change_user"} <= perms
    assert "auth.delete_user" not in perms


@pytest.mark.parametrize("kind", KINDS)
def test_administrator_works_every_log_but_deletes_none(kind):
    log = _log_perms(kind)
    assert _log_permissions(roles.ADMINISTRATOR, kind) == {
        log["view"],
        log["add"],
        log["change"],
        log["bulk"],
        log["export"],
        *_extra(kind, roles.ADMINISTRATOR),
    }


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


@pytest.mark.parametrize("kind", KINDS)
def test_no_role_may_delete_a_log(kind):
    for name in roles.ROLES:
        assert _log_perms(kind)["delete"] not in _permissions(name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("role", "granted"),
    [
        (roles.AGENT, {"view", "add", "change"}),
        (roles.TEAM_LEAD, {"view", "add", "change", "bulk", "export"}),
        (roles.AUDITOR, {"view", "export"}),
        (roles.ADMINISTRATOR, {"view", "add", "change", "bulk", "export"}),
    ],
)
def test_users_in_a_role_hold_its_permissions(role, granted, kind):
    user = _user_with(role)
    for key, permission in _log_perms(kind).items():
        assert user.has_perm(permission) is (key in granted), permission


@pytest.mark.parametrize("kind", KINDS)
def test_a_user_without_a_role_holds_nothing(kind):
    user = UserFactory(username="roleless")
    assert not any(user.has_perm(permission) for permission in _log_perms(kind).values())


@pytest.mark.parametrize("kind", KINDS)
def test_world_users_hold_their_roles(world, kind):
    perms = _log_perms(kind)
    assert world.agent.has_perm(perms["add"])
    assert not world.agent.has_perm(perms["export"])
    assert not world.agent.has_perm(perms["bulk"])
    assert world.lead.has_perm(perms["bulk"])
    assert world.auditor.has_perm(perms["export"])
    assert not world.auditor.has_perm(perms["change"])
    assert world.admin.has_perm(perms["delete"])  # superuser
