"""Model forms keep what the user did not touch: a field posted as its widget drew the stored
value keeps the stored value exactly, whatever the widget's precision."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from apps.interruptions.forms import InterruptionForm
from tests.factories import InterruptionFactory
from tests.roundtrip.browser import posted

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(world):
    started = timezone.now().replace(second=42, microsecond=123456) - timedelta(hours=3)
    return InterruptionFactory(
        client=world.client_a,
        kind="outage",
        scheduled=True,
        occurred_at=started,
        ended_at=started + timedelta(minutes=30, seconds=5),
        description="Line one\nline two",
        affected_services=[world.service_a],
    )


def _post(form, **typed) -> MultiValueDict:
    """`form` as the browser sends it back, with `typed` entered."""
    return MultiValueDict(posted(form) | {name: [value] for name, value in typed.items()})


def _sent(world, record, **typed) -> InterruptionForm:
    data = _post(InterruptionForm(instance=record, user=world.agent), **typed)
    form = InterruptionForm(data, instance=record, user=world.agent)
    assert form.is_valid(), form.errors
    return form


def test_untouched_times_and_text_keep_their_stored_values(world, record):
    form = _sent(world, record)

    assert form.changed_data == []
    assert form.changes() == {}
    assert form.cleaned_data["occurred_at"] == record.occurred_at  # seconds and microseconds
    assert form.cleaned_data["description"] == "Line one\nline two"  # sent back with CRLF
    assert form.instance.ended_at == record.ended_at


def test_a_time_typed_in_is_taken_to_the_minute(world, record):
    typed = timezone.localtime(record.ended_at + timedelta(hours=1))

    form = _sent(world, record, ended_at=typed.strftime("%Y-%m-%dT%H:%M"))

    assert form.changed_data == ["ended_at"]
    assert form.changes() == {"ended_at": typed.replace(second=0, microsecond=0)}


def test_an_unticked_box_is_a_change(world, record):
    data = _post(InterruptionForm(instance=record, user=world.agent))
    del data["scheduled"]

    form = InterruptionForm(data, instance=record, user=world.agent)

    assert form.is_valid(), form.errors
    assert form.changes() == {"scheduled": False}


def test_a_new_record_takes_every_value_as_entered(world):
    data = _post(
        InterruptionForm(user=world.agent),
        kind="incident",
        title="CRM down",
        occurred_at="2026-11-30T10:15",
        description="a\r\nb",
    )
    data.setlist("affected_services", [str(world.service_a.pk)])

    form = InterruptionForm(data, user=world.agent)

    assert form.is_valid(), form.errors
    assert form.changes()["description"] == "a\r\nb"
    assert form.changes()["severity"] == "SEV3"
