"""Call services: creation, edits, validation, closing rules and quality audits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.calls.models import Call, Direction, Outcome, QualityAudit
from apps.calls.services import call_create, call_update, quality_audit_add, with_durations
from apps.core.choices import Status, TimelineKind
from apps.core.exceptions import StaleRecordError, TransitionError
from apps.core.models import CodeListEntry, TimelineEntry
from apps.core.services.records import record_change_status
from tests.factories import CodeListEntryFactory
from tests.factories_calls import (
    CallFactory,
    DispositionFactory,
    QualityAuditFactory,
    QueryCategoryFactory,
)

pytestmark = pytest.mark.django_db


def values(world, **overrides) -> dict:
    start = timezone.now() - timedelta(hours=1)
    return {
        "client": world.client_a,
        "direction": Direction.INBOUND,
        "title": "Customer asks why the bill went up",
        "severity": "SEV4",
        "occurred_at": start,
        "answered_at": start + timedelta(seconds=45),
        "ended_at": start + timedelta(minutes=6, seconds=45),
        "caller_number": "+44 20 7946 0958",
        "customer_name": "Jane Doe",
        "account_reference": "AC-1",
        "queue": "Billing",
        "query_category": QueryCategoryFactory(),
        "disposition": DispositionFactory(),
        "outcome": Outcome.RESOLVED,
        "resolution": "Explained the price change.",
        "assignee": world.agent,
        **overrides,
    }


# --- creating ------------------------------------------------------------------------------


def test_create_logs_a_call_with_reference_timeline_and_history(world):
    call = call_create(actor=world.agent, values=values(world))

    assert call.reference.startswith(f"CALL-{timezone.now().year}-")
    assert call.reported_by == world.agent
    assert call.status == Status.NEW
    assert call.resolution_due == call.occurred_at + timedelta(hours=72)  # SEV4 default
    assert call.history.count() == 1
    assert call.history.get().history_user == world.agent
    kinds = list(TimelineEntry.objects.filter(object_id=call.pk).values_list("kind", flat=True))
    assert kinds == [TimelineKind.CREATED]


def test_wait_and_talk_seconds_are_worked_out_from_the_times_when_left_empty(world):
    call = call_create(actor=world.agent, values=values(world))

    assert (call.wait_seconds, call.talk_seconds) == (45, 360)


def test_seconds_given_by_the_agent_are_kept(world):
    call = call_create(actor=world.agent, values=values(world, wait_seconds=12, talk_seconds=99))

    assert (call.wait_seconds, call.talk_seconds) == (12, 99)


def test_with_durations_on_an_edit_uses_the_stored_times(world):
    call = CallFactory(client=world.client_a, wait_seconds=None, talk_seconds=None)

    filled = with_durations({"ended_at": call.answered_at + timedelta(seconds=70)}, current=call)

    assert filled["talk_seconds"] == 70
    # The wait is worked out from the start and the answer, which this change leaves alone.
    assert "wait_seconds" not in filled
    filled = with_durations({"answered_at": call.occurred_at + timedelta(seconds=45)}, current=call)
    assert (filled["wait_seconds"], filled["talk_seconds"]) == (45, 285)


def test_an_unanswered_call_has_no_wait_or_talk_worked_out(world):
    call = call_create(
        actor=world.agent,
        values=values(
            world,
            answered_at=None,
            outcome=Outcome.MISSED,
            resolution="",
            disposition=DispositionFactory(code="no-answer", label="No answer"),
        ),
    )

    assert (call.wait_seconds, call.talk_seconds) == (None, None)


def test_close_now_logs_a_complete_call_closed_as_resolved_when_it_ended(world):
    call = call_create(actor=world.agent, values=values(world), close_now=True)

    assert call.status == Status.CLOSED
    assert call.resolved_at == call.closed_at == call.ended_at
    assert not call.is_breached
    assert [version.status for version in call.history.all()] == ["closed"]
    entries = TimelineEntry.objects.filter(object_id=call.pk).order_by("id")
    assert [(entry.kind, entry.message) for entry in entries] == [
        (TimelineKind.CREATED, "Logged as SEV4 · Low."),
        (TimelineKind.STATUS, "Closed when logged: dealt with on the call."),
    ]


def test_close_now_refused_creates_nothing(world):
    with pytest.raises(TransitionError) as refused:
        call_create(actor=world.agent, values=values(world, resolution=""), close_now=True)

    assert "resolution" in refused.value.message_dict
    assert not Call.objects.exists()


def test_an_external_call_id_is_unique_per_client(world):
    call_create(actor=world.agent, values=values(world, external_call_id="TEL-1"))
    # Another client may use the same id.
    CallFactory(client=world.client_b, external_call_id="TEL-1")

    with pytest.raises(ValidationError) as refused:
        call_create(actor=world.agent, values=values(world, external_call_id="TEL-1"))

    assert "already has a call with this external call id" in str(refused.value)


def test_the_database_refuses_a_duplicate_external_id_too(world):
    CallFactory(client=world.client_a, external_call_id="TEL-9")

    with pytest.raises(IntegrityError), transaction.atomic():
        CallFactory(client=world.client_a, external_call_id="TEL-9")


def test_calls_without_an_external_id_may_be_many(world):
    CallFactory(client=world.client_a, external_call_id="")
    CallFactory(client=world.client_a, external_call_id="")

    assert Call.objects.filter(external_call_id="").count() == 2


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answered_at": -1}, "answered_at"),
        ({"ended_at": -1}, "ended_at"),
        ({"ended_at": 20}, "ended_at"),  # before the answer at +45 s
        ({"occurred_at_in_future": True}, "occurred_at"),
        ({"outcome": Outcome.MISSED}, "answered_at"),
        ({"outcome": Outcome.FOLLOW_UP}, "follow_up_due"),
        ({"follow_up_due": -60}, "follow_up_due"),
    ],
)
def test_inconsistent_calls_are_refused(world, change, field):
    data = values(world)
    start = data["occurred_at"]
    for name, value in change.items():
        if name == "occurred_at_in_future":
            data["occurred_at"] = timezone.now() + timedelta(hours=1)
            data["answered_at"] = data["ended_at"] = None
        elif name in ("answered_at", "ended_at", "follow_up_due"):
            data[name] = start + timedelta(seconds=value)
        else:
            data[name] = value

    with pytest.raises(ValidationError) as refused:
        call_create(actor=world.agent, values=data)

    assert field in refused.value.message_dict
    assert not Call.objects.exists()


def test_a_missed_call_has_no_talk_time(world):
    data = values(world, answered_at=None, outcome=Outcome.MISSED, talk_seconds=30)

    with pytest.raises(ValidationError) as refused:
        call_create(actor=world.agent, values=data)

    assert "talk_seconds" in refused.value.message_dict


def test_code_list_entries_must_come_from_their_own_list(world):
    wrong = CodeListEntryFactory(list_name=CodeListEntry.ListName.RECOVERY_ACTION, code="refund")

    with pytest.raises(ValidationError) as refused:
        call_create(
            actor=world.agent, values=values(world, query_category=wrong, disposition=wrong)
        )

    assert {"query_category", "disposition"} <= set(refused.value.message_dict)


def test_a_follow_up_must_follow_an_earlier_call_of_the_same_client(world):
    other_client = CallFactory(client=world.client_b)
    later = CallFactory(client=world.client_a, occurred_at=timezone.now() - timedelta(minutes=5))

    for previous, message in (
        (other_client, "same client"),
        (later, "started before"),
    ):
        with pytest.raises(ValidationError) as refused:
            call_create(actor=world.agent, values=values(world, follow_up_of=previous))
        assert message in str(refused.value.message_dict["follow_up_of"])


def test_a_call_cannot_follow_itself_up(world):
    call = CallFactory(client=world.client_a)

    with pytest.raises(ValidationError) as refused:
        call_update(
            call, actor=world.agent, changes={"follow_up_of": call}, expected_version=call.version
        )

    assert "itself" in str(refused.value.message_dict["follow_up_of"])


def test_the_agent_must_work_for_the_client(world):
    with pytest.raises(ValidationError) as refused:
        call_create(actor=world.lead, values=values(world, assignee=world.agent_b))

    assert "assignee" in refused.value.message_dict


def test_who_may_not_see_personal_data_may_not_write_it(world):
    call = CallFactory(client=world.client_a)

    with pytest.raises(ValidationError) as refused:
        call_update(
            call,
            actor=world.auditor,
            changes={"caller_number": "+1 555 0100"},
            expected_version=call.version,
        )

    assert "caller_number" in refused.value.message_dict
    call.refresh_from_db()
    assert call.caller_number != "+1 555 0100"


def test_a_stale_edit_is_refused(world):
    call = CallFactory(client=world.client_a)
    call_update(call, actor=world.agent, changes={"queue": "Sales"}, expected_version=1)

    with pytest.raises(StaleRecordError):
        call_update(call, actor=world.lead, changes={"queue": "Retention"}, expected_version=1)

    call.refresh_from_db()
    assert (call.queue, call.version) == ("Sales", 2)


def test_an_edit_is_one_history_version_naming_the_fields(world):
    call = CallFactory(client=world.client_a)

    updated = call_update(
        call,
        actor=world.agent,
        changes={"outcome": Outcome.ESCALATED, "escalation_notes": "To billing lead."},
        expected_version=call.version,
    )

    latest = updated.history.order_by("-history_id").first()
    assert latest.history_change_reason == "Edited: outcome, escalation notes"
    assert latest.history_user == world.agent


# --- closing rules -------------------------------------------------------------------------


def close(call: Call, actor):
    call = record_change_status(call, target=Status.IN_PROGRESS, actor=actor)
    call = record_change_status(call, target=Status.RESOLVED, actor=actor)
    return record_change_status(call, target=Status.CLOSED, actor=actor)


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({}, set()),
        ({"disposition": None}, {"disposition"}),
        ({"outcome": ""}, {"outcome"}),
        ({"resolution": "  "}, {"resolution"}),
        ({"query_category": None}, {"query_category"}),
        ({"outcome": Outcome.ESCALATED}, {"escalation_notes"}),
        ({"outcome": Outcome.ESCALATED, "escalation_notes": "To tier 2."}, set()),
        # Nobody was spoken to: nothing to resolve or categorise.
        (
            {"outcome": Outcome.VOICEMAIL, "resolution": "", "query_category": None},
            set(),
        ),
        (
            {"outcome": Outcome.DROPPED, "resolution": "", "query_category": None},
            set(),
        ),
        (
            {"outcome": Outcome.MISSED, "answered_at": None, "resolution": "", "talk_seconds": 0},
            set(),
        ),
    ],
)
def test_closing_rules(world, fields, missing):
    call = CallFactory(client=world.client_a, **fields)

    assert set(call.closing_problems()) == missing
    if missing:
        with pytest.raises(TransitionError) as refused:
            close(call, world.lead)
        assert set(refused.value.message_dict) == missing
        call.refresh_from_db()
        assert call.status == Status.RESOLVED
    else:
        assert close(call, world.lead).status == Status.CLOSED


def test_a_call_needing_a_follow_up_closes_once_the_follow_up_is_logged(world):
    call = CallFactory(
        client=world.client_a,
        outcome=Outcome.FOLLOW_UP,
        follow_up_due=timezone.now() + timedelta(days=1),
    )
    assert set(call.closing_problems()) == {"follow_up_of"}

    call_create(
        actor=world.agent,
        values=values(world, direction=Direction.OUTBOUND, follow_up_of=call),
    )

    assert call.closing_problems() == {}
    assert close(call, world.lead).status == Status.CLOSED


# --- quality audits ------------------------------------------------------------------------

SCORES = {"greeting": 5, "tone": 4, "accuracy": 5, "compliance": 3, "resolution": 4, "empathy": 4}


def test_an_audit_works_out_total_and_verdict_against_its_pass_mark(world):
    call = CallFactory(client=world.client_a)

    audit = quality_audit_add(call, actor=world.auditor, scores=SCORES, pass_mark=80)
    strict = quality_audit_add(call, actor=world.auditor, scores=SCORES, pass_mark=90)

    assert audit.total_percent == Decimal("83.33")  # 25 of 30
    assert (audit.passed, strict.passed) == (True, False)
    assert audit.client == call.client
    assert audit.auditor == world.auditor


def test_an_audit_sets_the_call_qa_score_with_history_and_timeline(world):
    call = CallFactory(client=world.client_a)

    quality_audit_add(
        call, actor=world.auditor, scores=SCORES, coaching_needed=True, comments="Rushed close."
    )

    call.refresh_from_db()
    assert call.qa_score == Decimal("83.33")
    assert call.version == 2
    version = call.history.order_by("-history_id").first()
    assert version.history_user == world.auditor
    assert version.history_change_reason == "Quality audit: 83.33% (passed, pass mark 80%)"
    entry = TimelineEntry.objects.filter(object_id=call.pk).latest("id")
    assert entry.kind == TimelineKind.EDIT
    assert entry.actor == world.auditor
    assert entry.message == "Quality audit: 83.33% (passed, pass mark 80%); coaching needed."
    assert QualityAudit.history.filter(call_id=call.pk).count() == 1


def test_the_call_keeps_the_score_of_its_most_recent_audit(world):
    call = CallFactory(client=world.client_a)
    now = timezone.now()
    quality_audit_add(call, actor=world.auditor, scores=SCORES, scored_at=now)

    older = dict.fromkeys(QualityAudit.SCORE_FIELDS, 2)
    quality_audit_add(call, actor=world.lead, scores=older, scored_at=now - timedelta(days=2))

    call.refresh_from_db()
    assert call.qa_score == Decimal("83.33")
    assert call.history.count() == 3  # created, and one version per audit


def test_an_audit_needs_every_score_within_0_to_5(world):
    call = CallFactory(client=world.client_a)

    with pytest.raises(ValidationError) as missing:
        quality_audit_add(call, actor=world.auditor, scores={**SCORES, "tone": None})
    with pytest.raises(ValidationError) as too_high:
        quality_audit_add(call, actor=world.auditor, scores={**SCORES, "empathy": 6})

    assert "tone" in missing.value.message_dict
    assert "empathy" in too_high.value.message_dict
    assert not QualityAudit.objects.exists()


def test_an_audit_cannot_be_scored_in_the_future(world):
    call = CallFactory(client=world.client_a)

    with pytest.raises(ValidationError):
        quality_audit_add(
            call,
            actor=world.auditor,
            scores=SCORES,
            scored_at=timezone.now() + timedelta(days=1),
        )


def test_audit_total_of_all_fives_is_100(world):
    assert QualityAudit.total_of(dict.fromkeys(QualityAudit.SCORE_FIELDS, 5)) == Decimal("100.00")
    assert QualityAudit.total_of(dict.fromkeys(QualityAudit.SCORE_FIELDS, 0)) == Decimal("0.00")


def test_factory_audit_is_consistent(world):
    audit = QualityAuditFactory(call=CallFactory(client=world.client_a), auditor=world.auditor)

    assert audit.total_percent == Decimal("83.33")
    assert audit.passed is True
