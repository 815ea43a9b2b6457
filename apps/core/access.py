"""What each user may reach, remembered across requests: permissions, role names, client ids
and the choices the list filters offer.

Every list page needs these, and they change only when the organisation does (people, teams,
clients, roles, code lists). They are kept in the "access" cache under one version that any
change to those models replaces (see `watch_organisation`), at once and again when the change
commits, so no request reads a value computed before the change. A cache shared by every
process (Redis) is what makes this hold across processes: without one, the cache is off.
"""

import time
from collections.abc import Callable
from typing import TypeVar
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

CACHE_ALIAS = "access"
VERSION_KEY = "organisation-version"
# A safety net for changes made behind the ORM's back (raw SQL): nothing is kept longer.
TIMEOUT_SECONDS = 10 * 60
_USER_VERSION_ATTRIBUTE = "_organisation_version"
_READ_HERE_LIMIT = 4096
_read_here: dict[str, tuple[object, float]] = {}


def _cache():
    return caches[CACHE_ALIAS]


def _database() -> str:
    # Two portals (or two test databases) may share one cache: their ids mean different rows.
    return str(connection.settings_dict["NAME"])


def organisation_version() -> str:
    cache = _cache()
    key = f"{_database()}:{VERSION_KEY}"
    version = cache.get(key)
    if version is None:
        # A new random version, never one that older entries could have been stored under.
        cache.add(key, uuid4().hex, timeout=None)
        version = cache.get(key) or uuid4().hex
    return version


def forget_organisation(**kwargs) -> None:
    """Replace the version: every remembered value is computed again on its next read."""
    _cache().set(f"{_database()}:{VERSION_KEY}", uuid4().hex, timeout=None)


def version_for(user) -> str:
    """The organisation's version, read once per user object (one request)."""
    version = getattr(user, _USER_VERSION_ATTRIBUTE, None)
    if version is None:
        version = organisation_version()
        setattr(user, _USER_VERSION_ATTRIBUTE, version)
    return version


def forget_version(user) -> None:
    """Read the organisation's version again for this user object (its access changed)."""
    if hasattr(user, _USER_VERSION_ATTRIBUTE):
        delattr(user, _USER_VERSION_ATTRIBUTE)


def remembered(name: str, compute: Callable[[], T], *, user=None) -> T:
    """`compute()`, or the value it gave for `name` since the organisation last changed.

    With `user`, the version is read once for that user object (one request).
    """
    cache = _cache()
    if isinstance(cache, DummyCache):
        return compute()
    version = organisation_version() if user is None else version_for(user)
    key = f"{_database()}:{version}:{name}"
    # A value never changes under its version, so this process keeps the ones it has read
    # (for as long as the shared cache would): a request asks that cache for the version.
    now = time.monotonic()
    kept = _read_here.get(key)
    if kept is not None and kept[1] > now:
        return kept[0]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=TIMEOUT_SECONDS)
    if len(_read_here) >= _READ_HERE_LIMIT:
        _read_here.clear()
    _read_here[key] = (value, now + TIMEOUT_SECONDS)
    return value


def _all_permissions(user) -> set[str]:
    if user.is_superuser:
        permissions = Permission.objects.all()
    else:
        # The user's own permissions and their groups' in one query.
        permissions = Permission.objects.filter(Q(user=user) | Q(group__user=user)).distinct()
    return {
        f"{app_label}.{codename}"
        for app_label, codename in permissions.values_list("content_type__app_label", "codename")
    }


def permissions_of(user) -> set[str]:
    """Every permission of an active user, "app_label.codename", as ModelBackend gives them."""
    return set(remembered(f"permissions:{user.pk}", lambda: _all_permissions(user), user=user))


def role_names(user) -> list[str]:
    """The names of the user's groups (their roles), sorted as the database sorts them."""
    return remembered(
        f"roles:{user.pk}",
        lambda: list(user.groups.order_by("name").values_list("name", flat=True)),
        user=user,
    )


def _changed_fields_matter(sender, update_fields=None, **kwargs) -> bool:
    # Logging in stamps last_login on every sign-in; that changes nobody's access.
    signing_in = update_fields is not None and set(update_fields) <= {"last_login"}
    return not (sender is get_user_model() and signing_in)


def _on_change(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if not _changed_fields_matter(sender, **kwargs):
        return
    forget_organisation()
    # Again after commit: a request between the change and its commit reads the old rows,
    # and would remember them under the version replaced above.
    transaction.on_commit(forget_organisation)


def _on_relation_change(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        forget_organisation()
        transaction.on_commit(forget_organisation)


def watch_organisation() -> None:
    """Connect the signals that replace the version when who-may-reach-what can change."""
    from .models import Client, ClientAssignment, CodeListEntry, Service, Team, TeamMembership

    user_model = get_user_model()
    for model in (
        user_model,
        Group,
        Permission,
        Client,
        Team,
        TeamMembership,
        ClientAssignment,
        Service,
        CodeListEntry,
    ):
        uid = f"access-{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}-delete")
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
        Team.clients.through,
        Team.members.through,
    ):
        m2m_changed.connect(
            _on_relation_change, sender=through, dispatch_uid=f"access-{through._meta.label_lower}"
        )
