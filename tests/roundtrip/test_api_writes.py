"""Round trip through the API: any stored record of the five logs, read and written back as
read (or with its version alone), changes nothing and writes nothing, as its page's form."""

import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.api.kinds import KINDS
from apps.api.tokens import token_issue
from tests.api.conftest import ApiClient

from .driver import PROPERTY, rolled_back
from .records import draw_call, draw_escalation, draw_failure, draw_interruption, draw_recovery_case
from .state import differences, snapshot

DRAW = {
    "interruptions": draw_interruption,
    "failures": draw_failure,
    "escalations": draw_escalation,
    "calls": draw_call,
    "recovery": draw_recovery_case,
}
KIND = {kind.segment: kind for kind in KINDS}


def as_written(kind, read: dict) -> dict:
    """What a client sends back of what it read: every field the update takes, related rows
    by id (a record by its reference where the form takes one)."""
    body = {}
    for name, field in kind.update_schema.model_fields.items():
        value = read.get(name)
        if isinstance(value, dict):
            value = value["reference"] if str in typing.get_args(field.annotation) else value["id"]
        elif isinstance(value, list):
            value = [item["id"] for item in value]
        body[name] = value
    return body


@pytest.fixture
def agent_api(world):
    return ApiClient(token_issue(world.agent, name="round trip", scope="write")[1])


@pytest.mark.parametrize("log", DRAW)
# The page-form round trip draws the records' variety; here the API's own mapping is at stake.
@settings(PROPERTY, max_examples=30)
@given(data=st.data(), whole=st.booleans())
def test_written_back_as_read_changes_nothing(world, extras, agent_api, log, data, whole):
    with rolled_back():
        record = DRAW[log](data.draw, world, extras)
        path = f"/api/{log}/{record.reference}"
        read = agent_api.get(path).json()
        body = as_written(KIND[log], read) if whole else {"version": read["version"]}
        before = snapshot(record)
        answer = agent_api.patch(path, body)
        assert answer.status_code == 200, answer.json().get("errors")
        changed = differences(before, snapshot(record))
        row = changed.get("row")
        assert not changed, (
            {k: (v, row[1][k]) for k, v in row[0].items() if row[1][k] != v} if row else changed
        )
        assert answer.json() == read
