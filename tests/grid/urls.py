"""Every URL pattern of the portal, from the resolver, filled with real ids of both clients."""

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.api.models import ApiToken
from apps.audits.models import AuditFinding
from apps.core.followups import follow_up_for
from apps.core.roles import log_models
from apps.jobs.models import Job
from apps.notifications.models import Notification

from .world import REACHES, ROLES, GridWorld

EVERYONE = frozenset(ROLES)
# The API's operations are answered to tokens, not sessions: tests/grid/test_api_grid.py
# requests each of them with every role and token (and with a session alone). Its
# documentation pages are pages, requested here.
API_PAGES = {"api:openapi-json", "api:openapi-view", "api:api-root"}
EXPORTS = ("csv", "xlsx")


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the route itself for the admin's unnamed patterns
    route: str
    callback: object
    named: bool

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None)


@dataclass(frozen=True)
class Url:
    """One address to request: `key` names its row in the expected-outcome table; a role
    outside `reached_by` does not work for the client of the row it names."""

    key: str
    target: str
    path: str
    reached_by: frozenset = EVERYONE


def url_patterns() -> list[Pattern]:
    found = []

    def walk(resolver, prefix: str, namespace: str | None) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                if namespace == "api" and name not in API_PAGES:
                    continue
                found.append(
                    Pattern(
                        key=name or route,
                        route=route,
                        callback=entry.callback,
                        named=bool(name),
                    )
                )

    walk(get_resolver(), "", None)
    return found


ADMIN_MODEL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")


def _admin_rows(pattern: Pattern, world: GridWorld) -> list[tuple[str, object]]:
    match = ADMIN_MODEL.match(pattern.route)
    model = apps.get_model(match["app"], match["model"])
    if any(field.name == "client" for field in model._meta.fields):
        rows = [
            (side, model.objects.filter(client=client).first())
            for side, client in world.clients.items()
        ]
    else:
        rows = [("-", model.objects.order_by("pk").first())]
    missing = [side for side, row in rows if row is None]
    assert not missing, f"seed a {model.__name__} in tests/grid/world.py for {pattern.key}"
    return rows


def _fill(pattern: Pattern, values: dict) -> str:
    if pattern.named:
        return reverse(pattern.key, kwargs=values)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), pattern.route)
    return "/" + path.replace("(?P<url>.*)$", values.get("url", ""))


def _log_model(key: str):
    app_label = key.split(":")[0]
    found = [model for model in log_models() if model._meta.app_label == app_label]
    assert found, f"{key} takes a reference but {app_label} is not a log: fill it here"
    return found[0]


def _origin_urls(key: str, path: str, world: GridWorld) -> list[Url]:
    """A create form opened from another record (?origin=<reference>), for each client."""
    follow_up = follow_up_for(_log_model(key))
    if follow_up is None:
        return []
    origin = next(model for model in log_models() if follow_up.accepts(model()))
    return [
        Url(
            f"{key}?origin",
            side,
            f"{path}?origin={world.records[(origin, side)].reference}",
            frozenset(REACHES[side]),
        )
        for side in ("a", "b")
    ]


def urls_of(pattern: Pattern, world: GridWorld) -> list[Url]:
    """The addresses of one pattern: one per client for a client's row, one per person for
    a notification, a job or an API token, one for a pattern without arguments."""
    key, route = pattern.key, pattern.route
    if "<str:reference>" in route:
        model = _log_model(key)
        return [
            Url(
                key,
                side,
                _fill(pattern, {"reference": world.records[(model, side)].reference}),
                frozenset(REACHES[side]),
            )
            for side in ("a", "b")
        ]
    if key == "audits:acknowledge":
        return [
            Url(
                key,
                side,
                _fill(pattern, {"pk": AuditFinding.objects.get(client=client).pk}),
                frozenset(REACHES[side]),
            )
            for side, client in world.clients.items()
        ]
    if key == "intake:receive":
        # Not a row of a client the caller must work for: the token decides, for anyone.
        return [
            Url(key, side, _fill(pattern, {"integration": f"grid-{side}"}))
            for side in world.clients
        ]
    if key == "notifications:read":
        return [
            Url(
                key,
                f"{role}'s",
                _fill(pattern, {"pk": Notification.objects.get(recipient=user).pk}),
                frozenset({role}),
            )
            for role, user in world.users.items()
        ]
    if key == "api_tokens:revoke":
        return [
            Url(
                key,
                f"{role}'s",
                _fill(pattern, {"pk": ApiToken.objects.get(user=user).pk}),
                frozenset({role}),
            )
            for role, user in world.users.items()
        ]
    if key.startswith("jobs:") and "<int:pk>" in route:
        return [
            Url(
                key,
                f"{role}'s",
                _fill(pattern, {"pk": Job.objects.get(requester=user).pk}),
                frozenset({role}),
            )
            for role, user in world.users.items()
        ]
    if key == "admin:view_on_site":
        model = log_models()[0]
        content_type = ContentType.objects.get_for_model(model)
        return [
            Url(
                key,
                side,
                _fill(
                    pattern,
                    {
                        "content_type_id": content_type.pk,
                        "object_id": world.records[(model, side)].pk,
                    },
                ),
            )
            for side in ("a", "b")
        ]
    if key == "admin:app_list":
        return [Url(key, "-", _fill(pattern, {"app_label": "core"}))]
    if "(?P<url>" in route:
        return [Url(key, "-", _fill(pattern, {"url": "core/no-such-page/"}))]
    if route.endswith("/history/([^/]+)/$"):  # a version in django-simple-history's admin
        return [
            Url(key, side, reverse(key, args=[row.pk, row.history.latest().history_id]))
            for side, row in _admin_rows(pattern, world)
        ]
    if "<path:object_id>" in route or "<id>" in route:
        name = "id" if "<id>" in route else "object_id"
        return [
            Url(key, side, _fill(pattern, {name: row.pk}))
            for side, row in _admin_rows(pattern, world)
        ]
    assert "<" not in route and "(?P" not in route, f"fill the arguments of {key}: {route}"
    urls = [Url(key, "-", _fill(pattern, {}))]
    if pattern.view_class is not None and hasattr(pattern.view_class, "export"):
        urls += [
            Url(f"{key}?_export={kind}", "-", f"{urls[0].path}?_export={kind}") for kind in EXPORTS
        ]
    if key.endswith(":create"):
        urls += _origin_urls(key, urls[0].path, world)
    if key == "escalations:matrix_preview":
        urls += [
            Url(
                f"{key}?client",
                side,
                f"{urls[0].path}?client={client.pk}&severity=SEV2&start=2026-01-05T09:00",
            )
            for side, client in world.clients.items()
        ]
    return urls
