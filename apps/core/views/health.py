"""/healthz: the state of the database and the broker, for load balancers and monitoring."""

import time

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


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "broker": _check_broker()}
    checks["escalation_sweep"] = _check_sweep() if checks["database"]["ok"] else {"ok": False}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503
    )
