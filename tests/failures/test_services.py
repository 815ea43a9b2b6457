"""Failure report services: create and edit with corrective actions, and the closing rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.choices import Status, TimelineKind
from apps.core.exceptions import StaleRecordError, TransitionError
from apps.core.models import TimelineEntry
from apps.core.services.records import record_change_status
from apps.failures.models import CorrectiveAction, FailureReport
from apps.failures.services import corrective_actions_save, failure_create, failure_update
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory

pytestmark = pytest.mark.django_db

DUE = timezone.localdate() + timedelta(days=5)


def values(world, **overrides) -> dict:
    return {
        "client": world.client_a,
        "category": "technical",
        "title": "CRM froze during the peak",
        "severity": "SEV2",
        "occurred_at": timezone.now() - timedelta(hours=5),
        "downtime_minutes": 47,
        "affected_modules": "Case view",
        **overrides,
    }


def timeline_messages(record) -> list[str]:
    return list(
        TimelineEntry.objects.filter(object_id=record.pk, client=record.client)
        .filter(content_type__model="failurereport")
        .order_by("id")
        .values_list("message", flat=True)
    )


@pytest.fixture
def resolved(world):
    """A resolved report with a root cause: only its actions decide whether it may close."""
    return FailureReportFactory(
        client=world.client_a,
        status=Status.RESOLVED,
        resolved_at=timezone.now(),
        root_cause_category="process",
        root_cause_analysis="Handover template had no planned-work section.",
    )


# --- create ---------------------------------------------------------------------------------


def test_create_logs_the_report_and_its_actions(world):
    report = failure_create(
        actor=world.agent,
        values=values(world),
        actions=[
            {"action": "Move index rebuilds to the night", "owner": world.lead, "due_date": DUE},
            {"action": "Paper fallback form", "owner": None, "due_date": DUE},
        ],
    )

    report.refresh_from_db()
    assert report.reference.startswith(f"FLR-{timezone.now().year}-")
    assert (report.version, report.reported_by, report.status) == (1, world.agent, Status.NEW)
    actions = list(report.corrective_actions.order_by("id"))
    assert [(a.action, a.owner, a.due_date) for a in actions] == [
        ("Move index rebuilds to the night", world.lead, DUE),
        ("Paper fallback form", None, DUE),
    ]
    assert actions[0].history.get().history_user == world.agent
    assert timeline_messages(report) == [
        "Logged as SEV2 · High.",
        "Corrective actions: “Move index rebuilds to the night” added; "
        "“Paper fallback form” added.",
    ]


def test_create_blanks_the_fields_of_other_categories(world):
    report = failure_create(
        actor=world.agent,
        values=values(world, category="delivery", delivery_failure_type="late",
                      order_reference="ORD-1"),
    )  # fmt: skip

    report.refresh_from_db()
    assert (report.delivery_failure_type, report.order_reference) == ("late", "ORD-1")
    assert (report.downtime_minutes, report.affected_modules) == (None, "")


def test_action_owner_must_work_for_the_reports_client(world):
    with pytest.raises(ValidationError) as error:
        failure_create(
            actor=world.agent,
            values=values(world),
            actions=[{"action": "Fix it", "owner": world.agent_b, "due_date": DUE}],
        )

    assert "agent_b does not work for Acme Retail" in " ".join(error.value.messages)
    assert not FailureReport.objects.exists()
    assert not CorrectiveAction.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "customer_service"}, "customer_service_failure_type"),
        ({"category": "delivery"}, "delivery_failure_type"),
        ({"category": "compliance"}, "contract_clause"),
        ({"detected_at": timezone.now() - timedelta(days=2)}, "detected_at"),
        ({"client_notified_at": timezone.now() - timedelta(days=2), "category": "compliance",
          "contract_clause": "4.1"}, "client_notified_at"),
    ],
)  # fmt: skip
def test_field_rules_are_checked(world, overrides, field):
    with pytest.raises(ValidationError) as error:
        failure_create(actor=world.agent, values=values(world, **overrides))

    assert field in error.value.message_dict
    assert not FailureReport.objects.exists()


def test_service_of_another_client_is_refused(world):
    with pytest.raises(ValidationError) as error:
        failure_create(actor=world.agent, values=values(world, service=world.service_b))

    assert error.value.message_dict["service"] == ["Choose a service of the report's client."]


# --- update ---------------------------------------------------------------------------------


def test_update_of_fields_and_actions_raises_the_version_once(world):
    report = FailureReportFactory(client=world.client_a)
    action = CorrectiveActionFactory(report=report, action="Retrain the desk")
    done = timezone.now() - timedelta(hours=1)

    updated = failure_update(
        report,
        actor=world.lead,
        changes={"title": "Refund never processed"},
        expected_version=1,
        added=[{"action": "Reminder in the script", "owner": world.agent, "due_date": DUE}],
        edited=[(action, {"done_at": done})],
    )

    report.refresh_from_db()
    action.refresh_from_db()
    assert (updated.version, report.version, report.title) == (2, 2, "Refund never processed")
    assert action.done_at == done
    assert report.corrective_actions.count() == 2
    assert action.history.order_by("history_id").last().history_user == world.lead
    assert timeline_messages(report)[-1] == (
        "Corrective actions: “Reminder in the script” added; “Retrain the desk” done."
    )


def test_changing_only_actions_raises_the_version_with_a_history_reason(world):
    report = FailureReportFactory(client=world.client_a)
    action = CorrectiveActionFactory(report=report, action="Retrain the desk")

    failure_update(
        report,
        actor=world.lead,
        changes={},
        expected_version=1,
        edited=[(action, {"waived": True, "waiver_reason": "Desk closed down."})],
    )

    report.refresh_from_db()
    assert report.version == 2
    assert report.history.latest().history_change_reason == "Corrective actions changed"
    assert timeline_messages(report) == [
        "Corrective actions: “Retrain the desk” waived (Desk closed down.)."
    ]


def test_nothing_changed_changes_nothing(world):
    report = FailureReportFactory(client=world.client_a)
    action = CorrectiveActionFactory(report=report)

    failure_update(
        report, actor=world.lead, changes={"title": report.title}, expected_version=1,
        edited=[(action, {"action": action.action})],
    )  # fmt: skip

    report.refresh_from_db()
    assert report.version == 1
    assert timeline_messages(report) == []


def test_stale_edit_is_refused_and_no_action_is_saved(world):
    report = FailureReportFactory(client=world.client_a, version=3)

    with pytest.raises(StaleRecordError):
        failure_update(
            report, actor=world.lead, changes={}, expected_version=2,
            added=[{"action": "Anything", "owner": None, "due_date": DUE}],
        )  # fmt: skip

    assert not CorrectiveAction.objects.exists()


def test_action_of_another_report_is_refused(world):
    report = FailureReportFactory(client=world.client_a)
    foreign = CorrectiveActionFactory(report=FailureReportFactory(client=world.client_a))

    with pytest.raises(ValidationError):
        failure_update(
            report, actor=world.lead, changes={}, expected_version=1,
            edited=[(foreign, {"done_at": timezone.now()})],
        )  # fmt: skip

    foreign.refresh_from_db()
    assert foreign.done_at is None


def test_unwaiving_clears_the_reason(world):
    report = FailureReportFactory(client=world.client_a)
    action = CorrectiveActionFactory(report=report, waived=True, waiver_reason="No longer needed")

    corrective_actions_save(report, actor=world.lead, edited=[(action, {"waived": False})])

    action.refresh_from_db()
    assert (action.waived, action.waiver_reason) == (False, "")


@pytest.mark.parametrize(
    "changes",
    [
        {"waived": True, "waiver_reason": ""},
        {"waived": True, "waiver_reason": "   "},
        {"waived": True, "waiver_reason": "x", "done_at": timezone.now() - timedelta(hours=1)},
        {"done_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_invalid_action_states_are_refused(world, changes):
    report = FailureReportFactory(client=world.client_a)
    action = CorrectiveActionFactory(report=report)

    with pytest.raises(ValidationError) as error:
        corrective_actions_save(report, actor=world.lead, edited=[(action, changes)])

    assert error.value.message_dict["corrective_actions"][0].startswith(f"“{action.action}”: ")
    action.refresh_from_db()
    report.refresh_from_db()
    assert (action.waived, action.done_at, report.version) == (False, None, 1)


@pytest.mark.parametrize(
    "fields", [{"waived": True, "waiver_reason": ""}, {"waived": True, "done_at": timezone.now()}]
)
def test_database_refuses_inconsistent_actions(world, fields):
    report = FailureReportFactory(client=world.client_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectiveAction.objects.create(
            report=report, action="x", due_date=DUE, waiver_reason=fields.pop("waiver_reason", "r"),
            **fields,
        )  # fmt: skip


# --- closing rules --------------------------------------------------------------------------


def test_closing_needs_a_root_cause_category_and_analysis_and_an_action(world):
    report = FailureReportFactory(client=world.client_a)

    assert report.closing_problems() == {
        "root_cause_category": "Choose a root-cause category before closing.",
        "root_cause_analysis": "Describe the root cause before closing.",
        "corrective_actions": "Add at least one corrective action before closing.",
    }


def test_blank_analysis_counts_as_missing(resolved):
    resolved.root_cause_analysis = "   "
    CorrectiveActionFactory(report=resolved, done_at=timezone.now())

    assert resolved.closing_problems() == {
        "root_cause_analysis": "Describe the root cause before closing."
    }


def test_open_actions_are_named_in_the_closing_problem(resolved):
    CorrectiveActionFactory(report=resolved, action="Done one", done_at=timezone.now())
    CorrectiveActionFactory(report=resolved, action="Open one")
    CorrectiveActionFactory(report=resolved, action="Late one", due_date=DUE - timedelta(days=30))

    assert resolved.closing_problems() == {
        "corrective_actions": "Mark every corrective action done, or waive it with a reason, "
        "before closing; still open: Late one; Open one."
    }


@pytest.mark.parametrize(
    "states",
    [
        [{"done_at": timezone.now()}],
        [{"waived": True, "waiver_reason": "Client withdrew the service."}],
        [{"done_at": timezone.now()}, {"waived": True, "waiver_reason": "Superseded."}],
    ],
)
def test_closes_when_every_action_is_done_or_waived(world, resolved, states):
    for state in states:
        CorrectiveActionFactory(report=resolved, **state)

    record_change_status(resolved, target=Status.CLOSED, actor=world.lead)

    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    assert resolved.closed_at is not None


def test_close_is_refused_with_every_problem(world, resolved):
    resolved.root_cause_category = ""
    resolved.save()
    CorrectiveActionFactory(report=resolved, action="Open one")

    with pytest.raises(TransitionError) as error:
        record_change_status(resolved, target=Status.CLOSED, actor=world.lead)

    assert set(error.value.message_dict) == {"root_cause_category", "corrective_actions"}
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


def test_waived_action_without_reason_does_not_count_as_settled(resolved):
    action = CorrectiveActionFactory.build(report=resolved, waived=True, waiver_reason=" ")

    assert action.is_settled is False


def test_other_moves_do_not_need_the_closing_fields(world):
    report = FailureReportFactory(client=world.client_a)

    record_change_status(report, target=Status.IN_PROGRESS, actor=world.agent)
    record_change_status(report, target=Status.RESOLVED, actor=world.agent)

    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert TimelineEntry.objects.filter(kind=TimelineKind.STATUS, object_id=report.pk).count() == 2
