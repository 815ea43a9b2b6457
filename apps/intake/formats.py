"""The alert formats an integration takes, read into one shape.

- Alertmanager: the webhook_config payload, version "4" (receiver, status, alerts[] with
  status, labels, annotations, startsAt, endsAt, fingerprint; groupKey…).
- Grafana: unified alerting's webhook payload (orgId, alerts[] as Alertmanager's, plus
  title, message, state; version "1" where Grafana sends it).
- Generic: {"alerts": [{"key", "status", "title", "description", "severity", "service",
  "labels", "started_at", "ended_at"}]} (see the README).
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .models import AlertFormat

FIRING, RESOLVED = "firing", "resolved"
# Go's zero time: what Alertmanager and Grafana send as the end of an alert still firing.
ZERO_TIME_YEAR = 1
_FRACTION = re.compile(r"(\.\d{6})\d+")


class FormatRefused(ValueError):
    """The body is not the integration's format; the message says why."""


@dataclass(frozen=True)
class Alert:
    fingerprint: str
    firing: bool
    title: str
    description: str
    labels: dict
    starts_at: datetime | None
    ends_at: datetime | None
    link: str = ""


def _moment(value, where: str, *, required: bool) -> datetime | None:
    if value in (None, ""):
        if required:
            raise FormatRefused(f"{where}: missing")
        return None
    if not isinstance(value, str):
        raise FormatRefused(f"{where}: not a date and time")
    try:
        moment = datetime.fromisoformat(_FRACTION.sub(r"\1", value.replace("Z", "+00:00")))
    except ValueError:
        raise FormatRefused(f"{where}: {value!r} is not an RFC 3339 date and time") from None
    if moment.year == ZERO_TIME_YEAR:
        return None
    if timezone.is_naive(moment):
        raise FormatRefused(f"{where}: {value!r} has no time zone")
    return moment


def _strings(value, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise FormatRefused(f"{where}: expected an object of strings")
    return value


def _status(value, where: str) -> bool:
    if value not in (FIRING, RESOLVED):
        raise FormatRefused(f'{where}: status must be "firing" or "resolved", not {value!r}')
    return value == FIRING


def _labels_fingerprint(labels: dict) -> str:
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]


def _alert_list(payload, where: str = "alerts") -> list:
    if not isinstance(payload, dict):
        raise FormatRefused("the body must be a JSON object")
    alerts = payload.get("alerts")
    if not isinstance(alerts, list):
        raise FormatRefused(f"{where}: expected a list of alerts")
    return alerts


def _prometheus_style(alerts: list, *, fallback_title: str = "") -> list[Alert]:
    """Alertmanager's alert objects, which Grafana's follow too."""
    read = []
    for number, item in enumerate(alerts):
        where = f"alerts[{number}]"
        if not isinstance(item, dict):
            raise FormatRefused(f"{where}: expected an object")
        labels = _strings(item.get("labels"), f"{where}.labels")
        annotations = _strings(item.get("annotations"), f"{where}.annotations")
        fingerprint = item.get("fingerprint") or _labels_fingerprint(labels)
        if not isinstance(fingerprint, str):
            raise FormatRefused(f"{where}.fingerprint: expected a string")
        read.append(
            Alert(
                fingerprint=fingerprint,
                firing=_status(item.get("status"), where),
                title=annotations.get("summary")
                or labels.get("alertname")
                or fallback_title
                or "Alert",
                description=annotations.get("description", ""),
                labels=labels,
                starts_at=_moment(item.get("startsAt"), f"{where}.startsAt", required=True),
                ends_at=_moment(item.get("endsAt"), f"{where}.endsAt", required=False),
                link=str(item.get("generatorURL") or ""),
            )
        )
    return read


def read_alertmanager(payload) -> list[Alert]:
    alerts = _alert_list(payload)
    if payload.get("version") != "4":
        raise FormatRefused(
            f'version: expected Alertmanager\'s webhook version "4", not {payload.get("version")!r}'
        )
    return _prometheus_style(alerts)


def read_grafana(payload) -> list[Alert]:
    alerts = _alert_list(payload)
    if not isinstance(payload.get("orgId"), int):
        raise FormatRefused("orgId: missing; not a Grafana alerting webhook")
    if payload.get("version", "1") != "1":
        raise FormatRefused(f'version: expected "1", not {payload.get("version")!r}')
    return _prometheus_style(alerts, fallback_title=str(payload.get("title") or ""))


def read_generic(payload) -> list[Alert]:
    alerts = _alert_list(payload)
    read = []
    for number, item in enumerate(alerts):
        where = f"alerts[{number}]"
        if not isinstance(item, dict):
            raise FormatRefused(f"{where}: expected an object")
        key, title = item.get("key"), item.get("title") or ""
        firing = _status(item.get("status", FIRING), where)
        if not isinstance(key, str) or not key.strip():
            raise FormatRefused(f"{where}.key: missing")
        if not isinstance(title, str) or (firing and not title.strip()):
            raise FormatRefused(f"{where}.title: missing")
        labels = _strings(item.get("labels"), f"{where}.labels")
        for name in ("severity", "service"):
            value = item.get(name)
            if value is not None and not isinstance(value, str):
                raise FormatRefused(f"{where}.{name}: expected a string")
            if value:
                labels = labels | {name: value}
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise FormatRefused(f"{where}.description: expected a string")
        read.append(
            Alert(
                fingerprint=key.strip(),
                firing=firing,
                title=title.strip() or key.strip(),
                description=description,
                labels=labels,
                starts_at=_moment(item.get("started_at"), f"{where}.started_at", required=False),
                ends_at=_moment(item.get("ended_at"), f"{where}.ended_at", required=False),
                link=str(item.get("url") or ""),
            )
        )
    return read


READERS = {
    AlertFormat.ALERTMANAGER: read_alertmanager,
    AlertFormat.GRAFANA: read_grafana,
    AlertFormat.GENERIC: read_generic,
}


def read_alerts(alert_format: str, payload) -> list[Alert]:
    """The alerts of a decoded body in `alert_format`; FormatRefused says what is wrong."""
    return READERS[alert_format](payload)


def decode(body: bytes):
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise FormatRefused(f"the body is not JSON ({error})") from None
