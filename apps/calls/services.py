"""Call log services: what views, admin, commands and the import call to change calls."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.choices import LinkRelation, Status, TimelineKind
from apps.core.exceptions import TransitionError
from apps.core.models import LogRecord
from apps.core.services.links import record_link
from apps.core.services.records import record_apply, record_create, record_update
from apps.core.services.timeline import timeline_log

from .masking import MASKED_FIELDS, can_view_personal_data
from .models import Call, QualityAudit


def _seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds())


WAIT_INPUTS = frozenset({"occurred_at", "answered_at", "wait_seconds"})
TALK_INPUTS = frozenset({"answered_at", "ended_at", "talk_seconds"})


def with_durations(values: dict, current: Call | None = None) -> dict:
    """`values` with wait and talk seconds left empty worked out from the call's times.

    Wait runs from the start to the answer, talk from the answer to the end; seconds the
    telephony system or the agent gave are kept as they are. For a change of the `current`
    call (as stored), a duration is worked out only when the change touches what it is
    worked out from.
    """

    def value(name):
        if name in values:
            return values[name]
        return getattr(current, name) if current is not None else None

    def touched(inputs: frozenset) -> bool:
        return current is None or bool(values.keys() & inputs)

    filled = dict(values)
    start, answered, ended = value("occurred_at"), value("answered_at"), value("ended_at")
    if value("wait_seconds") is None and answered is not None and touched(WAIT_INPUTS):
        filled["wait_seconds"] = _seconds_between(start, answered)
    if value("talk_seconds") is None and answered is not None and touched(TALK_INPUTS):
        filled["talk_seconds"] = _seconds_between(answered, ended)
    return filled


def _refuse_hidden_personal_data(actor, values: dict) -> None:
    """Someone who may not see a caller's number and name may not write them either."""
    touched = sorted(name for name in MASKED_FIELDS if name in values)
    if touched and not can_view_personal_data(actor):
        raise ValidationError(
            dict.fromkeys(touched, "You may not view or change callers' personal data.")
        )


def call_create(
    *, actor, values: dict, close_now: bool = False, origin: LogRecord | None = None
) -> Call:
    """Log a call reported by `actor`; wait and talk seconds default from its times. With
    `origin` (the record it was logged from, of the same client) recorded as caused by it.

    With `close_now` (dealt with while the customer was on the line) the log is created
    closed, resolved when the call ended, provided the closing rules are met; otherwise
    nothing is created.
    """
    _refuse_hidden_personal_data(actor, {k: v for k, v in values.items() if v})
    values = with_durations(values)
    if close_now:
        problems = Call(**values).closing_problems()
        if problems:
            raise TransitionError(problems)
        ended = values.get("ended_at") or timezone.now()
        values = {**values, "status": Status.CLOSED, "resolved_at": ended, "closed_at": ended}
    with transaction.atomic():
        call = record_create(Call, actor=actor, values=values)
        if origin is not None:
            record_link(call, origin, relation=LinkRelation.CAUSED_BY, actor=actor)
        if close_now:
            timeline_log(
                call,
                kind=TimelineKind.STATUS,
                message="Closed when logged: dealt with on the call.",
                actor=actor,
                data={"from": Status.NEW, "to": Status.CLOSED},
            )
    return call


def call_update(call: Call, *, actor, changes: dict, expected_version: int) -> Call:
    """Apply an edit; a stale version is refused, emptied durations are worked out again
    from the call as stored (not `call`, which a model form may already have changed)."""
    _refuse_hidden_personal_data(actor, changes)
    with transaction.atomic():
        stored = Call.objects.select_for_update().get(pk=call.pk)
        return record_update(
            call,
            actor=actor,
            changes=with_durations(changes, current=stored),
            expected_version=expected_version,
        )


def quality_audit_add(
    call: Call,
    *,
    actor,
    scores: dict[str, int],
    pass_mark: int = QualityAudit.DEFAULT_PASS_MARK,
    coaching_needed: bool = False,
    comments: str = "",
    scored_at: datetime | None = None,
) -> QualityAudit:
    """Score a call on the six criteria (0–5 each). The total % and pass/fail are worked out
    here against the audit's own pass mark; the call keeps its latest audit's total as its
    QA score (a new version in its history) and the audit goes on its timeline."""
    missing = [name for name in QualityAudit.SCORE_FIELDS if scores.get(name) is None]
    if missing:
        raise ValidationError(dict.fromkeys(missing, "Give a score from 0 to 5."))
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        total = QualityAudit.total_of(scores)
        audit = QualityAudit(
            call=locked,
            client_id=locked.client_id,
            auditor=actor,
            scored_at=scored_at or timezone.now(),
            pass_mark=pass_mark,
            total_percent=total,
            passed=total >= pass_mark,
            coaching_needed=coaching_needed,
            comments=(comments or "").strip(),
            **{name: scores[name] for name in QualityAudit.SCORE_FIELDS},
        )
        audit.full_clean()
        audit._history_user = actor
        audit.save()
        latest = (
            QualityAudit.objects.filter(call=locked)
            .order_by("-scored_at", "-id")
            .values_list("total_percent", flat=True)
            .first()
        )
        verdict = "passed" if audit.passed else "failed"
        summary = f"Quality audit: {total}% ({verdict}, pass mark {pass_mark}%)"
        # A version of the call even when an older-dated audit leaves its score as it was:
        # every audit shows in the call's history.
        record_apply(locked, actor=actor, changes={"qa_score": latest}, reason=summary)
        message = summary + ("; coaching needed." if coaching_needed else ".")
        timeline_log(
            locked,
            kind=TimelineKind.EDIT,
            message=message,
            actor=actor,
            data={"quality_audit": audit.pk, "total_percent": str(total), "passed": audit.passed},
        )
    return audit
