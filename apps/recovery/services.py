"""Recovery case services: what views, admin and commands call to change recovery cases.

Interactions, actions, the resolution and feedback are child rows of a case; they are added
and changed only here. Each change is validated, saved with its own history version, raises
the case's version (with a history version of the case naming what was done) and leaves an
entry on the case's timeline, all in one transaction.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.text import Truncator

from apps.core.choices import LinkRelation, Status, TimelineKind
from apps.core.followups import follow_up_for
from apps.core.models import LogRecord
from apps.core.services.links import record_link
from apps.core.services.records import record_apply, record_create, record_update
from apps.core.services.timeline import timeline_log

from .models import (
    RecoveryAction,
    RecoveryCase,
    RecoveryFeedback,
    RecoveryInteraction,
    RecoveryResolution,
    Satisfied,
)
from .selectors import case_outcome

INTERACTION_FIELDS = ("at", "channel", "summary", "resolution_offered", "customer_satisfied")
ACTION_FIELDS = ("at", "action_type", "details", "amount", "currency", "department")
RESOLUTION_FIELDS = (
    "final_resolution",
    "customer_confirmed",
    "confirmed_at",
    "unreachable_reason",
    "follow_up_done",
    "follow_up_at",
)
FEEDBACK_FIELDS = ("at", "satisfaction", "likelihood_to_return", "suggestions")
# Work on the case (contacts, actions, resolution) stops when it closes; feedback often
# arrives after closing (the survey follows the recovery) and is still taken then.
WORKING_STATUSES = (*Status.open_values(), Status.RESOLVED)
FEEDBACK_STATUSES = (*WORKING_STATUSES, Status.CLOSED)


def _short(text: str, length: int = 160) -> str:
    return Truncator(" ".join(text.split())).chars(length)


def _check_origin(origin: LogRecord, client) -> None:
    follow_up = follow_up_for(RecoveryCase)
    if follow_up is None or not follow_up.accepts(origin):
        raise ValidationError(
            {"origin_reference": f"A recovery case cannot be caused by {origin.reference}."}
        )
    if client is not None and origin.client_id != client.pk:
        raise ValidationError(
            {"origin_reference": f"{origin.reference} belongs to another client."}
        )


def recovery_case_create(*, actor, values: dict, origin: LogRecord | None = None) -> RecoveryCase:
    """Open a recovery case; with `origin`, recorded as caused by that record.

    The origin must be an interruption, failure report, escalation or call of the same client.
    """
    if origin is not None:
        _check_origin(origin, values.get("client"))
    with transaction.atomic():
        case = record_create(RecoveryCase, actor=actor, values=values)
        if origin is not None:
            record_link(case, origin, relation=LinkRelation.CAUSED_BY, actor=actor)
    return case


def _first_recorded_moment(case: RecoveryCase):
    """The earliest moment of anything recorded on the case after its issue occurred."""
    moments = [
        model.objects.filter(case=case).aggregate(first=Min("at"))["first"]
        for model in (RecoveryInteraction, RecoveryAction, RecoveryFeedback)
    ]
    moments.append(case.confirmed_at)
    return min((moment for moment in moments if moment is not None), default=None)


def recovery_case_update(
    case: RecoveryCase, *, actor, changes: dict, expected_version: int
) -> RecoveryCase:
    """Apply a person's edit of the case's own fields (children have their own services).

    The issue cannot be moved after something already recorded about it (compared with the
    case as stored: a model form has already given `case` the new values).
    """
    with transaction.atomic():
        stored = RecoveryCase.objects.select_for_update().get(pk=case.pk)
        occurred_at = changes.get("occurred_at")
        if occurred_at is not None and occurred_at != stored.occurred_at:
            first = _first_recorded_moment(stored)
            if first is not None and occurred_at > first:
                when = timezone.localtime(first).strftime("%Y-%m-%d %H:%M")
                raise ValidationError(
                    {
                        "occurred_at": f"The case already has an entry of {when}: the issue "
                        "cannot have occurred after it."
                    }
                )
        return record_update(case, actor=actor, changes=changes, expected_version=expected_version)


def _only(values: dict, allowed: tuple[str, ...], what: str) -> dict:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"Not {what} fields: {sorted(unknown)}")
    return dict(values)


def _locked_for(case: RecoveryCase, statuses: tuple[str, ...], what: str) -> RecoveryCase:
    current = RecoveryCase.objects.select_for_update().get(pk=case.pk)
    if current.status not in statuses:
        raise ValidationError(
            f"{current.reference} is {current.get_status_display().lower()}: "
            f"{what} can no longer be recorded."
        )
    return current


def _record_on_case(
    case: RecoveryCase,
    *,
    actor,
    statuses: tuple[str, ...],
    what: str,
    write: Callable[[RecoveryCase], tuple[str, str, dict] | None],
    expected_version: int | None,
) -> RecoveryCase:
    """Lock the case, let `write` validate and save the child row, then bring the case's
    outcome columns up to date, raise its version and put the change on its timeline.
    `write` returns (history reason, timeline message, timeline data), or None when nothing
    changed."""
    with transaction.atomic():
        current = _locked_for(case, statuses, what)
        done = write(current)
        if done is None:
            return current
        reason, message, data = done
        outcome = {
            name: value
            for name, value in case_outcome(current).items()
            if getattr(current, name) != value
        }
        updated = record_apply(
            current,
            actor=actor,
            changes=outcome,
            reason=reason,
            expected_version=expected_version,
        )
        timeline_log(updated, kind=TimelineKind.EDIT, message=message, actor=actor, data=data)
    return updated


def _save_entry(entry, actor) -> None:
    entry.full_clean()
    entry._history_user = actor
    entry.save()


def interaction_add(
    case: RecoveryCase, *, actor, values: dict, expected_version: int | None = None
) -> RecoveryInteraction:
    """Log a contact with the customer: channel, what was said and offered, how it landed."""
    values = _only(values, INTERACTION_FIELDS, "interaction")
    entry = RecoveryInteraction(recorded_by=actor, **values)

    def write(current: RecoveryCase):
        entry.case = current
        _save_entry(entry, actor)
        message = f"Interaction by {entry.get_channel_display().lower()}: {_short(entry.summary)}"
        if entry.resolution_offered.strip():
            message += f" Offered: {_short(entry.resolution_offered)}"
        if entry.customer_satisfied != Satisfied.UNKNOWN:
            message += f" Customer satisfied: {entry.get_customer_satisfied_display().lower()}."
        return (
            f"Interaction added ({entry.get_channel_display().lower()})",
            message,
            {"interaction": entry.pk},
        )

    _record_on_case(
        case,
        actor=actor,
        statuses=WORKING_STATUSES,
        what="interactions",
        write=write,
        expected_version=expected_version,
    )
    return entry


def _money_text(action: RecoveryAction) -> str:
    return f" {action.amount:,.2f} {action.currency}" if action.amount is not None else ""


def recovery_action_add(
    case: RecoveryCase, *, actor, values: dict, expected_version: int | None = None
) -> RecoveryAction:
    """Record an action taken for the customer; refunds and credits need amount and currency,
    other types may not carry one."""
    values = _only(values, ACTION_FIELDS, "recovery action")
    values["currency"] = (values.get("currency") or "").strip().upper()
    entry = RecoveryAction(recorded_by=actor, **values)

    def write(current: RecoveryCase):
        entry.case = current
        _save_entry(entry, actor)
        label = f"{entry.action_type.label}{_money_text(entry)}"
        message = f"Recovery action: {label} ({entry.department})."
        if entry.details.strip():
            message += f" {_short(entry.details)}"
        return (f"Recovery action added: {label}", message, {"action": entry.pk})

    _record_on_case(
        case,
        actor=actor,
        statuses=WORKING_STATUSES,
        what="recovery actions",
        write=write,
        expected_version=expected_version,
    )
    return entry


def resolution_times_follow_ticks(values: dict, now) -> dict:
    """Times follow their ticks: ticked without a time means now, unticked means none."""
    values = dict(values)
    for flag, name in (("customer_confirmed", "confirmed_at"), ("follow_up_done", "follow_up_at")):
        if flag not in values:
            continue
        if not values[flag]:
            values[name] = None
        elif not values.get(name):
            values[name] = now
    if "unreachable_reason" in values:
        values["unreachable_reason"] = (values["unreachable_reason"] or "").strip()
    return values


def _resolution_message(resolution: RecoveryResolution, changed: list[str], created: bool) -> str:
    if created:
        message = f"Resolution recorded: {_short(resolution.final_resolution)}"
    else:
        labels = [str(RecoveryResolution._meta.get_field(name).verbose_name) for name in changed]
        message = "Resolution changed: " + ", ".join(labels) + "."
    if resolution.customer_confirmed and ("customer_confirmed" in changed or created):
        when = timezone.localtime(resolution.confirmed_at).strftime("%Y-%m-%d %H:%M")
        message += f" Customer confirmed on {when}."
    if resolution.unreachable_reason and ("unreachable_reason" in changed or created):
        message += f" Customer could not be reached: {_short(resolution.unreachable_reason)}"
    if resolution.follow_up_done and ("follow_up_done" in changed or created):
        when = timezone.localtime(resolution.follow_up_at).strftime("%Y-%m-%d %H:%M")
        message += f" Follow-up done on {when}."
    return message


def resolution_save(
    case: RecoveryCase, *, actor, values: dict, expected_version: int | None = None
) -> RecoveryResolution:
    """Record the case's resolution, or change it: one per case.

    Ticking "customer confirmed" or "follow-up done" without a time records now; unticking
    clears the time. A confirmed resolution has no "could not be reached" reason.
    """
    values = resolution_times_follow_ticks(
        _only(values, RESOLUTION_FIELDS, "resolution"), timezone.now()
    )
    saved: dict = {}

    def write(current: RecoveryCase):
        resolution = current.resolution_or_none()
        created = resolution is None
        if created:
            resolution = RecoveryResolution(case=current, recorded_by=actor)
        changed = [
            name for name, value in values.items() if created or getattr(resolution, name) != value
        ]
        if not changed:
            saved["resolution"] = resolution
            return None
        for name in changed:
            setattr(resolution, name, values[name])
        resolution.updated_by = actor
        _save_entry(resolution, actor)
        saved["resolution"] = resolution
        reason = "Resolution recorded" if created else "Resolution changed"
        if resolution.customer_confirmed and "customer_confirmed" in changed:
            reason += ": customer confirmed"
        return (
            reason,
            _resolution_message(resolution, [] if created else changed, created),
            {"fields": sorted(changed)},
        )

    _record_on_case(
        case,
        actor=actor,
        statuses=WORKING_STATUSES,
        what="the resolution",
        write=write,
        expected_version=expected_version,
    )
    return saved["resolution"]


def feedback_add(
    case: RecoveryCase, *, actor, values: dict, expected_version: int | None = None
) -> RecoveryFeedback:
    """Record the customer's feedback on the recovery (also after the case closed)."""
    values = _only(values, FEEDBACK_FIELDS, "feedback")
    entry = RecoveryFeedback(recorded_by=actor, **values)

    def write(current: RecoveryCase):
        entry.case = current
        _save_entry(entry, actor)
        message = f"Customer feedback: satisfaction {entry.satisfaction}/5"
        if entry.likelihood_to_return is not None:
            message += f", likelihood to return {entry.likelihood_to_return}/10"
        message += "."
        if entry.suggestions.strip():
            message += f" Suggests: {_short(entry.suggestions)}"
        return (f"Feedback added ({entry.satisfaction}/5)", message, {"feedback": entry.pk})

    _record_on_case(
        case,
        actor=actor,
        statuses=FEEDBACK_STATUSES,
        what="feedback",
        write=write,
        expected_version=expected_version,
    )
    return entry
