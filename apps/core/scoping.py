"""Client scoping: the one rule deciding which clients' records a user may reach."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from .access import forget_version, remembered

_CACHE_ATTRIBUTE = "_accessible_client_ids"


def sees_every_client(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def accessible_client_ids(user: User | AnonymousUser) -> frozenset[int]:
    """Ids of the clients whose records `user` may reach: through a team or an assignment.

    Kept on the user object, so a request asks once however many lists, counts and exports
    it builds, and in the access cache until the organisation changes (see access.py).
    """
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = remembered(f"clients:{user.pk}", lambda: _client_ids(user), user=user)
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def _client_ids(user: User) -> frozenset[int]:
    from .models import Client

    if user.is_superuser:
        return frozenset(Client.objects.values_list("pk", flat=True))
    return frozenset(
        Client.objects.filter(
            Q(teams__memberships__user=user) | Q(assignments__user=user)
        ).values_list("pk", flat=True)
    )


def forget_accessible_clients(user: User) -> None:
    """Drop the cached ids, after memberships of a live user object changed."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)
    forget_version(user)


def scope_to_user(queryset, user, client_field: str = "client"):
    """Filter any queryset by its client foreign key to what `user` may reach."""
    if sees_every_client(user):
        return queryset
    return queryset.filter(**{f"{client_field}_id__in": accessible_client_ids(user)})
