"""Roles are Django groups with model permissions; this module is their one definition."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

AGENT = "Agent"
TEAM_LEAD = "Team lead"
AUDITOR = "Auditor"
ADMINISTRATOR = "Administrator"
ROLES = (AGENT, TEAM_LEAD, AUDITOR, ADMINISTRATOR)

CONFIGURATION_MODELS = (
    "client",
    "team",
    "teammembership",
    "clientassignment",
    "service",
    "codelistentry",
)


def log_models():
    """Every concrete log model (subclasses of the abstract LogRecord)."""
    from .models import LogRecord

    return [model for model in apps.get_models() if issubclass(model, LogRecord)]


def _codenames_by_role() -> dict[str, set[tuple[str, str]]]:
    roles: dict[str, set[tuple[str, str]]] = {role: set() for role in ROLES}
    for model in log_models():
        label, name = model._meta.app_label, model._meta.model_name
        view, add, change = (f"{verb}_{name}" for verb in ("view", "add", "change"))
        bulk, export = f"bulk_update_{name}", f"export_{name}"
        roles[AGENT] |= {(label, view), (label, add), (label, change)}
        roles[TEAM_LEAD] |= {
            (label, view),
            (label, add),
            (label, change),
            (label, bulk),
            (label, export),
        }
        roles[AUDITOR] |= {(label, view), (label, export)}
        roles[ADMINISTRATOR] |= {
            (label, view),
            (label, add),
            (label, change),
            (label, bulk),
            (label, export),
        }
    for name in CONFIGURATION_MODELS:
        for verb in ("view", "add", "change", "delete"):
            roles[ADMINISTRATOR].add(("core", f"{verb}_{name}"))
    roles[ADMINISTRATOR] |= {("auth", f"{verb}_user") for verb in ("view", "add", "change")}
    return roles


def sync_roles() -> None:
    """Create the role groups and give each exactly its permissions. Safe to run any time."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, codenames in _codenames_by_role().items():
        group, _ = Group.objects.get_or_create(name=role)
        query = Q(pk__in=[])
        for app_label, codename in codenames:
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))
