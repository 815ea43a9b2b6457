"""Integration tokens: issued, rotated and revoked by administrators; shown once."""

from django.db import transaction
from django.utils import timezone

from .models import Integration
from .tokens import HINT_LENGTH, new_token, token_digest


def integration_issue_token(integration: Integration) -> str:
    """Give the integration a new token and return it: the only time it can be read.

    The previous token, if any, stops working at once; a revoked integration is taken back
    into service.
    """
    token = new_token()
    with transaction.atomic():
        Integration.objects.filter(pk=integration.pk).update(
            token_hash=token_digest(token),
            token_hint=token[:HINT_LENGTH],
            token_issued_at=timezone.now(),
            revoked_at=None,
        )
    integration.refresh_from_db(
        fields=["token_hash", "token_hint", "token_issued_at", "revoked_at"]
    )
    return token


def integration_revoke_token(integration: Integration) -> bool:
    """Refuse the integration's token from now on; False if it was already revoked."""
    revoked = (
        Integration.objects.filter(pk=integration.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        == 1
    )
    integration.refresh_from_db(fields=["revoked_at"])
    return revoked
