"""/healthz: the state of the database and the broker, for load balancers and monitoring.

Anyone may ask whether the portal is up (the status code and {"status": "ok"|"down"}); the
details (latencies, broker transport, exception classes) go only to staff users and to callers
that send the `X-Healthz-Token` header with the value of settings.HEALTHZ_TOKEN."""

import hmac
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..runs import engine_state

BROKER_TIMEOUT_SECONDS = 2


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _check_broker() -> dict:
    from config.celery import app

    started = time.monotonic()
    try:
        with app.connection_for_write() as broker:
            # No retry: kombu waits 2 s before one, and the load balancer probes again anyway.
            broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
            broker.default_channel  # noqa: B018 - opens a channel: the broker answered
    except Exception as error:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "error": error.__class__.__name__}
    return {
        "ok": True,
        "transport": app.conf.broker_url.split(":", 1)[0],
        "ms": round((time.monotonic() - started) * 1000, 1),
    }


def _check_sweep() -> dict:
    try:
        return engine_state()
    except Exception as error:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "error": error.__class__.__name__}


def _shows_details(request) -> bool:
    token = settings.HEALTHZ_TOKEN
    sent = request.headers.get("X-Healthz-Token", "")
    if token and sent and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    try:
        return request.user.is_active and request.user.is_staff
    except Exception:  # noqa: BLE001 - the session lives in the database, which may be down
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "broker": _check_broker()}
    checks["escalation_sweep"] = _check_sweep() if checks["database"]["ok"] else {"ok": False}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "down"}
    if _shows_details(request):
        body.update(checks)
    return JsonResponse(body, status=200 if healthy else 503)
