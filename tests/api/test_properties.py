"""For any tokens issued to anyone, revoked or not: a secret opens exactly its own token,
while that token is active, and nothing else a request could present opens any."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.api.models import Scope
from apps.api.tokens import token_for, token_issue, token_revoke

pytestmark = pytest.mark.django_db

OWNERS = ("agent", "lead", "auditor", "admin")
issued = st.lists(
    st.tuples(st.sampled_from(OWNERS), st.sampled_from(Scope.values), st.booleans()),
    min_size=1,
    max_size=6,
)
# What a request might present instead: a typo, a cut or a longer copy of a real secret.
garbled = st.sampled_from(["swap", "cut", "extend", "upper"])


def _garble(secret: str, how: str, at: int) -> str:
    place = len("bpoa_") + at % (len(secret) - len("bpoa_"))
    if how == "swap":
        changed = "B" if secret[place] != "B" else "C"
        return secret[:place] + changed + secret[place + 1 :]
    if how == "cut":
        return secret[:place]
    if how == "extend":
        return secret + secret[place]
    return secret.upper() if secret.upper() != secret else secret.lower()


@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tokens=issued, how=garbled, at=st.integers(min_value=0, max_value=100))
def test_a_secret_opens_exactly_its_own_active_token(world, tokens, how, at):
    with transaction.atomic():
        made = []
        for n, (owner, scope, revoked) in enumerate(tokens):
            user = getattr(world, owner)
            token, secret = token_issue(user, name=f"Token {n}", scope=scope)
            if revoked:
                token_revoke(token, actor=user)
            made.append((token, secret, revoked))

        for token, secret, revoked in made:
            found = token_for(secret)
            if revoked:
                assert found is None
            else:
                assert found == token and found.user == token.user
                assert found.scope == token.scope
            assert token_for(_garble(secret, how, at)) is None
        transaction.set_rollback(True)
