"""Round trip of the forms on a record's page, drawn as the page draws them: sent back
untouched, none changes the record or writes anything. What "untouched" means:

- status: the current status is offered and chosen; sending it keeps the record as it is;
- assign: the current person and team are chosen; sending them changes nothing;
- note, link, and the forms that add a child row (interaction, recovery action, feedback,
  quality audit, tier move): nothing is filled in, so they are refused with a message;
- resolution of a recovery case: the stored resolution is shown and kept exactly.

A record page's own context (timeline, history, chain) costs more than the forms; the
properties build the forms as the page does and one HTTP test per form (test_http.py) opens
the real page.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.calls.forms import QualityAuditForm
from apps.core.choices import Status
from apps.core.forms import AssignForm, LinkForm, NoteForm, StatusChangeForm
from apps.core.workflow import allowed_targets
from apps.escalations.forms import MoveTierForm
from apps.recovery.forms import ActionForm, FeedbackForm, InteractionForm, ResolutionForm
from apps.recovery.services import FEEDBACK_STATUSES, WORKING_STATUSES
from tests.factories_recovery import RecoveryResolutionFactory

from .driver import PROPERTY, resend, rolled_back
from .records import draw_call, draw_escalation, draw_record, draw_recovery_case
from .strategies import moment, paragraph

MOVABLE = [status for status in Status.values if allowed_targets(status)]
# action path → (the form as the record page draws it, whether it is refused untouched)
RECORD_PAGE_FORMS = {
    "note": (lambda record, user: NoteForm(), True),
    "link": (lambda record, user: LinkForm(), True),
    "assign": (lambda record, user: AssignForm(record=record), None),
    "status": (lambda record, user: StatusChangeForm(record=record, user=user), False),
}


def _messages_say_refused(response) -> bool:
    return response.status_code == 302 and bool(response.sent_messages)


@pytest.mark.parametrize("action", RECORD_PAGE_FORMS)
@PROPERTY
@given(data=st.data())
def test_record_page_form(world, extras, action, data):
    build, refused = RECORD_PAGE_FORMS[action]
    with rolled_back():
        # Closed and cancelled records have no status form.
        statuses = MOVABLE if action == "status" else Status.values
        record = draw_record(data.draw, world, extras, statuses)
        user = data.draw(st.sampled_from([world.agent, world.lead]))
        response = resend(
            user, record, [build(record, user)], f"{record.get_absolute_url()}{action}/"
        )
        assert response.status_code == 302
        if refused:
            assert _messages_say_refused(response)
        if action == "status":
            assert response.sent_messages == [
                f"{record.reference} stays {record.get_status_display()}."
            ]


# form → (how its records are drawn, in which statuses the page draws it, who sends it, the
# form as the page draws it, its action path)
CHILD_ROW_FORMS = {
    "tier move": (
        draw_escalation, Status.open_values(), "lead", lambda r: MoveTierForm(record=r), "move-tier"
    ),
    "quality audit": (
        draw_call, Status.values, "auditor", lambda r: QualityAuditForm(record=r), "audit"
    ),
    "interaction": (
        draw_recovery_case, WORKING_STATUSES, "agent", lambda r: InteractionForm(), "interactions"
    ),
    "recovery action": (
        draw_recovery_case, WORKING_STATUSES, "agent", lambda r: ActionForm(), "actions"
    ),
    "feedback": (
        draw_recovery_case, FEEDBACK_STATUSES, "agent", lambda r: FeedbackForm(), "feedback"
    ),
}  # fmt: skip


@pytest.mark.parametrize("form", CHILD_ROW_FORMS)
@PROPERTY
@given(data=st.data())
def test_child_row_form(world, extras, form, data):
    draw_record, statuses, user, build, action = CHILD_ROW_FORMS[form]
    with rolled_back():
        record = draw_record(data.draw, world, extras, statuses)
        path = f"{record.get_absolute_url()}{action}/"
        response = resend(getattr(world, user), record, [build(record)], path)
        assert _messages_say_refused(response)


@PROPERTY
@given(data=st.data())
def test_recovery_resolution_form(world, extras, data):
    draw = data.draw
    with rolled_back():
        record = draw_recovery_case(draw, world, extras, WORKING_STATUSES)
        confirmed, followed_up = draw(st.booleans()), draw(st.booleans())
        if draw(st.booleans()):
            RecoveryResolutionFactory(
                case=record,
                recorded_by=world.agent,
                final_resolution=draw(paragraph(required=True)),
                customer_confirmed=confirmed,
                confirmed_at=draw(moment(record.occurred_at)) if confirmed else None,
                # stored trimmed: the service trims it
                unreachable_reason="" if confirmed else draw(paragraph()).strip(),
                follow_up_done=followed_up,
                follow_up_at=draw(moment(record.occurred_at)) if followed_up else None,
            )
            record.refresh_from_db()
        resend(
            world.agent,
            record,
            [ResolutionForm(record=record)],
            f"{record.get_absolute_url()}resolution/",
        )
