"""The API's operations, from the API itself, and one request of each per role and token."""

import copy
import typing
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.test import Client
from django.urls import reverse

from apps.api.api import api
from apps.api.models import Scope
from apps.api.tokens import token_issue, token_revoke
from apps.audits.models import AuditFinding
from apps.notifications.models import Notification

from .urls import Url
from .world import ANONYMOUS, REACHES

NO_TOKEN, REVOKED, SESSION = "no token", "revoked", "a session alone"
SCOPES = (Scope.READ, Scope.WRITE)


@dataclass(frozen=True)
class Operation:
    key: str  # the operation's url name, e.g. "interruptions_detail"
    method: str
    route: str
    body: dict | None


def _example(annotation):
    """A value of the type a required field takes (its content is not what the cell tests)."""
    for option in typing.get_args(annotation) or (annotation,):
        if option is int:
            return 1
        if option is bool:
            return False
        if option is datetime:
            return "2026-12-01T08:00:00Z"
        if option is str:
            return "grid"
    return None


def _body(operation) -> dict | None:
    for model in operation.signature.models:
        if getattr(model, "__ninja_param_source__", None) == "body":
            schema = next(iter(model.model_fields.values())).annotation
            return {
                name: _example(field.annotation)
                for name, field in schema.model_fields.items()
                if field.is_required()
            }
    return {} if operation.methods != ["GET"] else None


def api_operations() -> list[Operation]:
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found.append(
                        Operation(operation.url_name, method, prefix + path, _body(operation))
                    )
    return found


def _segment(key: str) -> str:
    return key.rsplit("_", 1)[0] if not key.endswith("_read_all") else "notifications"


def operation_urls(operation: Operation, world) -> list[Url]:
    """The addresses of one operation: one per client for a client's row, one per person for
    a notification, one for the rest."""
    name = f"api:{operation.key}"
    if "{reference}" in operation.route:
        from apps.api.kinds import KINDS

        kind = next(kind for kind in KINDS if kind.segment == operation.key.split("_")[0])
        return [
            Url(
                operation.key,
                side,
                reverse(name, args=[world.records[(kind.model, side)].reference]),
                frozenset(REACHES[side]),
            )
            for side in ("a", "b")
        ]
    if "pk}" in operation.route and operation.key.startswith("findings"):
        return [
            Url(
                operation.key,
                side,
                reverse(name, args=[AuditFinding.objects.get(client=client).pk]),
                frozenset(REACHES[side]),
            )
            for side, client in world.clients.items()
        ]
    if "pk}" in operation.route:
        return [
            Url(
                operation.key,
                f"{role}'s",
                reverse(name, args=[Notification.objects.get(recipient=user).pk]),
                frozenset({role}),
            )
            for role, user in world.users.items()
        ]
    assert "{" not in operation.route, f"fill the arguments of {operation.key}"
    return [Url(operation.key, "-", reverse(name))]


class TokenBrowser:
    """A token of each scope for each role, one revoked, and none: each request in a
    savepoint rolled back afterwards, like the page grid's cells."""

    def __init__(self, users: dict):
        self.client = Client()
        self.sessions = {}
        self.secrets = {}
        for role, user in users.items():
            self.sessions[role] = Client()
            self.sessions[role].force_login(user)
            for scope in SCOPES:
                self.secrets[(role, scope)] = token_issue(user, name=scope, scope=scope)[1]
            token, secret = token_issue(user, name="revoked", scope=Scope.WRITE)
            token_revoke(token, actor=user)
            self.secrets[(role, REVOKED)] = secret

    def request(self, role: str, scope: str, operation: Operation, path: str):
        headers = {}
        if role != ANONYMOUS and scope not in (NO_TOKEN, SESSION):
            headers["Authorization"] = f"Bearer {self.secrets[(role, scope)]}"
        client = self.sessions[role] if scope == SESSION else self.client
        options = {"headers": headers}
        if operation.body is not None:
            options.update(data=operation.body, content_type="application/json")
        cookies = copy.deepcopy(client.cookies)
        try:
            with transaction.atomic():
                response = getattr(client, operation.method.lower())(path, **options)
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - any exception is a 500 cell to report
            return f"500 {error.__class__.__name__}: {error}", b""
        finally:
            client.cookies = cookies
        return response.status_code, response.content
