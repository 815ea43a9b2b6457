"""Demo recovery cases: stories through the services for both clients, some caused by demo
interruptions and escalations, loaded once; bulk volume with history on request."""

import random
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.core.choices import LinkRelation, Status
from apps.core.demo import DEMO_DAYS, seed_organisation
from apps.core.models import RecordLink, TimelineEntry
from apps.escalations.demo import seed_demo_escalations
from apps.interruptions.demo import seed_demo_interruptions
from apps.recovery.demo import seed_demo_recovery
from apps.recovery.demo_volume import generate_recovery_volume
from apps.recovery.models import (
    RecoveryAction,
    RecoveryCase,
    RecoveryFeedback,
    RecoveryInteraction,
    RecoveryResolution,
)
from apps.recovery.selectors import case_outcome

pytestmark = pytest.mark.django_db


def assert_outcomes_match_children() -> None:
    """Every case's outcome columns say what its children say."""
    names = ("confirmed_at", "latest_satisfaction", "latest_likelihood_to_return")
    for case in RecoveryCase.objects.all():
        stored = {name: getattr(case, name) for name in (*names, "customer_satisfied")}
        assert stored == case_outcome(case), case.reference


@pytest.fixture
def organisation():
    organisation = seed_organisation()
    now = timezone.now()
    seed_demo_interruptions(organisation, count=20, rng=random.Random(1), now=now)
    seed_demo_escalations(organisation, count=10, rng=random.Random(2), now=now)
    return organisation


def test_demo_cases_tell_full_stories_once(organisation):
    now = timezone.now()

    created = seed_demo_recovery(organisation, rng=random.Random(7), now=now)
    again = seed_demo_recovery(organisation, rng=random.Random(8), now=now)

    assert created >= 36 and again == 0
    cases = RecoveryCase.objects.select_related("client")
    assert cases.count() == created
    assert {case.client.code for case in cases} == {"acme", "globex"}
    assert min(case.occurred_at for case in cases) >= now - timedelta(days=DEMO_DAYS)
    for status in (Status.NEW, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
        assert cases.filter(status=status).exists(), status
    for case in cases.filter(status=Status.CLOSED):
        assert case.closing_problems() == {}
    for model in (RecoveryInteraction, RecoveryAction, RecoveryResolution, RecoveryFeedback):
        assert model.objects.exists(), model
        for child in model.objects.select_related("case"):
            child.full_clean()
    assert RecoveryResolution.objects.exclude(unreachable_reason="").exists()
    assert_outcomes_match_children()
    assert RecoveryAction.objects.filter(amount__isnull=False).exists()
    links = RecordLink.objects.filter(
        source_type=ContentType.objects.get_for_model(RecoveryCase), relation=LinkRelation.CAUSED_BY
    )
    kinds = {ContentType.objects.get_for_id(link.target_type_id).model for link in links}
    assert kinds == {"interruption", "escalation"}
    for link in links:
        assert link.target.client_id == RecoveryCase.objects.get(pk=link.source_id).client_id
    timeline = TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(RecoveryCase)
    )
    assert timeline.filter(message__startswith="Interaction by").exists()
    assert timeline.filter(message__startswith="Customer feedback").exists()


def test_volume_adds_valid_cases_with_children_and_history(organisation):
    seed_demo_recovery(organisation, count=0, rng=random.Random(1), now=timezone.now())

    first = generate_recovery_volume(
        organisation, count=120, rng=random.Random(3), now=timezone.now(), batch_size=50
    )
    second = generate_recovery_volume(
        organisation, count=30, rng=random.Random(4), now=timezone.now()
    )

    assert (first, second, RecoveryCase.objects.count()) == (120, 30, 150)
    assert RecoveryCase.objects.values("reference").distinct().count() == 150
    assert RecoveryCase.history.count() == 150
    for model in (RecoveryInteraction, RecoveryAction, RecoveryResolution, RecoveryFeedback):
        assert model.history.count() == model.objects.count() > 0, model
        assert not model.history.filter(history_user__isnull=True).exists()
    for case in RecoveryCase.objects.select_related("client", "team"):
        case.full_clean()
        assert case.team.clients.filter(pk=case.client_id).exists()
        if case.status == Status.CLOSED:
            assert case.closing_problems() == {}
    for child in RecoveryAction.objects.select_related("case", "action_type"):
        child.full_clean()
    for child in RecoveryResolution.objects.select_related("case"):
        child.full_clean()
    assert_outcomes_match_children()
    assert RecoveryCase.objects.filter(customer_satisfied=True).exists()
    assert RecoveryCase.objects.filter(customer_satisfied=False).exists()
