"""Integration tokens: `bpoi_` secrets, of which only a SHA-256 digest is stored."""

from apps.core.tokens import bearer_token, new_secret, token_digest, token_matches

__all__ = ["HINT_LENGTH", "PREFIX", "bearer_token", "new_token", "token_digest", "token_matches"]

PREFIX = "bpoi_"
HINT_LENGTH = 9  # the prefix and four characters: enough to tell tokens apart in the admin


def new_token() -> str:
    return new_secret(PREFIX)
