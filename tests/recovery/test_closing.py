"""A case closes on a resolution the customer confirmed, or, when the customer cannot be
reached, on the documented reason after enough contact attempts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.choices import Status
from apps.core.exceptions import TransitionError
from apps.core.services.records import record_change_status, records_bulk_change_status
from apps.recovery.models import UNREACHABLE_MIN_ATTEMPTS, RecoveryCase
from apps.recovery.services import interaction_add, resolution_save
from tests.factories_recovery import RecoveryCaseFactory, RecoveryResolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(world):
    return RecoveryCaseFactory(
        client=world.client_a,
        status=Status.RESOLVED,
        resolved_at=timezone.now(),
        occurred_at=timezone.now() - timedelta(days=4),
    )


def close(case, actor):
    return record_change_status(case, target=Status.CLOSED, actor=actor)


def refusal(case, actor) -> dict:
    with pytest.raises(TransitionError) as caught:
        close(case, actor)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    return caught.value.message_dict


def test_no_resolution_no_closing(world, resolved):
    assert refusal(resolved, world.lead) == {
        "resolution": ["Record the final resolution before closing."]
    }


def test_resolution_without_confirmation_or_reason_does_not_close(world, resolved):
    resolution_save(resolved, actor=world.agent, values={"final_resolution": "Refunded."})

    assert refusal(resolved, world.lead) == {
        "resolution": [
            "Record the customer's confirmation of the resolution, or why the customer "
            "cannot be reached, before closing."
        ]
    }


def test_confirmed_resolution_closes(world, resolved):
    resolution_save(
        resolved,
        actor=world.agent,
        values={"final_resolution": "Refunded.", "customer_confirmed": True},
    )

    closed = close(resolved, world.lead)

    assert (closed.status, closed.closing_problems()) == (Status.CLOSED, {})
    assert closed.closed_at is not None


def test_unreachable_customer_closes_only_after_enough_contact_attempts(world, resolved):
    resolution_save(
        resolved,
        actor=world.agent,
        values={
            "final_resolution": "Refund issued to the card on file.",
            "unreachable_reason": "No answer to calls or e-mails over a week.",
        },
    )
    for number in range(UNREACHABLE_MIN_ATTEMPTS - 1):
        interaction_add(
            resolved,
            actor=world.agent,
            values={"channel": "phone", "summary": f"No answer, attempt {number + 1}."},
        )

    assert refusal(resolved, world.lead) == {
        "interactions": [
            f"The customer is recorded as unreachable: log at least {UNREACHABLE_MIN_ATTEMPTS} "
            f"contact attempts as interactions before closing ({UNREACHABLE_MIN_ATTEMPTS - 1} "
            "so far)."
        ]
    }

    interaction_add(
        resolved, actor=world.agent, values={"channel": "email", "summary": "Last e-mail."}
    )

    assert close(resolved, world.lead).status == Status.CLOSED


def test_an_empty_final_resolution_does_not_count(world, resolved):
    RecoveryResolutionFactory(
        case=resolved,
        final_resolution="   ",
        customer_confirmed=True,
        confirmed_at=timezone.now(),
    )

    assert "resolution" in refusal(resolved, world.lead)


def test_bulk_close_reports_the_cases_that_may_not_close(world, resolved):
    ready = RecoveryCaseFactory(
        client=world.client_a, status=Status.RESOLVED, resolved_at=timezone.now()
    )
    RecoveryResolutionFactory(case=ready, customer_confirmed=True, confirmed_at=timezone.now())

    result = records_bulk_change_status(
        RecoveryCase, actor=world.lead, pks=[ready.pk, resolved.pk], target=Status.CLOSED
    )

    assert result.done == [ready.reference]
    assert result.refused == [(resolved.reference, "Record the final resolution before closing.")]
