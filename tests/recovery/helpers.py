"""Helpers shared by the recovery tests."""

import html
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.utils import timezone

from apps.core.models import TimelineEntry
from apps.recovery.models import RecoveryCase


def timeline(record) -> list[TimelineEntry]:
    return list(
        TimelineEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        ).order_by("id")
    )


def latest_reason(case: RecoveryCase) -> str:
    return case.history.order_by("-history_id").first().history_change_reason


def action(action_types, code, **values) -> dict:
    return {"action_type": action_types[code], "department": "Billing", **values}


def text(response, status: int = 200) -> str:
    """The page's text, once its status is the expected one: a check that a text is absent
    means nothing on an error page."""
    assert response.status_code == status, response.status_code
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def moment(delta=timedelta(hours=1)) -> str:
    return (timezone.localtime() - delta).strftime("%Y-%m-%dT%H:%M")


CHILD_POSTS = {
    "interactions": {
        "interaction-at": moment(),
        "interaction-channel": "phone",
        "interaction-summary": "Apologised.",
        "interaction-customer_satisfied": "unknown",
    },
    "actions": {
        "action-at": moment(),
        "action-action_type": "",  # filled in by the test
        "action-department": "Billing",
    },
    "resolution": {"resolution-version": 1, "resolution-final_resolution": "Replaced."},
    "feedback": {"feedback-at": moment(), "feedback-satisfaction": 4},
}
