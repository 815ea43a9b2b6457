"""The small forms on a recovery case's page: interactions, actions, resolution, feedback."""

import pytest
from django.utils import timezone

from apps.core.choices import Status
from apps.recovery.models import (
    RecoveryAction,
    RecoveryFeedback,
    RecoveryInteraction,
    RecoveryResolution,
)
from tests.factories_recovery import RecoveryCaseFactory
from tests.recovery.helpers import CHILD_POSTS, messages_of, text

pytestmark = pytest.mark.django_db


# --- child rows from the case page ---------------------------------------------------------


def test_agent_logs_an_interaction(world, client, case):
    client.force_login(world.agent)

    response = client.post(f"/recovery/{case.reference}/interactions/", CHILD_POSTS["interactions"])

    assert response.status_code == 302
    assert response.url == f"/recovery/{case.reference}/"
    assert messages_of(response) == ["Interaction logged."]
    interaction = RecoveryInteraction.objects.get()
    assert (interaction.case, interaction.recorded_by, interaction.summary) == (
        case,
        world.agent,
        "Apologised.",
    )
    content = text(client.get(f"/recovery/{case.reference}/"))
    assert "Interaction by phone: Apologised." in content  # the timeline
    assert "Interaction added (phone)" in content  # the history


def test_money_errors_come_back_naming_the_field(world, client, case, action_types):
    client.force_login(world.agent)
    url = f"/recovery/{case.reference}/actions/"

    refund = client.post(
        url, {**CHILD_POSTS["actions"], "action-action_type": action_types["refund"].pk}
    )
    apology = client.post(
        url,
        {
            **CHILD_POSTS["actions"],
            "action-action_type": action_types["apology"].pk,
            "action-amount": "5",
            "action-currency": "GBP",
        },
    )

    assert sorted(messages_of(refund)) == [
        "Amount: Give the amount of the refund.",
        "Currency: Give the currency of the refund.",
    ]
    assert messages_of(apology)[-1] == (
        "Amount: Only refunds and credits carry an amount; describe anything else given in the "
        "details."
    )
    assert not RecoveryAction.objects.exists()

    credit = client.post(
        url,
        {
            **CHILD_POSTS["actions"],
            "action-action_type": action_types["credit"].pk,
            "action-amount": "12.50",
            "action-currency": "usd",
        },
    )

    assert messages_of(credit)[-1] == "Recovery action recorded."
    saved = RecoveryAction.objects.get()
    assert (str(saved.amount), saved.currency) == ("12.50", "USD")


def test_form_offers_only_active_recovery_action_types(world, client, case, action_types):
    action_types["expedite"].active = False
    action_types["expedite"].save()
    client.force_login(world.agent)

    content = text(client.get(f"/recovery/{case.reference}/"))

    assert ">Account credit</option>" in content
    assert ">Expedited service</option>" not in content


def test_resolution_is_recorded_then_changed_and_stale_forms_refused(world, client, case):
    client.force_login(world.agent)
    url = f"/recovery/{case.reference}/resolution/"

    first = client.post(url, CHILD_POSTS["resolution"])
    second = client.post(
        url,
        {
            "resolution-version": 2,
            "resolution-final_resolution": "Replaced.",
            "resolution-customer_confirmed": "on",
        },
    )
    stale = client.post(
        url, {"resolution-version": 2, "resolution-final_resolution": "Overwritten?"}
    )

    assert messages_of(first) == ["Resolution saved."]
    assert messages_of(second)[-1] == "Resolution saved."
    assert "was changed by someone else" in messages_of(stale)[-1]
    resolution = RecoveryResolution.objects.get()
    assert (resolution.final_resolution, resolution.customer_confirmed) == ("Replaced.", True)
    assert resolution.confirmed_at is not None


def test_resolution_form_reports_a_confirmation_with_a_reason(world, client, case):
    client.force_login(world.agent)

    response = client.post(
        f"/recovery/{case.reference}/resolution/",
        {
            **CHILD_POSTS["resolution"],
            "resolution-customer_confirmed": "on",
            "resolution-unreachable_reason": "No answer.",
        },
    )

    assert messages_of(response) == [
        "Customer could not be reached: The customer confirmed: leave “could not be reached” empty."
    ]
    assert not RecoveryResolution.objects.exists()


@pytest.mark.parametrize("satisfaction", ["0", "6", "x"])
def test_feedback_out_of_range_is_refused(world, client, case, satisfaction):
    client.force_login(world.agent)

    response = client.post(
        f"/recovery/{case.reference}/feedback/",
        {**CHILD_POSTS["feedback"], "feedback-satisfaction": satisfaction},
    )

    assert messages_of(response)[0].startswith("Satisfaction: ")
    assert not RecoveryFeedback.objects.exists()


def test_closed_case_offers_only_the_feedback_form(world, client):
    closed = RecoveryCaseFactory(
        client=world.client_a, status=Status.CLOSED, closed_at=timezone.now()
    )
    client.force_login(world.agent)
    ref = closed.reference

    content = text(client.get(f"/recovery/{ref}/"))
    refused = client.post(f"/recovery/{ref}/interactions/", CHILD_POSTS["interactions"])
    taken = client.post(f"/recovery/{ref}/feedback/", CHILD_POSTS["feedback"])

    assert f'action="/recovery/{ref}/feedback/"' in content
    assert f'action="/recovery/{ref}/interactions/"' not in content
    assert f'action="/recovery/{ref}/resolution/"' not in content
    assert messages_of(refused) == [f"{ref} is closed: interactions can no longer be recorded."]
    assert messages_of(taken)[-1] == "Feedback recorded."
    assert (RecoveryInteraction.objects.count(), RecoveryFeedback.objects.count()) == (0, 1)


def test_closing_from_the_page_reports_what_is_missing(world, client, case):
    client.force_login(world.lead)

    client.post(f"/recovery/{case.reference}/status/", {"status": "resolved", "version": 1})
    response = client.post(
        f"/recovery/{case.reference}/status/", {"status": "closed", "version": 2}
    )

    assert messages_of(response)[-1] == "Record the final resolution before closing."
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_child_urls_take_post_only(world, client, case):
    client.force_login(world.agent)

    assert client.get(f"/recovery/{case.reference}/feedback/").status_code == 405
