"""Personal API tokens: issued by their owner, shown once, revoked by the owner or an
administrator, and looked up by the digest of the secret a request presents."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.tokens import new_secret, token_digest

from .models import ApiToken

PREFIX = "bpoa_"
HINT_LENGTH = 9  # the prefix and four characters, as intake's tokens
MAX_TOKENS_PER_USER = 20
# How stale `last_used_at` may be: a busy client writes it once a minute, not on each call.
LAST_USED_EVERY = timedelta(minutes=1)
# Far longer than any secret issued here: a longer one is not worth hashing.
LONGEST_SECRET = 200


def token_issue(
    user, *, name: str, scope: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token of `user`'s and its secret: the only time the secret can be read.

    Refused (ValidationError) when `user` already has MAX_TOKENS_PER_USER active tokens, or
    an active one of the same name (ignoring case), or when `expires_at` has passed. The
    owner's row is locked while counting, so two requests at once cannot pass the limit.
    """
    secret = new_secret(PREFIX)
    name = name.strip()
    with transaction.atomic():
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        now = timezone.now()
        active = ApiToken.objects.filter(user=user).active(now)
        if active.count() >= MAX_TOKENS_PER_USER:
            raise ValidationError(
                f"You already have {MAX_TOKENS_PER_USER} active API tokens, the most one "
                "person may have: revoke one you no longer use first."
            )
        if active.filter(name__iexact=name).exists():
            raise ValidationError(
                {
                    "name": f"You already have an active token called “{name}”: "
                    "choose another name, or revoke that one first."
                }
            )
        if expires_at is not None and expires_at <= now:
            raise ValidationError({"expires_at": "Choose a time in the future."})
        token = ApiToken(
            user=user,
            name=name,
            scope=scope,
            digest=token_digest(secret),
            hint=secret[:HINT_LENGTH],
            created_at=now,
            expires_at=expires_at,
        )
        token.full_clean()
        token.save()
    return token, secret


def token_revoke(token: ApiToken, *, actor) -> ApiToken:
    """Refuse `token` from now on. Its owner or an administrator may; revoking a revoked
    token changes nothing (the first revocation's time and actor stay)."""
    if actor.pk != token.user_id and not actor.has_perm("api.change_apitoken"):
        raise PermissionDenied("Only its owner or an administrator may revoke a token.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    token.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return token


def token_for(secret: str) -> ApiToken | None:
    """The active token whose secret this is, with its `user`; None for anything else
    (unknown, revoked or expired, or its owner's account deactivated).

    The secret itself is never compared: its digest is looked up through the unique index.
    `last_used_at` is written at most once a minute, by an update that only applies while
    it is still stale, so concurrent requests write it once.
    """
    if not secret or len(secret) > LONGEST_SECRET or not secret.startswith(PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.active(now)
        .filter(digest=token_digest(secret), user__is_active=True)
        .select_related("user")
        .first()
    )
    if token is None:
        return None
    stale = now - LAST_USED_EVERY
    if token.last_used_at is None or token.last_used_at <= stale:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
