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
# Business calendars and SLA policies (apps.sla), configured by administrators too.
SLA_CONFIGURATION_MODELS = ("businesscalendar", "workinghours", "holiday", "slapolicy")

# Call logs: callers' personal data (masked for anyone without it), quality audits, imports.
CALL_PERMISSIONS = {
    AGENT: {("calls", "view_personal_data")},
    TEAM_LEAD: {
        ("calls", "view_personal_data"),
        ("calls", "add_qualityaudit"),
        ("calls", "view_qualityaudit"),
        ("calls", "export_qualityaudit"),
        ("calls", "import_call"),
    },
    AUDITOR: {
        ("calls", "add_qualityaudit"),
        ("calls", "view_qualityaudit"),
        ("calls", "export_qualityaudit"),
    },
    ADMINISTRATOR: {
        ("calls", "view_personal_data"),
        ("calls", "view_qualityaudit"),
        ("calls", "export_qualityaudit"),
        ("calls", "import_call"),
    },
}

# Audit findings: leads and administrators acknowledge them, auditors read and export them.
AUDIT_PERMISSIONS = {
    TEAM_LEAD: {
        ("audits", "view_auditfinding"),
        ("audits", "export_auditfinding"),
        ("audits", "acknowledge_auditfinding"),
    },
    AUDITOR: {("audits", "view_auditfinding"), ("audits", "export_auditfinding")},
    ADMINISTRATOR: {
        ("audits", "view_auditfinding"),
        ("audits", "export_auditfinding"),
        ("audits", "acknowledge_auditfinding"),
    },
}

# Outgoing webhooks (apps.webhooks): administrators subscribe addresses and read the
# delivery log; events and deliveries are written by the portal only.
WEBHOOK_PERMISSIONS = {
    ADMINISTRATOR: {
        *(("webhooks", f"{verb}_subscription") for verb in ("view", "add", "change", "delete")),
        ("webhooks", "view_webhookevent"),
        ("webhooks", "view_delivery"),
    },
}

# Alert intake (apps.intake): leads and administrators read the log of monitoring requests;
# administrators configure the integrations.
INTAKE_PERMISSIONS = {
    TEAM_LEAD: {("intake", "view_intakerequest"), ("intake", "export_intakerequest")},
    ADMINISTRATOR: {
        ("intake", "view_intakerequest"),
        ("intake", "export_intakerequest"),
        *(("intake", f"{verb}_integration") for verb in ("view", "add", "change", "delete")),
    },
}

# Personal API tokens (apps.api): each person issues and revokes their own on their page;
# administrators see everyone's in the admin and revoke them there.
API_TOKEN_PERMISSIONS = {
    ADMINISTRATOR: {("api", "view_apitoken"), ("api", "change_apitoken")},
}

# Reports (apps.reports): what the logs show over time, for the people who answer for it.
REPORT_PERMISSIONS = {
    role: {("reports", "view_reports")} for role in (TEAM_LEAD, AUDITOR, ADMINISTRATOR)
}


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
    override = ("core", "close_with_open_follow_ups")
    roles[TEAM_LEAD].add(override)
    roles[ADMINISTRATOR].add(override)
    for name in CONFIGURATION_MODELS:
        for verb in ("view", "add", "change", "delete"):
            roles[ADMINISTRATOR].add(("core", f"{verb}_{name}"))
    for name in SLA_CONFIGURATION_MODELS:
        for verb in ("view", "add", "change", "delete"):
            roles[ADMINISTRATOR].add(("sla", f"{verb}_{name}"))
    roles[ADMINISTRATOR] |= {("auth", f"{verb}_user") for verb in ("view", "add", "change")}
    for role, codenames in CALL_PERMISSIONS.items():
        roles[role] |= codenames
    for role, codenames in AUDIT_PERMISSIONS.items():
        roles[role] |= codenames
    for role, codenames in REPORT_PERMISSIONS.items():
        roles[role] |= codenames
    for role, codenames in WEBHOOK_PERMISSIONS.items():
        roles[role] |= codenames
    for role, codenames in INTAKE_PERMISSIONS.items():
        roles[role] |= codenames
    for role, codenames in API_TOKEN_PERMISSIONS.items():
        roles[role] |= codenames
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
