"""Typed text never holds control characters: every form refuses them and writes nothing."""

import pytest

from apps.core.input_rules import control_character_problem
from apps.core.models import TimelineEntry
from tests.log_kinds import KINDS, LOG_FACTORIES

pytestmark = pytest.mark.django_db

BELL, ESCAPE = "\x07", "\x1b"


def test_tab_and_line_ends_are_text_other_controls_are_not():
    assert control_character_problem("a\tb\r\nc") is None
    assert "U+0007" in control_character_problem(f"ring{BELL}")
    assert "position 5" in control_character_problem(f"ring{BELL}")


@pytest.mark.parametrize("kind", KINDS)
def test_a_note_with_a_control_character_is_refused_on_every_log(world, client, kind):
    record = LOG_FACTORIES[kind](client=world.client_a)
    client.force_login(world.agent)
    response = client.post(
        f"/{kind}/{record.reference}/note/", {"text": f"Called back{BELL}"}, follow=True
    )
    assert response.status_code == 200
    assert "control character (U+0007)" in response.content.decode()
    assert not TimelineEntry.objects.filter(object_id=record.pk, kind="note").exists()


def test_a_reason_with_a_control_character_moves_nothing(world, client):
    record = LOG_FACTORIES["interruptions"](client=world.client_a, status="new")
    client.force_login(world.lead)
    response = client.post(
        f"/interruptions/{record.reference}/status/",
        {"version": record.version, "status": "cancelled", "reason": f"dup{ESCAPE}"},
        follow=True,
    )
    assert response.status_code == 200
    assert "control character (U+001B)" in response.content.decode()
    record.refresh_from_db()
    assert record.status == "new"
