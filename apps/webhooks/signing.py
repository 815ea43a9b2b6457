"""Signing a webhook: an HMAC-SHA256 of "<timestamp>.<body>" under the subscription's secret.

The receiver recomputes it from the raw body and the timestamp header, compares in constant
time, and refuses timestamps far from its own clock (a replayed request).
"""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
EVENT_ID_HEADER = "X-Portal-Event-Id"
EVENT_HEADER = "X-Portal-Event"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: `sha256=<hex digest>`."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_is_valid(
    secret: str, timestamp: str, body: bytes, header: str, *, now: int, tolerance: int = 300
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent, body), header or "")
