"""Round trip of the five logs' edit forms: a stored record of any kind, severity, status and
kind-specific section, its form opened and sent back untouched, changes nothing and writes
nothing (no history version, timeline event, notification or queued task)."""

from hypothesis import given
from hypothesis import strategies as st

from .driver import PROPERTY, assert_unchanged_when_resent, rolled_back
from .records import (
    draw_call,
    draw_escalation,
    draw_failure,
    draw_interruption,
    draw_recovery_case,
    edit_path,
)


@PROPERTY
@given(data=st.data())
def test_interruption_form(world, extras, data):
    with rolled_back():
        record = draw_interruption(data.draw, world, extras)
        assert_unchanged_when_resent(world.agent, record, edit_path(record), "form")


@PROPERTY
@given(data=st.data())
def test_failure_report_form_with_its_corrective_actions(world, extras, data):
    with rolled_back():
        record = draw_failure(data.draw, world, extras)
        assert_unchanged_when_resent(world.agent, record, edit_path(record), "form", "formset")


@PROPERTY
@given(data=st.data())
def test_escalation_form(world, extras, data):
    with rolled_back():
        record = draw_escalation(data.draw, world, extras)
        assert_unchanged_when_resent(world.agent, record, edit_path(record), "form")


@PROPERTY
@given(data=st.data())
def test_call_form(world, extras, data):
    with rolled_back():
        record = draw_call(data.draw, world, extras)
        assert_unchanged_when_resent(world.agent, record, edit_path(record), "form")


@PROPERTY
@given(data=st.data())
def test_recovery_case_form(world, extras, data):
    with rolled_back():
        record = draw_recovery_case(data.draw, world, extras)
        assert_unchanged_when_resent(world.agent, record, edit_path(record), "form")
