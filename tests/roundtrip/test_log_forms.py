"""Round trip of the five logs' edit forms: a stored record of any kind, severity, status and
kind-specific section, its form opened and sent back untouched, changes nothing and writes
nothing (no history version, timeline event, notification or queued task)."""

import pytest
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

# log → (how its records are drawn, the forms its edit page draws)
EDIT_FORMS = {
    "interruption": (draw_interruption, ("form",)),
    # the report and its corrective actions, one page, one submit
    "failure_report": (draw_failure, ("form", "formset")),
    "escalation": (draw_escalation, ("form",)),
    "call": (draw_call, ("form",)),
    "recovery_case": (draw_recovery_case, ("form",)),
}


@pytest.mark.parametrize("log", EDIT_FORMS)
@PROPERTY
@given(data=st.data())
def test_edit_form(world, extras, log, data):
    draw_record, names = EDIT_FORMS[log]
    with rolled_back():
        record = draw_record(data.draw, world, extras)
        assert_unchanged_when_resent(world.agent, record, edit_path(record), *names)
