"""One signed POST to a receiver, with a short timeout, redirects not followed."""

import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from .signing import (
    EVENT_HEADER,
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)

_pool = urllib3.PoolManager(retries=False, headers={"User-Agent": "bpo-portal-webhooks/1"})


@dataclass(frozen=True)
class Answer:
    """What came back: the status (None when nothing did), time taken, what went wrong."""

    status: int | None
    response_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def post_event(url: str, secret: str, payload: dict, *, timestamp: int) -> Answer:
    """POST `payload` to `url`, signed; never raises for what the receiver does."""
    if urlsplit(url).scheme not in ("http", "https"):
        return Answer(None, 0, "Refused: only http and https addresses are called.")
    body = body_of(payload)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_ID_HEADER: payload["id"],
        EVENT_HEADER: payload["event"],
    }
    seconds = settings.WEBHOOK_TIMEOUT_SECONDS
    started = time.monotonic()
    try:
        response = _pool.request(
            "POST",
            url,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=seconds, read=seconds),
            redirect=False,
            preload_content=False,
        )
        # Only the status matters: the body is not read (a receiver cannot keep the worker
        # reading), and the connection is closed rather than pooled half-read.
        response.close()
    except urllib3.exceptions.HTTPError as error:
        elapsed = int((time.monotonic() - started) * 1000)
        return Answer(None, elapsed, f"{error.__class__.__name__}: {error}"[:500])
    elapsed = int((time.monotonic() - started) * 1000)
    answer = Answer(response.status, elapsed)
    return answer if answer.ok else Answer(response.status, elapsed, f"HTTP {response.status}")
