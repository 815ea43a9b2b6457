"""The expected outcome of every API operation × role × token, reviewed by hand.

One row per operation (a glob over its url name; "{log}" stands for each of the five logs):
the outcome per role, in the order of API_ROLES, for a read-and-write token and a row of a
client the role works for (or, for a notification, its recipient's). The rest follows:

- a read-only token gets the same answer to a GET, and 403 to anything else, before any
  lookup (a token that may not write learns nothing by trying);
- a role that does not work for the row's client gets 404 (never 403: a refusal must not
  tell that the row exists);
- no token, or a revoked one, gets 401 everywhere.

Each write is sent with the smallest body its schema takes (required fields only), so a
400 means the request passed the token and role checks and the form named what is missing.
"""

from dataclasses import dataclass
from fnmatch import fnmatchcase

from apps.api.kinds import KINDS

API_ROLES = ("agent", "agent_b", "lead", "auditor", "admin")
LOGS = tuple(kind.segment for kind in KINDS)


@dataclass(frozen=True)
class ApiRule:
    names: tuple[str, ...]
    outcomes: str
    why: str = ""

    def matches(self, key: str) -> bool:
        return any(
            fnmatchcase(key, name.replace("{log}", log)) for name in self.names for log in LOGS
        )

    def outcome(self, role: str) -> int:
        values = self.outcomes.split()
        assert len(values) == len(API_ROLES), self.names
        return int(values[API_ROLES.index(role)])


#                                                    agent agent_b lead auditor admin
API_RULES = [
    ApiRule(("{log}_list",), "200 200 200 200 200"),
    ApiRule(
        ("{log}_detail", "{log}_links", "{log}_chain", "{log}_history", "{log}_timeline"),
        "200 200 200 200 200",
    ),
    ApiRule(
        ("{log}_create",),
        "400 400 400 403 400",
        why="auditors log nothing; the others get the form's errors for an empty record",
    ),
    ApiRule(
        ("{log}_update",),
        "200 200 200 403 200",
        why="the version alone: nothing to change, the record as it is",
    ),
    ApiRule(
        ("{log}_status", "{log}_assign", "{log}_link", "escalations_move_tier"),
        "400 400 400 403 400",
    ),
    ApiRule(("{log}_note",), "201 201 201 403 201"),
    ApiRule(("escalations_first_response",), "200 200 200 403 200"),
    ApiRule(
        ("findings_list", "findings_detail"),
        "403 403 200 200 200",
        why="findings are for leads, auditors and administrators",
    ),
    ApiRule(("findings_acknowledge",), "403 403 200 403 200", why="auditors read, leads act"),
    ApiRule(
        ("notifications_list", "notifications_detail", "notifications_read"),
        "200 200 200 200 200",
        why="everyone's own notifications",
    ),
    ApiRule(("notifications_read_all",), "200 200 200 200 200"),
]


def api_rule_for(key: str) -> ApiRule | None:
    return next((rule for rule in API_RULES if rule.matches(key)), None)
