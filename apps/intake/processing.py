"""Working stored intake requests: alerts open, join, repeat in and end interruptions.

Interruptions are written through the interruption services, as the form writes them:
reference, due times, history, timeline, the SEV1/SEV2 alert to the client's leads. The
requests of one integration are worked one at a time, oldest first, under a lock on the
integration's row, so an alert's "resolved" is never read before its "firing" and two
workers never open two interruptions for one group.
"""

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.choices import Status, TimelineKind
from apps.core.exceptions import StaleRecordError, TransitionError
from apps.core.services.records import record_change_status
from apps.core.services.timeline import timeline_log
from apps.interruptions.models import Interruption
from apps.interruptions.services import interruption_create, interruption_update

from .formats import Alert, FormatRefused, read_alerts
from .models import AlertGroup, IntakeRequest, Integration, Outcome
from .receiving import queue_processing

# Requests one task works before handing the rest to the next one (a bounded task).
BATCH = 200


class Effect(StrEnum):
    OPENED = "opened"
    JOINED = "joined"
    REPEATED = "repeated"
    PARTLY_RESOLVED = "partly_resolved"
    RESOLVED = "resolved"
    IGNORED = "ignored"


CHANGING = frozenset({Effect.OPENED, Effect.JOINED, Effect.PARTLY_RESOLVED, Effect.RESOLVED})


@dataclass(frozen=True)
class Applied:
    effect: Effect
    reference: str = ""


def group_key(integration: Integration, alert: Alert) -> str:
    """The text naming the alert's group: its grouping labels' values, or its fingerprint."""
    labels = integration.grouping_labels
    if not labels:
        return f"fingerprint={alert.fingerprint}"
    return ",".join(f"{name}={alert.labels.get(name, '')}" for name in labels)


def _severity(integration: Integration, alert: Alert) -> str:
    source = alert.labels.get(integration.severity_label, "")
    mapping = {str(key).lower(): value for key, value in integration.severity_map.items()}
    return mapping.get(source.lower(), integration.default_severity)


def _services(integration: Integration, alert: Alert) -> list:
    watched = list(integration.services.filter(client_id=integration.client_id))
    named = alert.labels.get(integration.service_label, "").strip().lower()
    chosen = [service for service in watched if named and service.name.lower() == named]
    return chosen or watched


def _description(integration: Integration, alert: Alert) -> str:
    lines = [alert.description] if alert.description else []
    if alert.labels:
        lines.append(
            "Labels: " + ", ".join(f"{key}={value}" for key, value in sorted(alert.labels.items()))
        )
    if alert.link:
        lines.append(f"Source: {alert.link}")
    lines.append(f"Reported by {integration.name} (alert {alert.fingerprint}).")
    return "\n".join(lines)


def _log(interruption: Interruption, message: str, integration: Integration, **data) -> None:
    timeline_log(
        interruption,
        kind=TimelineKind.INTAKE,
        message=message,
        data={"integration": integration.slug, **data},
    )


def _open(integration: Integration, alert: Alert, key_text: str, key: str, received_at) -> Applied:
    now = timezone.now()
    interruption = interruption_create(
        actor=None,
        values={
            "client": integration.client,
            "kind": integration.default_kind,
            "title": alert.title[:200],
            "description": _description(integration, alert),
            "severity": _severity(integration, alert),
            "occurred_at": min(alert.starts_at or received_at, now),
        },
        affected_services=_services(integration, alert),
    )
    AlertGroup.objects.create(
        integration=integration,
        key=key,
        key_text=key_text[:500],
        interruption=interruption,
        firing=[alert.fingerprint],
    )
    _log(
        interruption,
        f"Opened by {integration.name}: {alert.title}.",
        integration,
        fingerprint=alert.fingerprint,
        group=key_text,
    )
    return Applied(Effect.OPENED, interruption.reference)


def _end(integration: Integration, group: AlertGroup, alert: Alert) -> Applied:
    """The group's last alert resolved: the interruption ends; resolved only if the
    integration says so, else it waits for a lead's root cause and resolution."""
    stored = Interruption.objects.select_for_update().get(pk=group.interruption_id)
    now = timezone.now()
    ended = min(max(alert.ends_at or now, stored.occurred_at), now)
    interruption = interruption_update(
        stored, actor=None, changes={"ended_at": ended}, expected_version=stored.version
    )
    if integration.auto_resolve:
        after = "resolved automatically, as the integration is set to."
    else:
        after = "a lead resolves it once the root cause and resolution are written."
    _log(
        interruption,
        f"Resolved at the source ({integration.name}): {alert.title}; {after}",
        integration,
        fingerprint=alert.fingerprint,
        ended_at=ended.isoformat(),
    )
    if integration.auto_resolve:
        if interruption.status == Status.NEW:
            interruption = record_change_status(interruption, target=Status.IN_PROGRESS, actor=None)
        interruption = record_change_status(
            interruption, target=Status.RESOLVED, actor=None, reason="Resolved at the source."
        )
        group.is_open = False
    group.save(update_fields=["firing", "is_open"])
    return Applied(Effect.RESOLVED, interruption.reference)


def _fire_again(integration: Integration, group: AlertGroup, alert: Alert) -> Applied:
    interruption = group.interruption
    if alert.fingerprint in group.firing:
        _log(
            interruption,
            f"Fired again ({integration.name}): {alert.title}.",
            integration,
            fingerprint=alert.fingerprint,
        )
        return Applied(Effect.REPEATED, interruption.reference)
    group.firing = [*group.firing, alert.fingerprint]
    group.save(update_fields=["firing"])
    if interruption.ended_at is not None:
        # It had ended at the source and fires again before anyone resolved it.
        stored = Interruption.objects.select_for_update().get(pk=interruption.pk)
        interruption = interruption_update(
            stored, actor=None, changes={"ended_at": None}, expected_version=stored.version
        )
    _log(
        interruption,
        f"Alert joined ({integration.name}): {alert.title}; {len(group.firing)} firing.",
        integration,
        fingerprint=alert.fingerprint,
    )
    return Applied(Effect.JOINED, interruption.reference)


def _resolve_one(integration: Integration, group: AlertGroup | None, alert: Alert) -> Applied:
    if group is None or alert.fingerprint not in group.firing:
        return Applied(Effect.IGNORED, group.interruption.reference if group else "")
    group.firing = [fingerprint for fingerprint in group.firing if fingerprint != alert.fingerprint]
    if not group.firing:
        return _end(integration, group, alert)
    group.save(update_fields=["firing"])
    _log(
        group.interruption,
        f"Alert resolved ({integration.name}): {alert.title}; {len(group.firing)} still firing.",
        integration,
        fingerprint=alert.fingerprint,
    )
    return Applied(Effect.PARTLY_RESOLVED, group.interruption.reference)


def _open_group(integration: Integration, key: str) -> AlertGroup | None:
    """The key's group, if its interruption is still open (one that left the open statuses
    closes its group: the next firing opens a new interruption)."""
    group = (
        AlertGroup.objects.select_related("interruption")
        .filter(integration=integration, key=key, is_open=True)
        .first()
    )
    if group is not None and group.interruption.status not in Status.open_values():
        group.is_open = False
        group.save(update_fields=["is_open"])
        return None
    return group


def apply_alert(integration: Integration, alert: Alert, *, received_at) -> Applied:
    """What one alert does to the interruptions of its integration (an alert without a
    start started when it was received)."""
    key_text = group_key(integration, alert)
    key = hashlib.sha256(key_text.encode()).hexdigest()
    group = _open_group(integration, key)
    if not alert.firing:
        return _resolve_one(integration, group, alert)
    if group is None:
        return _open(integration, alert, key_text, key, received_at)
    return _fire_again(integration, group, alert)


def _outcome(applied: list[Applied]) -> str:
    effects = {item.effect for item in applied}
    if effects & CHANGING:
        return Outcome.ACCEPTED
    if Effect.REPEATED in effects:
        return Outcome.DEDUPLICATED
    return Outcome.IGNORED


def _work(integration: Integration, request: IntakeRequest) -> None:
    changes = {"processed_at": timezone.now()}
    try:
        with transaction.atomic():
            applied = [
                apply_alert(integration, alert, received_at=request.received_at)
                for alert in read_alerts(integration.alert_format, request.payload)
            ]
    except (ValidationError, TransitionError, StaleRecordError, FormatRefused) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        changes |= {"outcome": Outcome.FAILED, "reason": message[:500]}
    else:
        references = list(dict.fromkeys(item.reference for item in applied if item.reference))
        summary = ", ".join(
            f"{effect}: {count}"
            for effect in Effect
            if (count := sum(1 for item in applied if item.effect == effect))
        )
        changes |= {"outcome": _outcome(applied), "references": references, "reason": summary}
    IntakeRequest.objects.filter(pk=request.pk, outcome=Outcome.RECEIVED).update(**changes)


def intake_process_pending(integration_id: int, *, limit: int = BATCH) -> int:
    """Work the integration's stored requests, oldest first; how many were worked.

    Safe to run twice or at once: each request is worked under the integration's row lock
    and only while still "received". Past `limit`, the rest is queued to a next run.
    """
    worked = 0
    while worked < limit:
        with transaction.atomic():
            # NO KEY UPDATE: requests being stored meanwhile take KEY SHARE on this row (their
            # foreign key), which it does not block; a FOR UPDATE here deadlocked with them.
            integration = (
                Integration.objects.select_for_update(no_key=True)
                .select_related("client")
                .filter(pk=integration_id)
                .first()
            )
            if integration is None:
                return worked
            request = (
                IntakeRequest.objects.filter(integration=integration, outcome=Outcome.RECEIVED)
                .order_by("pk")
                .first()
            )
            if request is None:
                return worked
            _work(integration, request)
        worked += 1
    queue_processing(integration_id)
    return worked
