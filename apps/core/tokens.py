"""Bearer tokens: high-entropy secrets of which only a SHA-256 digest is stored."""

import hashlib
import hmac
import secrets


def new_secret(prefix: str) -> str:
    """A new secret: `prefix` (which says what it opens) and 32 random bytes, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(presented: str, digest: str) -> bool:
    """Constant-time comparison of a presented token with the stored digest."""
    if not presented or not digest:
        return False
    return hmac.compare_digest(token_digest(presented), digest)


def bearer_token(authorization: str) -> str:
    """The token of an `Authorization: Bearer <token>` header, or ""."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return value.strip()
