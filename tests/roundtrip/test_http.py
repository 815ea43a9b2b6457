"""One request per form through the whole stack (middleware, CSRF-exempt test client,
templates rendered): the page is opened over HTTP, its forms are sent back as a browser sends
them untouched, and nothing changes. The properties run the same views without HTTP."""

from datetime import timedelta

import pytest

from apps.core.roles import log_models
from apps.interruptions.models import InterruptionKind
from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory
from tests.factories_recovery import (
    RecoveryActionTypeFactory,
    RecoveryCaseFactory,
    RecoveryInteractionFactory,
    RecoveryResolutionFactory,
)

from .browser import posted
from .state import differences, row_counts, snapshot

pytestmark = pytest.mark.django_db


def resend_over_http(client, user, record, page: str, names: tuple, action: str):
    client.force_login(user)
    opened = client.get(page)
    assert opened.status_code == 200
    drawn = [opened.context[name] for name in names if opened.context.get(name)]
    assert len(drawn) == len(names), f"{page} did not draw all of {names}"
    before = snapshot(record)
    response = client.post(action, posted(*drawn))
    assert differences(before, snapshot(record)) == {}
    return response


def _records(world) -> dict:
    """One record of each kind, stored with seconds and microseconds, people and all."""
    people = {"assignee": world.agent, "team": world.team_a1}
    interruption = InterruptionFactory(
        client=world.client_a,
        kind=InterruptionKind.MAINTENANCE,
        severity="SEV2",
        affected_services=[world.service_a],
        description="Line one\nline two",
        **people,
    )
    interruption.planned_start = interruption.occurred_at
    interruption.planned_end = interruption.occurred_at + timedelta(hours=1, seconds=7)
    interruption.save()
    report = FailureReportFactory(client=world.client_a, severity="SEV1", **people)
    CorrectiveActionFactory(report=report, owner=world.agent)
    case = RecoveryCaseFactory(client=world.client_a, severity="SEV2", **people)
    RecoveryInteractionFactory(case=case, recorded_by=world.agent)
    RecoveryResolutionFactory(case=case, recorded_by=world.agent)
    RecoveryActionTypeFactory()
    return {
        "interruption": interruption,
        "failure": report,
        "escalation": EscalationFactory(client=world.client_a, severity="SEV1", **people),
        "call": CallFactory(client=world.client_a, direction="outbound", **people),
        "recovery": case,
    }


@pytest.mark.parametrize("kind", ["interruption", "failure", "escalation", "call", "recovery"])
def test_edit_form_sent_back_untouched_changes_nothing(world, client, kind):
    record = _records(world)[kind]
    edit = f"{record.get_absolute_url()}edit/"
    names = ("form", "formset") if kind == "failure" else ("form",)

    response = resend_over_http(client, world.agent, record, edit, names, edit)

    assert response.status_code == 302
    assert response.url == record.get_absolute_url()


@pytest.mark.parametrize(
    ("form", "action", "message"),
    [
        ("note_form", "note", "Write the note first: an empty note was not added."),
        (
            "link_form",
            "link",
            "Enter the reference of the record to link to, e.g. INT-2026-000042.",
        ),
        ("assign_form", "assign", "The assignment is as it was: nothing changed."),
        ("status_form", "status", "{reference} stays New."),
    ],
)
def test_record_page_form_sent_back_untouched_changes_nothing(world, client, form, action, message):
    record = _records(world)["interruption"]
    page = record.get_absolute_url()

    response = resend_over_http(client, world.lead, record, page, (form,), f"{page}{action}/")

    assert [str(m) for m in response.wsgi_request._messages] == [
        message.format(reference=record.reference)
    ]


@pytest.mark.parametrize(
    ("kind", "user", "form", "action"),
    [
        ("escalation", "lead", "move_tier_form", "move-tier"),
        ("call", "auditor", "audit_form", "audit"),
        ("recovery", "agent", "interaction_form", "interactions"),
        ("recovery", "agent", "action_form", "actions"),
        ("recovery", "agent", "feedback_form", "feedback"),
        ("recovery", "agent", "resolution_form", "resolution"),
    ],
)
def test_child_row_form_sent_back_untouched_changes_nothing(
    world, client, kind, user, form, action
):
    record = _records(world)[kind]
    page = record.get_absolute_url()

    response = resend_over_http(
        client, getattr(world, user), record, page, (form,), f"{page}{action}/"
    )

    assert response.status_code == 302


def _log_counts() -> dict:
    return {model: model.objects.count() for model in log_models()} | row_counts()


@pytest.mark.parametrize(
    ("path", "origin"),
    [
        ("/interruptions/new/", None),
        ("/failures/new/", None),
        ("/escalations/new/", None),
        ("/escalations/new/?origin={reference}", "interruption"),
        ("/calls/new/", None),
        ("/calls/new/?follow_up_of={reference}", "call"),
        ("/recovery/new/", None),
        ("/recovery/new/?origin={reference}", "call"),
    ],
)
def test_a_new_record_form_sent_back_untouched_creates_nothing(world, client, path, origin):
    if origin:
        path = path.format(reference=_records(world)[origin].reference)
    client.force_login(world.agent)
    opened = client.get(path)
    drawn = [opened.context[name] for name in ("form", "formset") if opened.context.get(name)]
    before = _log_counts()

    response = client.post(path, posted(*drawn))

    assert response.status_code == 200
    assert response.context["form"].errors
    assert _log_counts() == before


@pytest.mark.parametrize("app", ["interruptions", "failures", "escalations", "calls", "recovery"])
def test_a_list_pages_bulk_form_sent_back_untouched_changes_nothing(world, client, app):
    records = _records(world)
    client.force_login(world.lead)
    opened = client.get(f"/{app}/")
    before = [snapshot(record) for record in records.values()]

    response = client.post(f"/{app}/bulk/", posted(opened.context["bulk_form"]))

    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Select at least one row first." in messages
    assert [snapshot(record) for record in records.values()] == before
