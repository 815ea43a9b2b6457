"""Reads of API tokens: always one person's own."""

from django.db.models import QuerySet

from .models import ApiToken


def tokens_of(user) -> QuerySet:
    """`user`'s tokens, newest first; nobody reads anyone else's here."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
