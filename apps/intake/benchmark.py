"""The intake endpoint under a storm: alerts per second taken over HTTP, the latency of each
answer, then how long the worker takes to work them all and whether any was lost."""

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Count

from apps.core.benchmarking.report import Goal, Row, percentile
from apps.core.choices import Severity
from apps.core.models import Client, Service

from .models import AlertFormat, IntakeRequest, Integration, Outcome
from .services import integration_issue_token

SECTION = "Alert intake"
P95_ANSWER = Goal(200, "ms")
# 10,000 alerts in a minute, taken as they come.
STORM_RATE = Goal(10_000 / 60, "alerts/s", at_most=False)
ALERT_NAMES = tuple(f"Probe{number}" for number in range(10))


@dataclass
class Load:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def bench_integration() -> tuple[Integration, str]:
    """A client, a service and a new integration of their own, with a fresh token (a new
    integration each run, so that no alert of an earlier storm is still firing)."""
    client, _ = Client.objects.get_or_create(code="bench-intake", defaults={"name": "Bench intake"})
    service, _ = Service.objects.get_or_create(client=client, name="Bench CRM")
    run = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    integration = Integration.objects.create(
        slug=f"bench-intake-{run}",
        name=f"Bench intake {run}",
        client=client,
        alert_format=AlertFormat.ALERTMANAGER,
        default_severity=Severity.SEV3,
        group_by="alertname",
        rate_limit_per_minute=1_000_000,
    )
    integration.services.set([service])
    return integration, integration_issue_token(integration)


def _body(request_number: int, alerts_per_request: int) -> bytes:
    started = datetime.now(UTC).isoformat()
    alerts = [
        {
            "status": "firing",
            "labels": {
                "alertname": ALERT_NAMES[request_number % len(ALERT_NAMES)],
                "instance": f"host-{request_number}-{index}",
            },
            "annotations": {"summary": "CRM probe failing"},
            "startsAt": started,
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": f"{request_number:08x}{index:04x}",
        }
        for index in range(alerts_per_request)
    ]
    return json.dumps({"version": "4", "status": "firing", "alerts": alerts}).encode()


def storm(
    host: str, port: int, path: str, token: str, *, requests: int, clients: int, alerts: int
) -> Load:
    """`requests` posts from `clients` threads, each on one kept-alive connection."""
    load = Load()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send(numbers: range) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        for number in numbers:
            body = _body(number, alerts)
            began = time.perf_counter()
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (http.client.HTTPException, OSError):
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
                status = 0
            elapsed = time.perf_counter() - began
            with load.lock:
                load.latencies.append(elapsed)
                load.statuses[status] = load.statuses.get(status, 0) + 1
        connection.close()

    share = -(-requests // clients)
    threads = [
        threading.Thread(target=send, args=(range(start, min(start + share, requests)),))
        for start in range(0, requests, share)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load


def drained(integration: Integration, *, timeout: float) -> tuple[float, dict[str, int]]:
    """Seconds until no request of the integration is left to work, and the outcomes."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if not IntakeRequest.objects.filter(
            integration=integration, outcome=Outcome.RECEIVED
        ).exists():
            break
        time.sleep(0.5)
    outcomes = dict(
        IntakeRequest.objects.filter(integration=integration)
        .values_list("outcome")
        .annotate(rows=Count("pk"))
    )
    return time.monotonic() - began, outcomes


def rows(load: Load, alerts: int, drain_seconds: float, outcomes: dict[str, int]) -> list[Row]:
    taken = load.statuses.get(202, 0)
    sent = sum(load.statuses.values())
    milliseconds = [seconds * 1000 for seconds in load.latencies]
    other = {status: count for status, count in load.statuses.items() if status != 202}
    left = outcomes.get(Outcome.RECEIVED, 0)
    kept = sum(outcomes.values())
    return [
        Row(
            SECTION,
            f"alerts taken per second ({sent:,} requests × {alerts} alerts)",
            taken * alerts / load.seconds,
            STORM_RATE,
            note=f"{load.seconds:.1f} s" + (f"; other answers {other}" if other else ""),
        ),
        Row(SECTION, "answer, median", percentile(milliseconds, 0.5), unit="ms"),
        Row(SECTION, "answer, 95th percentile", percentile(milliseconds, 0.95), P95_ANSWER),
        Row(SECTION, "answer, slowest", max(milliseconds), unit="ms"),
        Row(
            SECTION,
            "worked by the Celery worker after the storm",
            drain_seconds,
            unit="s",
            note=f"{left:,} still waiting" if left else "all worked",
        ),
        Row(
            SECTION,
            "requests kept with an outcome",
            kept,
            Goal(sent, "rows", at_most=False),
            note=", ".join(f"{name} {count:,}" for name, count in sorted(outcomes.items())),
            unit="rows",
        ),
    ]
