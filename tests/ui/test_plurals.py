"""Counts read as English: "1 cell", "1 business minute", "1 minute"."""

import pytest
from django.test import override_settings

from apps.calls.callbacks import schedule_call_backs
from apps.core.models import TimelineEntry
from tests.calls.test_callbacks import missed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("minutes,expected", [(1, "1 minute"), (12, "12 minutes")])
def test_the_stopped_engine_warning_counts_minutes_right(
    world, client, monkeypatch, minutes, expected
):
    monkeypatch.setattr(
        "apps.core.context_processors.engine_state",
        lambda: {"ok": False, "last_finished": True, "minutes_ago": minutes},
    )
    client.force_login(world.lead)

    page = client.get("/").content.decode()

    assert f"has not finished a run for {expected}:" in page


@override_settings(CALL_BACK_WITHIN_MINUTES=1)
def test_a_call_back_within_one_business_minute_is_singular(world):
    missed(world.client_a)

    schedule_call_backs()

    message = TimelineEntry.objects.get(message__startswith="Call-back due").message
    assert message.endswith("to be called back within 1 business minute.")
