"""Issuing, revoking and recognising personal API tokens (apps/api/tokens.py)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.api.models import ApiToken, Scope, TokenStatus
from apps.api.tokens import (
    HINT_LENGTH,
    LAST_USED_EVERY,
    MAX_TOKENS_PER_USER,
    PREFIX,
    token_for,
    token_issue,
    token_revoke,
)
from apps.core.tokens import token_digest

pytestmark = pytest.mark.django_db


def test_issue_stores_the_digest_and_a_hint_never_the_secret(world):
    token, secret = token_issue(world.agent, name="Grafana dashboard", scope=Scope.READ)

    stored = ApiToken.objects.get()
    assert secret.startswith(PREFIX) and len(secret) > 40
    assert stored == token and stored.user == world.agent
    assert (stored.name, stored.scope) == ("Grafana dashboard", Scope.READ)
    assert stored.digest == token_digest(secret)
    assert stored.hint == secret[:HINT_LENGTH]
    columns = ApiToken.objects.values().get()
    assert not [name for name, value in columns.items() if value == secret]
    assert secret not in str(columns)
    assert stored.last_used_at is None and stored.revoked_at is None
    assert stored.expires_at is None and stored.is_active(timezone.now())


def test_each_secret_is_new(world):
    secrets = {token_issue(world.agent, name=f"t{n}", scope=Scope.READ)[1] for n in range(5)}
    assert len(secrets) == 5


def test_an_auditor_may_hold_a_read_and_write_token(world):
    token, _ = token_issue(world.auditor, name="Script", scope=Scope.WRITE)
    assert token.can_write


def test_a_name_is_used_once_among_the_active_tokens(world):
    token, _ = token_issue(world.agent, name="Grafana", scope=Scope.READ)

    with pytest.raises(ValidationError) as refused:
        token_issue(world.agent, name="  grafana ", scope=Scope.WRITE)
    assert "name" in refused.value.message_dict

    token_issue(world.lead, name="Grafana", scope=Scope.READ)  # someone else's: fine
    token_revoke(token, actor=world.agent)
    token_issue(world.agent, name="Grafana", scope=Scope.READ)  # the old one is revoked
    assert ApiToken.objects.filter(user=world.agent, name="Grafana").count() == 2


def test_an_expired_token_frees_its_name(world):
    old, _ = token_issue(world.agent, name="Cron", scope=Scope.READ)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    token_issue(world.agent, name="Cron", scope=Scope.READ)


def test_an_unknown_scope_or_a_past_expiry_is_refused(world):
    with pytest.raises(ValidationError):
        token_issue(world.agent, name="x", scope="admin")
    with pytest.raises(ValidationError):
        token_issue(
            world.agent, name="y", scope=Scope.READ, expires_at=timezone.now() - timedelta(1)
        )
    assert not ApiToken.objects.exists()


def test_more_than_the_limit_of_active_tokens_is_refused(world):
    tokens = [
        token_issue(world.agent, name=f"Token {n}", scope=Scope.READ)[0]
        for n in range(MAX_TOKENS_PER_USER)
    ]

    with pytest.raises(ValidationError) as refused:
        token_issue(world.agent, name="One more", scope=Scope.READ)
    assert str(MAX_TOKENS_PER_USER) in refused.value.messages[0]
    token_issue(world.lead, name="One more", scope=Scope.READ)  # a limit per person

    token_revoke(tokens[0], actor=world.agent)
    token_issue(world.agent, name="One more", scope=Scope.READ)
    assert ApiToken.objects.filter(user=world.agent).count() == MAX_TOKENS_PER_USER + 1


def test_revoke_once_keeps_the_first_time_and_actor(world):
    token, secret = token_issue(world.agent, name="Grafana", scope=Scope.READ)

    first = token_revoke(token, actor=world.agent).revoked_at
    again = token_revoke(ApiToken.objects.get(), actor=world.admin)

    assert first is not None
    assert again.revoked_at == first and again.revoked_by == world.agent
    assert token.status(timezone.now()) == TokenStatus.REVOKED
    assert token_for(secret) is None


def test_only_the_owner_or_an_administrator_may_revoke(world):
    token, _ = token_issue(world.agent, name="Grafana", scope=Scope.READ)

    with pytest.raises(PermissionDenied):
        token_revoke(token, actor=world.lead)
    assert ApiToken.objects.get().revoked_at is None

    token_revoke(token, actor=world.admin)
    assert ApiToken.objects.get().revoked_by == world.admin


def test_token_for_finds_the_active_token_with_its_user(world):
    token, secret = token_issue(world.agent, name="Grafana", scope=Scope.WRITE)

    with CaptureQueriesContext(connection) as queries:
        found = token_for(secret)
        assert found.user.username == "agent"

    assert found == token
    assert len(queries) == 2  # the lookup with its user, and the first use recorded
    assert found.last_used_at is not None


@pytest.mark.parametrize(
    "presented",
    ["", "bpoa_", "bpoa_nothing-like-it", "Bearer x", "x" * 10_000],
)
def test_token_for_knows_no_other_secret(world, presented):
    token_issue(world.agent, name="Grafana", scope=Scope.READ)
    assert token_for(presented) is None


def test_token_for_refuses_a_digest_or_hint_presented_as_the_secret(world):
    token, secret = token_issue(world.agent, name="Grafana", scope=Scope.READ)
    assert token_for(token.digest) is None
    assert token_for(token.hint) is None
    assert token_for(secret + "x") is None
    assert token_for(secret[:-1]) is None


def test_token_for_refuses_an_expired_token(world):
    token, secret = token_issue(
        world.agent, name="Grafana", scope=Scope.READ, expires_at=timezone.now() + timedelta(1)
    )
    assert token_for(secret) is not None

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())

    assert token_for(secret) is None
    assert ApiToken.objects.get().status(timezone.now()) == TokenStatus.EXPIRED


def test_token_for_refuses_the_token_of_a_deactivated_account(world):
    _, secret = token_issue(world.agent, name="Grafana", scope=Scope.READ)
    world.agent.is_active = False
    world.agent.save()

    assert token_for(secret) is None


def test_last_use_is_written_at_most_once_a_minute(world):
    token, secret = token_issue(world.agent, name="Grafana", scope=Scope.READ)
    token_for(secret)
    first = ApiToken.objects.get().last_used_at

    with CaptureQueriesContext(connection) as queries:
        token_for(secret)
    assert len(queries) == 1  # the lookup alone
    assert ApiToken.objects.get().last_used_at == first

    earlier = timezone.now() - LAST_USED_EVERY - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    assert token_for(secret).last_used_at > earlier
    assert ApiToken.objects.get().last_used_at > earlier


def test_the_last_use_is_written_by_an_update_that_applies_only_while_stale(world):
    """Two requests that both read a stale time: the second one's update finds it fresh."""
    token, secret = token_issue(world.agent, name="Grafana", scope=Scope.READ)

    with CaptureQueriesContext(connection) as queries:
        token_for(secret)

    update = next(query["sql"] for query in queries if query["sql"].startswith("UPDATE"))
    assert "last_used_at" in update.split("WHERE", 1)[1]
