"""Recovery case services: the resolution, feedback, what closed or cancelled cases still
take, and the case's outcome columns."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.choices import Status
from apps.core.exceptions import StaleRecordError
from apps.recovery.models import RecoveryFeedback, RecoveryResolution
from apps.recovery.services import (
    feedback_add,
    interaction_add,
    recovery_action_add,
    resolution_save,
)
from tests.factories_recovery import RecoveryCaseFactory
from tests.recovery.helpers import action, latest_reason, timeline

pytestmark = pytest.mark.django_db


# --- resolution ----------------------------------------------------------------------------


def test_resolution_is_recorded_then_changed_one_per_case(world, case):
    first = resolution_save(
        case, actor=world.agent, values={"final_resolution": "Replacement sent."}
    )
    case.refresh_from_db()
    assert (case.version, latest_reason(case)) == (2, "Resolution recorded")
    assert timeline(case)[-1].message == "Resolution recorded: Replacement sent."

    second = resolution_save(
        case,
        actor=world.lead,
        values={"final_resolution": "Replacement sent.", "customer_confirmed": True},
        expected_version=2,
    )

    case.refresh_from_db()
    assert second.pk == first.pk
    assert RecoveryResolution.objects.count() == 1
    assert (second.recorded_by, second.updated_by) == (world.agent, world.lead)
    assert second.customer_confirmed
    assert abs(second.confirmed_at - timezone.now()) < timedelta(minutes=1)
    assert (case.version, latest_reason(case)) == (3, "Resolution changed: customer confirmed")
    assert timeline(case)[-1].message.startswith(
        "Resolution changed: customer confirmed, confirmed at. Customer confirmed on "
    )
    assert [version.history_user for version in second.history.order_by("history_id")] == [
        world.agent,
        world.lead,
    ]


def test_saving_the_same_resolution_again_changes_nothing(world, case):
    values = {"final_resolution": "Credit applied.", "follow_up_done": True}
    resolution_save(case, actor=world.agent, values=values)
    saved = RecoveryResolution.objects.get()

    again = resolution_save(
        case,
        actor=world.agent,
        values={**values, "follow_up_at": saved.follow_up_at},
        expected_version=2,
    )

    case.refresh_from_db()
    assert (again.pk, case.version, again.history.count()) == (saved.pk, 2, 1)


def test_unticking_clears_the_time(world, case):
    resolution_save(
        case,
        actor=world.agent,
        values={"final_resolution": "Refunded.", "customer_confirmed": True},
    )

    resolution = resolution_save(
        case,
        actor=world.agent,
        values={"final_resolution": "Refunded.", "customer_confirmed": False},
    )

    assert (resolution.customer_confirmed, resolution.confirmed_at) == (False, None)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"final_resolution": ""}, "final_resolution"),
        (
            {
                "final_resolution": "Refunded.",
                "customer_confirmed": True,
                "unreachable_reason": "No answer.",
            },
            "unreachable_reason",
        ),
        (
            {
                "final_resolution": "Refunded.",
                "customer_confirmed": True,
                "confirmed_at": timezone.now() + timedelta(days=1),
            },
            "confirmed_at",
        ),
        (
            {
                "final_resolution": "Refunded.",
                "follow_up_done": True,
                "follow_up_at": timezone.now() - timedelta(days=30),
            },
            "follow_up_at",
        ),
    ],
)
def test_invalid_resolutions_are_refused(world, case, values, field):
    with pytest.raises(ValidationError) as caught:
        resolution_save(case, actor=world.agent, values=values)

    assert field in caught.value.message_dict
    case.refresh_from_db()
    assert (case.version, RecoveryResolution.objects.count()) == (1, 0)


def test_a_stale_resolution_edit_is_refused(world, case):
    resolution_save(case, actor=world.agent, values={"final_resolution": "Refunded."})

    with pytest.raises(StaleRecordError):
        resolution_save(
            case,
            actor=world.lead,
            values={"final_resolution": "Refunded twice."},
            expected_version=1,
        )

    assert RecoveryResolution.objects.get().final_resolution == "Refunded."


# --- feedback ------------------------------------------------------------------------------


def test_feedback_is_recorded(world, case):
    entry = feedback_add(
        case,
        actor=world.agent,
        values={"satisfaction": 5, "likelihood_to_return": 9, "suggestions": "Call sooner."},
    )

    case.refresh_from_db()
    assert (entry.recorded_by, case.version, latest_reason(case)) == (
        world.agent,
        2,
        "Feedback added (5/5)",
    )
    assert timeline(case)[-1].message == (
        "Customer feedback: satisfaction 5/5, likelihood to return 9/10. Suggests: Call sooner."
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"satisfaction": None}, "satisfaction"),
        ({"satisfaction": 3, "likelihood_to_return": 11}, "likelihood_to_return"),
        ({"satisfaction": 3, "likelihood_to_return": -1}, "likelihood_to_return"),
    ],
)
def test_feedback_scores_are_kept_in_range(world, case, values, field):
    with pytest.raises(ValidationError) as caught:
        feedback_add(case, actor=world.agent, values=values)

    assert field in caught.value.message_dict
    assert not RecoveryFeedback.objects.exists()


@pytest.mark.parametrize(("satisfaction", "likelihood"), [(1, 0), (5, 10), (3, None)])
def test_feedback_scores_at_the_edges_are_accepted(world, case, satisfaction, likelihood):
    entry = feedback_add(
        case,
        actor=world.agent,
        values={"satisfaction": satisfaction, "likelihood_to_return": likelihood},
    )

    entry.refresh_from_db()
    assert (entry.satisfaction, entry.likelihood_to_return) == (satisfaction, likelihood)


# --- what a closed or cancelled case still takes -------------------------------------------


def test_closed_case_takes_feedback_but_no_more_work(world, action_types):
    closed = RecoveryCaseFactory(
        client=world.client_a, status=Status.CLOSED, closed_at=timezone.now()
    )

    for add, values in (
        (interaction_add, {"channel": "phone", "summary": "Called."}),
        (recovery_action_add, action(action_types, "apology")),
        (resolution_save, {"final_resolution": "Done."}),
    ):
        with pytest.raises(ValidationError) as caught:
            add(closed, actor=world.agent, values=values)
        assert "is closed" in caught.value.messages[0]
    feedback_add(closed, actor=world.agent, values={"satisfaction": 4})

    closed.refresh_from_db()
    assert (closed.version, closed.feedback.count()) == (2, 1)


def test_cancelled_case_takes_nothing(world):
    cancelled = RecoveryCaseFactory(
        client=world.client_a, status=Status.CANCELLED, cancel_reason="Logged twice."
    )

    with pytest.raises(ValidationError, match="is cancelled"):
        feedback_add(cancelled, actor=world.agent, values={"satisfaction": 4})


# --- the outcome columns of the case -------------------------------------------------------


def outcome(case) -> tuple:
    case.refresh_from_db()
    return (
        case.confirmed_at,
        case.latest_satisfaction,
        case.latest_likelihood_to_return,
        case.customer_satisfied,
    )


def test_children_keep_the_case_outcome_up_to_date(world, case):
    now = timezone.now()
    assert outcome(case) == (None, None, None, None)

    interaction_add(
        case,
        actor=world.agent,
        values={"channel": "chat", "summary": "Sorted.", "customer_satisfied": "yes"},
    )
    assert outcome(case) == (None, None, None, True)

    feedback_add(
        case,
        actor=world.agent,
        values={"satisfaction": 3, "likelihood_to_return": 7, "at": now - timedelta(hours=2)},
    )
    assert outcome(case) == (None, 3, 7, False)  # feedback outweighs the interaction

    feedback_add(
        case,
        actor=world.agent,
        values={"satisfaction": 5, "likelihood_to_return": 10, "at": now - timedelta(hours=5)},
    )
    assert outcome(case) == (None, 3, 7, False)  # given earlier: not the latest word

    feedback_add(case, actor=world.agent, values={"satisfaction": 4, "at": now})
    assert outcome(case) == (None, 4, 7, True)  # no new answer on returning: the last one

    resolution = resolution_save(
        case,
        actor=world.agent,
        values={"final_resolution": "Refunded.", "customer_confirmed": True},
    )
    assert outcome(case) == (resolution.confirmed_at, 4, 7, True)
    version = case.history.order_by("-history_id").first()
    assert (version.confirmed_at, version.history_change_reason) == (
        resolution.confirmed_at,
        "Resolution recorded: customer confirmed",
    )

    resolution_save(case, actor=world.agent, values={"customer_confirmed": False})
    assert outcome(case) == (None, 4, 7, True)
    assert case.version == 7  # one version per change, outcome included
