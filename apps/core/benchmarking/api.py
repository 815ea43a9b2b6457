"""The REST API's lists over HTTP, with a personal token of the reader's."""

from django.contrib.auth import get_user_model

from .http import PortalClient

API_LISTS = {
    "interruptions": "/api/interruptions/",
    "calls": "/api/calls/",
    "escalations": "/api/escalations/",
    "failures": "/api/failures/",
    "recovery": "/api/recovery/",
}
TOKEN_NAME = "Benchmark"


class TokenClient(PortalClient):
    """A program calling the API: no cookies, the token on every request."""

    def __init__(self, host: str, port: int, secret: str):
        super().__init__(host, port)
        self.authorization = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, headers: dict | None = None):
        return super().get(path, self.authorization | (headers or {}))


def reader_secret(username: str) -> str:
    """A new read-only token of `username`'s (earlier benchmark tokens are revoked)."""
    from apps.api.models import ApiToken, Scope
    from apps.api.tokens import token_issue, token_revoke

    user = get_user_model().objects.get(username=username)
    for token in ApiToken.objects.filter(user=user, name=TOKEN_NAME, revoked_at__isnull=True):
        token_revoke(token, actor=user)
    return token_issue(user, name=TOKEN_NAME, scope=Scope.READ)[1]
