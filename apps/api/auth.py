"""Personal API tokens: a request acts as the token's owner, with their role and clients."""

from django.core.exceptions import PermissionDenied
from ninja.security import HttpBearer

from apps.core.views.listing import model_permission

from .models import Scope
from .problems import Problem
from .tokens import token_for

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    openapi_description = "A personal API token, created on your API tokens page."

    def authenticate(self, request, token: str):
        found = token_for(token)
        if found is None:
            return None
        request.user = found.user
        request.auth = found
        if request.method not in SAFE_METHODS:
            require_write(request)  # before the body is read: a read-only token writes nothing
        return found


def token_label(token) -> str:
    """How the history names a write made with `token`."""
    return f'API (token "{token.name}")'


def require_write(request) -> None:
    """Writes need a read-and-write token; the owner's permissions are checked apart."""

    if request.auth.scope != Scope.WRITE:
        raise Problem(
            403, "Read-only token", "This token may read, not change. Use a read-and-write token."
        )


def require_permission(request, model, action: str) -> None:
    if not request.user.has_perm(model_permission(model, action)):
        raise PermissionDenied(f"Your role may not {action} {model._meta.verbose_name_plural}.")
