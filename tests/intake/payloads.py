"""Bodies as each monitoring source sends them (after their own documentation's examples)."""

import json

STARTED = "2026-11-30T09:51:03.157076123+01:00"
ENDED = "2026-11-30T10:20:00Z"
ZERO = "0001-01-01T00:00:00Z"


def alertmanager_alert(
    fingerprint="1a30ba71cca2921f",
    status="firing",
    alertname="ProbeFailure",
    severity="critical",
    service="CRM",
    **labels,
) -> dict:
    return {
        "status": status,
        "labels": {
            "alertname": alertname,
            "severity": severity,
            "service": service,
            "instance": "https://crm.example.org",
            **labels,
        },
        "annotations": {
            "summary": f"{alertname}: CRM unreachable",
            "description": "Probe failed for over 5 minutes.",
        },
        "startsAt": STARTED,
        "endsAt": ENDED if status == "resolved" else ZERO,
        "generatorURL": "http://prometheus.example.org:9090/graph",
        "fingerprint": fingerprint,
    }


def alertmanager(*alerts) -> dict:
    alerts = alerts or (alertmanager_alert(),)
    return {
        "receiver": "portal",
        "status": "firing" if any(a["status"] == "firing" for a in alerts) else "resolved",
        "alerts": list(alerts),
        "groupLabels": {"alertname": alerts[0]["labels"].get("alertname", "")},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.org:9093",
        "version": "4",
        "groupKey": '{}:{alertname="ProbeFailure"}',
        "truncatedAlerts": 0,
    }


def grafana(*alerts) -> dict:
    alerts = alerts or (alertmanager_alert(fingerprint="c6eadffa33fcdf37"),)
    return {
        "receiver": "portal",
        "status": alerts[0]["status"],
        "orgId": 1,
        "alerts": [alert | {"values": {"B": 44.2}} for alert in alerts],
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "https://grafana.example.org/",
        "version": "1",
        "groupKey": '{}:{alertname="High memory usage"}',
        "truncatedAlerts": 0,
        "title": "[FIRING:1] High memory usage",
        "state": "alerting",
        "message": "High memory usage",
    }


def generic_alert(key="crm-down", status="firing", **fields) -> dict:
    return {
        "key": key,
        "status": status,
        "title": "CRM is down",
        "description": "Agents cannot open customer records.",
        "severity": "critical",
        "service": "CRM",
        "started_at": "2026-11-30T08:51:03Z",
        **({"ended_at": ENDED} if status == "resolved" else {}),
        **fields,
    }


def generic(*alerts) -> dict:
    return {"alerts": list(alerts or (generic_alert(),))}


def post(client, integration, payload, *, token=None, **extra):
    body = payload if isinstance(payload, bytes | str) else json.dumps(payload)
    headers = {}
    token = integration.token if token is None else token
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(
        f"/intake/{integration.slug}/",
        data=body,
        content_type="application/json",
        **headers,
        **extra,
    )
