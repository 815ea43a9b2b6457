"""Recovery case services: the case, its origin link, interactions and recovery actions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.choices import LinkRelation, Status, TimelineKind
from apps.core.exceptions import StaleRecordError
from apps.core.models import CodeListEntry, RecordLink
from apps.recovery.models import (
    RecoveryAction,
    RecoveryCase,
    RecoveryInteraction,
)
from apps.recovery.services import (
    interaction_add,
    recovery_action_add,
    recovery_case_create,
    recovery_case_update,
)
from tests.factories import CodeListEntryFactory, InterruptionFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import FailureReportFactory
from tests.factories_recovery import RecoveryCaseFactory
from tests.recovery.helpers import action, latest_reason, timeline

pytestmark = pytest.mark.django_db


def case_values(world, **overrides) -> dict:
    return {
        "client": world.client_a,
        "title": "Order never arrived",
        "severity": "SEV2",
        "nature": "delivery_problem",
        "customer_name": "Jane Doe",
        "account_reference": "AC-1",
        "initial_feedback": "Very angry, threatens to close the account.",
        "occurred_at": timezone.now() - timedelta(days=1),
        **overrides,
    }


# --- the case ------------------------------------------------------------------------------


def test_create_gives_a_reference_timeline_and_due_time(world):
    case = recovery_case_create(actor=world.agent, values=case_values(world))

    assert case.reference.startswith(f"REC-{timezone.now().year}-")
    assert (case.reported_by, case.status, case.version) == (world.agent, Status.NEW, 1)
    assert case.resolution_due == case.occurred_at + timedelta(hours=8)  # SEV2 default
    assert [entry.kind for entry in timeline(case)] == [TimelineKind.CREATED]
    assert case.history.count() == 1


@pytest.mark.parametrize(
    "make_origin", [InterruptionFactory, FailureReportFactory, EscalationFactory]
)
def test_create_from_an_origin_links_it_as_caused_by(world, make_origin):
    origin = make_origin(client=world.client_a)

    case = recovery_case_create(actor=world.agent, values=case_values(world), origin=origin)

    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id, link.relation, link.created_by) == (
        case.pk,
        origin.pk,
        LinkRelation.CAUSED_BY,
        world.agent,
    )
    assert link.source_type == ContentType.objects.get_for_model(RecoveryCase)
    assert f"caused by {origin.reference}" in timeline(case)[-1].message
    assert f"{case.reference} is caused by this record" in timeline(origin)[-1].message


def test_origin_of_another_client_is_refused_and_nothing_is_saved(world):
    origin = InterruptionFactory(client=world.client_b)

    with pytest.raises(ValidationError) as caught:
        recovery_case_create(actor=world.agent, values=case_values(world), origin=origin)

    assert caught.value.message_dict == {
        "origin_reference": [f"{origin.reference} belongs to another client."]
    }
    assert not RecoveryCase.objects.exists()
    assert not RecordLink.objects.exists()


def test_origin_must_be_a_kind_that_causes_recovery(world):
    other_case = RecoveryCaseFactory(client=world.client_a)

    with pytest.raises(ValidationError) as caught:
        recovery_case_create(actor=world.agent, values=case_values(world), origin=other_case)

    assert "cannot be caused by" in caught.value.message_dict["origin_reference"][0]
    assert RecoveryCase.objects.count() == 1


def test_update_changes_the_case_and_refuses_stale_versions(world, case):
    updated = recovery_case_update(
        case, actor=world.lead, changes={"nature": "service_error"}, expected_version=1
    )

    assert (updated.nature, updated.version) == ("service_error", 2)
    with pytest.raises(StaleRecordError):
        recovery_case_update(case, actor=world.agent, changes={"title": "x"}, expected_version=1)


def test_the_issue_cannot_move_after_what_is_recorded_about_it(world, case):
    contacted = case.occurred_at + timedelta(hours=2)
    interaction_add(
        case, actor=world.agent, values={"at": contacted, "channel": "sms", "summary": "Texted."}
    )
    case.refresh_from_db()

    with pytest.raises(ValidationError) as caught:
        recovery_case_update(
            case,
            actor=world.agent,
            changes={"occurred_at": contacted + timedelta(minutes=1)},
            expected_version=case.version,
        )
    moved = recovery_case_update(
        case,
        actor=world.agent,
        changes={"occurred_at": contacted - timedelta(minutes=1)},
        expected_version=case.version,
    )

    assert list(caught.value.message_dict) == ["occurred_at"]
    assert moved.occurred_at == contacted - timedelta(minutes=1)


# --- interactions --------------------------------------------------------------------------


def test_interaction_is_saved_with_who_and_when_on_timeline_and_in_history(world, case):
    at = timezone.now() - timedelta(hours=5)

    interaction = interaction_add(
        case,
        actor=world.agent,
        values={
            "at": at,
            "channel": "phone",
            "summary": "Apologised; customer accepted a call back tomorrow.",
            "resolution_offered": "Replacement by courier.",
            "customer_satisfied": "yes",
        },
    )

    interaction.refresh_from_db()
    case.refresh_from_db()
    assert (interaction.recorded_by, interaction.at, interaction.case) == (world.agent, at, case)
    assert case.version == 2
    assert latest_reason(case) == "Interaction added (phone)"
    assert case.history.order_by("-history_id").first().history_user == world.agent
    entry = timeline(case)[-1]
    assert (entry.kind, entry.actor) == (TimelineKind.EDIT, world.agent)
    assert entry.message == (
        "Interaction by phone: Apologised; customer accepted a call back tomorrow. "
        "Offered: Replacement by courier. Customer satisfied: yes."
    )
    version = interaction.history.get()
    assert (version.history_type, version.history_user) == ("+", world.agent)


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (timedelta(hours=1), "This cannot be in the future."),
        (-timedelta(days=10), "This cannot be before the issue occurred."),
    ],
)
def test_interaction_moment_must_be_between_the_issue_and_now(world, case, at, message):
    with pytest.raises(ValidationError) as caught:
        interaction_add(
            case,
            actor=world.agent,
            values={"at": timezone.now() + at, "channel": "email", "summary": "Wrote back."},
        )

    assert caught.value.message_dict == {"at": [message]}
    case.refresh_from_db()
    assert (case.version, RecoveryInteraction.objects.count()) == (1, 0)


def test_unknown_child_fields_are_a_programming_error(world, case):
    with pytest.raises(ValueError, match="Not interaction fields"):
        interaction_add(case, actor=world.agent, values={"channel": "phone", "case": case})


# --- actions -------------------------------------------------------------------------------


def test_refund_is_recorded_with_amount_and_currency(world, case, action_types):
    added = recovery_action_add(
        case,
        actor=world.agent,
        values=action(action_types, "refund", amount=Decimal("25.50"), currency=" gbp "),
    )

    added.refresh_from_db()
    case.refresh_from_db()
    assert (added.amount, added.currency, added.recorded_by) == (
        Decimal("25.50"),
        "GBP",
        world.agent,
    )
    assert case.version == 2
    assert latest_reason(case) == "Recovery action added: Refund 25.50 GBP"
    assert timeline(case)[-1].message == "Recovery action: Refund 25.50 GBP (Billing)."
    assert added.history.count() == 1


def test_actions_without_money_need_no_amount(world, case, action_types):
    for code in ("replacement", "apology", "expedite", "other"):
        recovery_action_add(case, actor=world.agent, values=action(action_types, code))

    assert RecoveryAction.objects.filter(amount__isnull=True, currency="").count() == 4


@pytest.mark.parametrize(
    ("code", "money", "errors"),
    [
        ("refund", {}, {"amount", "currency"}),
        ("credit", {"amount": Decimal("10")}, {"currency"}),
        ("refund", {"currency": "EUR"}, {"amount"}),
        ("refund", {"amount": Decimal("0"), "currency": "EUR"}, {"amount"}),
        ("credit", {"amount": Decimal("-5"), "currency": "EUR"}, {"amount"}),
        ("refund", {"amount": Decimal("5"), "currency": "EURO"}, {"currency"}),
        ("refund", {"amount": Decimal("5"), "currency": "E1"}, {"currency"}),
        ("apology", {"amount": Decimal("5"), "currency": "GBP"}, {"amount"}),
        ("replacement", {"currency": "GBP"}, {"amount"}),
    ],
)
def test_money_fields_are_validated(world, case, action_types, code, money, errors):
    with pytest.raises(ValidationError) as caught:
        recovery_action_add(case, actor=world.agent, values=action(action_types, code, **money))

    assert set(caught.value.message_dict) == errors
    case.refresh_from_db()
    assert (case.version, RecoveryAction.objects.count()) == (1, 0)


def test_action_type_must_come_from_the_recovery_code_list(world, case):
    disposition = CodeListEntryFactory(list_name=CodeListEntry.ListName.DISPOSITION, code="refund")

    with pytest.raises(ValidationError) as caught:
        recovery_action_add(
            case, actor=world.agent, values={"action_type": disposition, "department": "Billing"}
        )

    assert caught.value.message_dict["action_type"] == ["Choose a recovery action type."]


def test_database_refuses_an_amount_without_currency(case, action_types, world):
    with pytest.raises(IntegrityError), transaction.atomic():
        RecoveryAction.objects.create(
            case=case,
            recorded_by=world.agent,
            action_type=action_types["refund"],
            amount=Decimal("3"),
            department="Billing",
        )
