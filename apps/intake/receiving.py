"""The intake endpoint's work: refuse what must be refused, store the rest, answer fast.

Everything is recorded as an `IntakeRequest`. A request taken (202) is stored with its body
and the outbox message that will have it worked, in one transaction: once answered, it is
not lost, whether or not the broker is up. Nothing else is done before the answer.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.core.queueing import enqueue_on_commit

from .formats import FormatRefused, decode, read_alerts
from .models import IntakeRequest, Integration, Outcome
from .tokens import token_matches

MAX_BODY_BYTES = 1024 * 1024
RATE_WINDOW = timedelta(minutes=1)
PROCESS_TASK = "apps.intake.tasks.process_intake"
TAKEN = 202
# A request still "received" this long after it came is queued again by the sweep.
SWEEP_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)


def queue_processing(integration_id: int, *, unless_waiting: bool = False) -> None:
    """Have the integration's waiting requests worked after the current transaction.

    With `unless_waiting`, nothing is queued while a message for the integration waits
    unclaimed in the outbox: the run it starts reads every request stored until then, so a
    storm queues a handful of runs, not one per request. (The intake sweep works a request
    that a run started a moment too early missed.)
    """
    if unless_waiting and (
        OutboxMessage.objects.claimable(timezone.now())
        .filter(task_name=PROCESS_TASK, args=[integration_id], claimed_until__isnull=True)
        .exists()
    ):
        return
    enqueue_on_commit(current_app.signature(PROCESS_TASK), integration_id)


def intake_sweep(*, older_than: timedelta = SWEEP_AFTER) -> list[int]:
    """Queue a run for each integration with a request stored before `older_than` ago and
    still not worked; the integrations' ids."""
    cutoff = timezone.now() - older_than
    waiting = list(
        IntakeRequest.objects.filter(outcome=Outcome.RECEIVED, received_at__lt=cutoff)
        .order_by()
        .values_list("integration_id", flat=True)
        .distinct()
    )
    for integration_id in waiting:
        queue_processing(integration_id, unless_waiting=True)
    return waiting


def _refuse(
    integration: Integration,
    status: int,
    reason: str,
    remote_addr: str | None,
    headers: dict | None = None,
) -> Answer:
    request = IntakeRequest.objects.create(
        integration=integration,
        client_id=integration.client_id,
        outcome=Outcome.REFUSED,
        status_code=status,
        reason=reason[:500],
        remote_addr=remote_addr,
        processed_at=timezone.now(),
    )
    return Answer(
        status, {"status": "refused", "reason": reason, "request": request.pk}, headers or {}
    )


def _over_rate(integration: Integration, now) -> bool:
    limit = integration.rate_limit_per_minute
    recent = IntakeRequest.objects.filter(
        integration=integration, received_at__gt=now - RATE_WINDOW, status_code=TAKEN
    )
    # Counts at most `limit` rows: a storm costs each request the same bounded query.
    return recent.values("pk")[:limit].count() >= limit


def intake_receive(
    integration: Integration,
    *,
    token: str,
    content_length: int | None,
    read_body: Callable[[], bytes],
    remote_addr: str | None,
) -> Answer:
    """Check, record and (when taken) queue one request to `integration`'s address.

    Refusals, in this order: 401 (wrong or revoked token), 413 (body over 1 MB), 429 (over
    the integration's rate), 400 (not its format, with the reason).
    """
    if not integration.accepts_tokens or not token_matches(token, integration.token_hash):
        reason = "revoked token" if integration.revoked_at else "wrong or missing token"
        return _refuse(integration, 401, reason, remote_addr, {"WWW-Authenticate": "Bearer"})
    if content_length is not None and content_length > MAX_BODY_BYTES:
        return _refuse(integration, 413, f"body over {MAX_BODY_BYTES} bytes", remote_addr)
    body = read_body()
    if len(body) > MAX_BODY_BYTES:
        return _refuse(integration, 413, f"body over {MAX_BODY_BYTES} bytes", remote_addr)
    now = timezone.now()
    if _over_rate(integration, now):
        reason = f"over {integration.rate_limit_per_minute} requests per minute"
        return _refuse(integration, 429, reason, remote_addr, {"Retry-After": "60"})
    try:
        payload = decode(body)
        alerts = read_alerts(integration.alert_format, payload)
    except FormatRefused as error:
        label = integration.get_alert_format_display()
        return _refuse(integration, 400, f"not {label}: {error}", remote_addr)
    with transaction.atomic():
        request = IntakeRequest.objects.create(
            integration=integration,
            client_id=integration.client_id,
            received_at=now,
            outcome=Outcome.RECEIVED,
            status_code=TAKEN,
            payload=payload,
            alert_count=len(alerts),
            remote_addr=remote_addr,
        )
        queue_processing(integration.pk, unless_waiting=True)
    return Answer(TAKEN, {"status": "received", "request": request.pk, "alerts": len(alerts)})
