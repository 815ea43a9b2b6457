"""The call's edit form over HTTP: it shows the stored direction and severity, and works out
durations only from times the edit touched, from the call as stored."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.calls.models import Call
from tests.factories_calls import CallFactory
from tests.roundtrip.browser import page_post

pytestmark = pytest.mark.django_db


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def record(world):
    return CallFactory(
        client=world.client_a, direction="outbound", severity="SEV2", wait_seconds=None
    )


def test_edit_form_shows_the_stored_direction_and_severity(world, client, record):
    client.force_login(world.agent)

    form = client.get(f"{record.get_absolute_url()}edit/").context["form"]

    assert (form["direction"].value(), form["severity"].value()) == ("outbound", "SEV2")


def test_an_edit_that_leaves_the_times_alone_works_nothing_out(world, client, record):
    path = f"{record.get_absolute_url()}edit/"
    client.force_login(world.agent)

    response = client.post(path, page_post(client, path, queue="Retention"))

    assert response.status_code == 302
    stored = Call.objects.get(pk=record.pk)
    assert (stored.queue, stored.wait_seconds, stored.talk_seconds) == ("Retention", None, 300)
    assert stored.history.latest().history_change_reason == "Edited: queue or campaign"


def test_a_new_answer_time_works_the_wait_out_from_the_stored_start(world, client, record):
    path = f"{record.get_absolute_url()}edit/"
    client.force_login(world.agent)
    answered = (record.occurred_at + timedelta(minutes=2)).replace(second=0, microsecond=0)

    response = client.post(path, page_post(client, path, answered_at=local(answered)))

    assert response.status_code == 302
    stored = Call.objects.get(pk=record.pk)
    assert stored.wait_seconds == int((answered - record.occurred_at).total_seconds())
    assert stored.talk_seconds == 300  # given, so kept
