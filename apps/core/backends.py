"""The authentication backend: Django's model backend, with permissions read from the access
cache (one query when they are not there, not two)."""

from django.contrib.auth.backends import ModelBackend

from .access import permissions_of


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = permissions_of(user_obj)
        return user_obj._perm_cache
