"""Failure report services: what views, admin, tasks and commands call to change reports.

Corrective actions are child rows of a report; they are added and changed only here, so
every change leaves a timeline entry, a history version of the action, and a new version of
the report (a stale form is refused as for any edit).
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.choices import LinkRelation, TimelineKind
from apps.core.models import LogRecord
from apps.core.scoping import accessible_client_ids
from apps.core.services.links import record_link
from apps.core.services.records import record_apply, record_create, record_update
from apps.core.services.timeline import timeline_log

from .models import ALL_CATEGORY_FIELDS, CATEGORY_FIELDS, CorrectiveAction, FailureReport

ACTION_FIELDS = ("action", "owner", "due_date", "done_at", "waived", "waiver_reason")
ActionEdit = tuple[CorrectiveAction, dict]


def _reset_other_categories(category: str, values: dict) -> dict:
    """`values` with the fields that belong to other categories set back to empty."""
    keep = set(CATEGORY_FIELDS.get(category, ()))
    return values | {
        name: FailureReport.blank_value(name) for name in ALL_CATEGORY_FIELDS if name not in keep
    }


def _invalid(action: CorrectiveAction, error: ValidationError) -> ValidationError:
    name = action.action or "new action"
    return ValidationError(
        {"corrective_actions": [f"“{name}”: {message}" for message in error.messages]}
    )


def _save_action(action: CorrectiveAction, report: FailureReport, actor) -> None:
    if action.owner is not None and report.client_id not in accessible_client_ids(action.owner):
        raise ValidationError(
            {
                "corrective_actions": f"“{action.action}”: {action.owner} does not work for "
                f"{report.client}."
            }
        )
    try:
        action.full_clean()
    except ValidationError as error:
        raise _invalid(action, error) from error
    action._history_user = actor
    action.save()


def _describe(action: CorrectiveAction, before: dict) -> str:
    if action.done_at and not before["done_at"]:
        return f"“{action.action}” done"
    if action.waived and not before["waived"]:
        return f"“{action.action}” waived ({action.waiver_reason.strip()})"
    if before["done_at"] and not action.done_at:
        return f"“{action.action}” reopened"
    return f"“{action.action}” edited"


def _apply_actions(
    report: FailureReport, actor, added: Iterable[dict], edited: Iterable[ActionEdit]
) -> list[str]:
    """Create and change the report's actions; what was done, one phrase per action."""
    done: list[str] = []
    for values in added:
        unknown = set(values) - set(ACTION_FIELDS)
        if unknown:
            raise ValueError(f"Not corrective action fields: {sorted(unknown)}")
        action = CorrectiveAction(report=report, **values)
        _save_action(action, report, actor)
        done.append(f"“{action.action}” added")
    for action, changes in edited:
        if action.report_id != report.pk:
            raise ValidationError(
                {"corrective_actions": f"“{action.action}” belongs to another report."}
            )
        before = {name: getattr(action, name) for name in ACTION_FIELDS}
        changed = {name: value for name, value in changes.items() if before[name] != value}
        if not changed:
            continue
        for name, value in changed.items():
            setattr(action, name, value)
        if not action.waived:
            action.waiver_reason = ""
        _save_action(action, report, actor)
        done.append(_describe(action, before))
    if done:
        timeline_log(
            report,
            kind=TimelineKind.EDIT,
            message="Corrective actions: " + "; ".join(done) + ".",
            actor=actor,
        )
    return done


def failure_create(
    *, actor, values: dict, actions: Sequence[dict] = (), origin: LogRecord | None = None
) -> FailureReport:
    """Log a new failure report with its first corrective actions, in one transaction. With
    `origin` (the record it was filed from, of the same client) recorded as caused by it."""
    with transaction.atomic():
        report = record_create(
            FailureReport,
            actor=actor,
            values=_reset_other_categories(values.get("category", ""), values),
        )
        _apply_actions(report, actor, actions, ())
        if origin is not None:
            record_link(report, origin, relation=LinkRelation.CAUSED_BY, actor=actor)
    return report


def failure_update(
    report: FailureReport,
    *,
    actor,
    changes: dict,
    expected_version: int,
    added: Sequence[dict] = (),
    edited: Sequence[ActionEdit] = (),
) -> FailureReport:
    """Apply an edit of the report and of its corrective actions as one change.

    The report's version rises once, whether its own fields, its actions or both changed.
    """
    with transaction.atomic():
        stored = FailureReport.objects.select_for_update().get(pk=report.pk)
        category = changes.get("category", stored.category)
        updated = record_update(
            report,
            actor=actor,
            changes=_reset_other_categories(category, changes),
            expected_version=expected_version,
        )
        done = _apply_actions(updated, actor, added, edited)
        if done and updated.version == expected_version:
            updated = record_apply(
                updated, actor=actor, changes={}, reason="Corrective actions changed"
            )
    return updated


def corrective_actions_save(
    report: FailureReport,
    *,
    actor,
    added: Sequence[dict] = (),
    edited: Sequence[ActionEdit] = (),
    expected_version: int | None = None,
) -> FailureReport:
    """Add or change corrective actions without touching the report's own fields."""
    with transaction.atomic():
        locked = record_apply(
            report,
            actor=actor,
            changes={},
            reason="Corrective actions changed",
            expected_version=expected_version,
        )
        if not _apply_actions(locked, actor, added, edited):
            transaction.set_rollback(True)
            return report
    return locked
