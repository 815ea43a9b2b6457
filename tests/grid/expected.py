"""The expected outcome of every URL pattern × role × method: one table, reviewed by hand.

Each rule: a glob over pattern keys ("namespace:name", or the route of an unnamed admin
pattern; "{log}" stands for each of the five logs), then for GET and POST the outcome per role,
in the order of ROLE_ORDER:

    anonymous  agent  agent_b  lead  auditor  admin

An outcome is a status code, `login` (302 to the login page and back) or `admin-login` (302
to the admin's login page and back). For an address of one client's row (record, finding,
notification), the outcome is the one of a person who works for that client (or, for a
notification, its recipient); anyone else gets 404 (never 403: a refusal must not tell that the
row exists) unless the outcome is a login redirect or 405 (a method the view does not take,
answered before any lookup, the same for a row that does not exist).

The first rule that matches a key decides. Every key must match a rule and every rule a key
(a "{log}" rule: for at least one log).
"""

from dataclasses import dataclass
from fnmatch import fnmatchcase

from tests.log_kinds import KINDS as LOGS

from .cells import ADMIN_LOGIN, LOGIN
from .world import ROLES

ROLE_ORDER = ROLES  # anonymous, agent, agent_b, lead, auditor, admin
TOKENS = {"login": LOGIN, "admin-login": ADMIN_LOGIN}
NOT_REACHED_SAYS_NOTHING = {LOGIN, ADMIN_LOGIN, 405}


@dataclass(frozen=True)
class Rule:
    pattern: str
    GET: str
    POST: str
    why: str = ""
    template: str = ""  # the "{log}" rule this one was made from

    @property
    def origin(self) -> str:
        return self.template or self.pattern

    def outcomes(self, method: str) -> dict:
        tokens = getattr(self, method).split()
        assert len(tokens) == len(ROLE_ORDER), (self.pattern, method)
        return {
            role: TOKENS.get(token) or int(token)
            for role, token in zip(ROLE_ORDER, tokens, strict=True)
        }


#            anonymous                agent   agent_b lead  auditor admin
_log_rules = [
    Rule(
        "{log}:list",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
    ),
    Rule(
        "{log}:list?_export=xlsx",
        GET="login                    403     403     302   302     302",
        POST="login                   405     405     405   405     405",
        why="a workbook is built in the background: on to the job's progress page",
    ),
    Rule(
        "{log}:list?_export=*",
        GET="login                    403     403     200   200     200",
        POST="login                   405     405     405   405     405",
        why="agents do not export; leads, auditors and administrators do",
    ),
    Rule(
        "{log}:history_export",
        GET="login                    403     403     200   200     200",
        POST="login                   405     405     405   405     405",
        why="the history of the filtered records, for whoever may export the list",
    ),
    Rule(
        "{log}:bulk",
        GET="login                    403     403     405   403     405",
        POST="login                   403     403     302   403     302",
        why="bulk changes are the leads' (and administrators'); back to the list",
    ),
    Rule(
        "{log}:create?origin",
        GET="login                    200     200     200   403     200",
        POST="login                   200     200     200   403     200",
        why="a form opened from a record of another client is 404, also for auditors",
    ),
    Rule(
        "{log}:create",
        GET="login                    200     200     200   403     200",
        POST="login                   200     200     200   403     200",
        why="auditors only read; an empty form is drawn again with its errors",
    ),
    Rule(
        "{log}:detail",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
    ),
    Rule(
        "{log}:update",
        GET="login                    200     200     200   403     200",
        POST="login                   200     200     200   403     200",
    ),
    Rule(
        "calls:audit",
        GET="login                    403     403     405   405     405",
        POST="login                   403     403     302   302     302",
        why="quality audits are scored by leads and auditors",
    ),
    Rule(
        "{log}:*",
        GET="login                    405     405     405   403     405",
        POST="login                   302     302     302   403     302",
        why="record actions (note, status, assign, link, move tier, first response, recovery "
        "entries): POST only, back to the record; auditors change nothing",
    ),
]

RULES = [
    Rule(
        "home",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
    ),
    Rule(
        "home_panels",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
        why="the home page's panels alone, as htmx refreshes them",
    ),
    Rule(
        "api:openapi-*",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
        why="the API's documentation, for anyone signed in (requests need a token)",
    ),
    Rule(
        "api:api-root",
        GET="404                      404     404     404   404     404",
        POST="404                     404     404     404   404     404",
        why="nothing at the API's root: its documentation is at /api/docs",
    ),
    Rule(
        "healthz*",
        GET="200                      200     200     200   200     200",
        POST="405                     405     405     405   405     405",
    ),
    Rule(
        "favicon",
        GET="302                      302     302     302   302     302",
        POST="405                     405     405     405   405     405",
    ),
    Rule(
        "login",
        GET="200                      200     200     200   200     200",
        POST="200                     200     200     200   200     200",
        why="an empty login form is drawn again with its errors",
    ),
    Rule(
        "logout",
        GET="405                      405     405     405   405     405",
        POST="302                     302     302     302   302     302",
    ),
    Rule(
        "escalations:matrix_preview*",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
        why="another client in the query is not a choice: the form says so, nothing shown",
    ),
    Rule(
        "audits:list?_export=xlsx",
        GET="login                    403     403     302   302     302",
        POST="login                   403     403     405   405     405",
        why="a workbook is built in the background: on to the job's progress page",
    ),
    Rule(
        "audits:list*",
        GET="login                    403     403     200   200     200",
        POST="login                   403     403     405   405     405",
    ),
    Rule(
        "audits:acknowledge",
        GET="login                    403     403     405   403     405",
        POST="login                   403     403     302   403     302",
    ),
    Rule(
        "calls:audits*",
        GET="login                    403     403     200   200     200",
        POST="login                   403     403     405   405     405",
    ),
    Rule(
        "calls:import_template",
        GET="login                    403     403     200   403     200",
        POST="login                   403     403     405   403     405",
    ),
    Rule(
        "calls:import",
        GET="login                    403     403     200   403     200",
        POST="login                   403     403     200   403     200",
        why="leads and administrators import calls; an empty upload is drawn again",
    ),
    *[
        Rule(rule.pattern.replace("{log}", log), rule.GET, rule.POST, rule.why, rule.pattern)
        for rule in _log_rules
        for log in LOGS
        if "{log}" in rule.pattern or rule.pattern.startswith(f"{log}:")
    ],
    Rule(
        "notifications:list",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
    ),
    Rule(
        "notifications:read",
        GET="login                    405     405     405   405     405",
        POST="login                   302     302     302   302     302",
        why="only one's own notifications: anyone else's is 404",
    ),
    Rule(
        "notifications:read_all",
        GET="login                    405     405     405   405     405",
        POST="login                   302     302     302   302     302",
    ),
    Rule(
        "api_tokens:list",
        GET="login                    200     200     200   200     200",
        POST="login                   200     200     200   200     200",
        why="one's own API tokens, for every role; an empty form is drawn again with its errors",
    ),
    Rule(
        "api_tokens:revoke",
        GET="login                    405     405     405   405     405",
        POST="login                   302     302     302   302     302",
        why="only one's own token: anyone else's is 404",
    ),
    Rule(
        "reports:*",
        GET="login                    403     403     200   200     200",
        POST="login                   405     405     405   405     405",
        why="reports of one's own clients, for leads, auditors and administrators",
    ),
    Rule(
        "intake:requests?_export=xlsx",
        GET="login                    403     403     302   403     302",
        POST="login                   403     403     405   403     405",
        why="a workbook is built in the background: on to the job's progress page",
    ),
    Rule(
        "intake:requests*",
        GET="login                    403     403     200   403     200",
        POST="login                   403     403     405   403     405",
        why="the log of monitoring requests, for leads and administrators",
    ),
    Rule(
        "intake:receive",
        GET="405                      405     405     405   405     405",
        POST="401                     401     401     401   401     401",
        why="monitoring sources post with the integration's bearer token; a session is none",
    ),
    Rule(
        "jobs:list",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
        why="one's own exports and imports",
    ),
    Rule(
        "jobs:detail",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
        why="only one's own jobs: anyone else's is 404",
    ),
    Rule(
        "jobs:progress",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
    ),
    Rule(
        "jobs:download",
        GET="login                    200     200     200   200     200",
        POST="login                   405     405     405   405     405",
        why="the file, to its requester only, until it expires",
    ),
    Rule(
        "jobs:*",
        GET="login                    405     405     405   405     405",
        POST="login                   302     302     302   302     302",
        why="cancel and start again: back to a job's page",
    ),
]

# The admin site is the staff's: everyone else is sent to its login page, whatever the address.
_NOT_STAFF = "admin-login " * 5
# Logs, their child rows, findings, notifications, timeline, alerts, the outbox and webhook
# events and deliveries, and people's API tokens are written by the portal's services only: the
# admin shows them and changes nothing (an API token is revoked by the list's action).
ADMIN_READ_ONLY = (
    "interruptions_interruption",
    "failures_failurereport",
    "escalations_escalation",
    "calls_call",
    "recovery_recoverycase",
    "calls_qualityaudit",
    "audits_auditfinding",
    "notifications_notification",
    "core_timelineentry",
    "core_alertdelivery",
    "core_outboxmessage",
    "reports_monthlyreportdelivery",
    "webhooks_webhookevent",
    "webhooks_delivery",
    "intake_intakerequest",
    "api_apitoken",
)
RULES += [
    *[
        rule
        for model in ADMIN_READ_ONLY
        for rule in (
            Rule(f"admin:{model}_add", GET=_NOT_STAFF + "403", POST=_NOT_STAFF + "403"),
            Rule(f"admin:{model}_change", GET=_NOT_STAFF + "200", POST=_NOT_STAFF + "403"),
            Rule(f"admin:{model}_delete", GET=_NOT_STAFF + "403", POST=_NOT_STAFF + "403"),
        )
    ],
    Rule(
        "admin:axes_*_add",
        GET=_NOT_STAFF + "403",
        POST=_NOT_STAFF + "403",
        why="login attempts are recorded by django-axes, never added by hand",
    ),
    Rule(
        "admin:axes_*_change",
        GET=_NOT_STAFF + "200",
        POST=_NOT_STAFF + "302",
        why="read-only fields: saving changes nothing and goes back to the list",
    ),
    Rule("admin:password_change", GET=_NOT_STAFF + "200", POST=_NOT_STAFF + "200"),
    Rule(
        "admin:*_simple_history",
        GET=_NOT_STAFF + "200",
        POST=_NOT_STAFF + "200",
        why="one version of a row in django-simple-history's admin",
    ),
    Rule("admin:auth_user_password_change", GET=_NOT_STAFF + "200", POST=_NOT_STAFF + "200"),
    Rule(
        "admin:*_changelist",
        GET=_NOT_STAFF + "200",
        POST=_NOT_STAFF + "200",
        why="a POST without a chosen action draws the list again",
    ),
    Rule(
        "admin:*_add",
        GET=_NOT_STAFF + "200",
        POST=_NOT_STAFF + "200",
        why="an empty form is drawn again with its errors",
    ),
    Rule("admin:*_change", GET=_NOT_STAFF + "200", POST=_NOT_STAFF + "200"),
    Rule(
        "admin:*_delete",
        GET=_NOT_STAFF + "200",
        POST=_NOT_STAFF + "200",
        why="a POST without the confirmation field asks for it again",
    ),
    Rule("admin:*_history", GET=_NOT_STAFF + "200", POST=_NOT_STAFF + "200"),
    Rule(
        "admin/*/<path:object_id>/",
        GET=_NOT_STAFF + "302",
        POST=_NOT_STAFF + "302",
        why="an object's bare address moves on to its change page",
    ),
    Rule("admin:index", GET=_NOT_STAFF + "200", POST=_NOT_STAFF + "200"),
    Rule("admin:app_list", GET=_NOT_STAFF + "200", POST=_NOT_STAFF + "200"),
    Rule(
        "admin:login",
        GET="200                      200     200     200   200     302",
        POST="200                     200     200     200   200     200",
        why="the staff are sent on to the index; an empty form is drawn again",
    ),
    Rule(
        "admin:logout",
        GET="302                      302     302     302   302     405",
        POST="302                     302     302     302   302     302",
    ),
    Rule("admin:password_change_done", GET=_NOT_STAFF + "200", POST=_NOT_STAFF + "405"),
    Rule(
        "admin:autocomplete",
        GET=_NOT_STAFF + "403",
        POST=_NOT_STAFF + "405",
        why="without a field to complete the request is refused",
    ),
    Rule("admin:jsi18n", GET=_NOT_STAFF + "200", POST=_NOT_STAFF + "405"),
    Rule("admin:view_on_site", GET=_NOT_STAFF + "302", POST=_NOT_STAFF + "302"),
    Rule("admin/(?P<url>.*)$", GET=_NOT_STAFF + "404", POST=_NOT_STAFF + "404"),
]


def rule_for(key: str) -> Rule | None:
    return next((rule for rule in RULES if fnmatchcase(key, rule.pattern)), None)


def expected_outcome(rule: Rule, method: str, role: str, url) -> object:
    outcome = rule.outcomes(method)[role]
    if role not in url.reached_by and outcome not in NOT_REACHED_SAYS_NOTHING:
        return 404
    return outcome
