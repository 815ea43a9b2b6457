"""Personal API tokens: each acts for its owner, with the owner's role and clients, no more."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class Scope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class TokenStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now: datetime) -> "ApiTokenQuerySet":
        """Tokens neither revoked nor expired at `now` (whatever their owner's account)."""
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A secret its owner gives a program (a dashboard, a script) to call the API as them.

    Only the SHA-256 digest of the secret is stored; `hint` is its first characters, enough
    to tell one's tokens apart.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What it is for, e.g. “Grafana dashboard”.")
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text="The token's first characters."
    )
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=Scope.values), name="api_token_scope"),
        ]
        indexes = [
            # The owner's page: their tokens, newest first; and the count of their active ones.
            models.Index(fields=["user", "-created_at", "-id"], name="api_token_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def is_active(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`; the owner's account is checked on use."""
        return self.status(now) == TokenStatus.ACTIVE

    def status(self, now: datetime) -> TokenStatus:
        if self.revoked_at is not None:
            return TokenStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return TokenStatus.EXPIRED
        return TokenStatus.ACTIVE

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE
