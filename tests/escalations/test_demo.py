"""Demo escalations: realistic stories through the services, once; bulk volume on request."""

import random
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.core.choices import LinkRelation, Status, TimelineKind
from apps.core.demo import seed_organisation
from apps.core.models import RecordLink, TimelineEntry
from apps.escalations.demo import generate_escalation_volume, seed_demo_escalations
from apps.escalations.models import Escalation, TierStay
from apps.interruptions.demo import seed_demo_interruptions
from apps.interruptions.models import Interruption

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    organisation = seed_organisation()
    seed_demo_interruptions(organisation, count=20, rng=random.Random(1), now=timezone.now())
    return organisation


def test_demo_escalations_are_created_once(organisation):
    now = timezone.now()

    created = seed_demo_escalations(organisation, count=30, rng=random.Random(7), now=now)
    again = seed_demo_escalations(organisation, count=30, rng=random.Random(7), now=now)

    assert (created, again) == (30, 0)
    assert Escalation.objects.count() == 30
    escalations = Escalation.objects.all()
    assert {e.client.code for e in escalations} == {"acme", "globex"}
    links = RecordLink.objects.filter(
        source_type=ContentType.objects.get_for_model(Escalation),
        target_type=ContentType.objects.get_for_model(Interruption),
        relation=LinkRelation.CAUSED_BY,
    )
    assert links.count() == 10  # every third one is escalated from an interruption
    for link in links:
        source = Escalation.objects.get(pk=link.source_id)
        assert Interruption.objects.get(pk=link.target_id).client_id == source.client_id
    due_soon = Escalation.objects.filter(
        status__in=Status.open_values(),
        resolution_due__gt=now,
        resolution_due__lt=now + timedelta(hours=2),
    )
    assert due_soon.count() >= 6
    closed = Escalation.objects.filter(status=Status.CLOSED)
    for escalation in closed:
        assert escalation.closing_problems() == {}
    moved = TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Escalation),
        kind=TimelineKind.ASSIGNMENT,
        message__startswith="Moved up",
    )
    assert moved.exists()
    assert Escalation.objects.filter(tier__gt=1).count() == len(
        {entry.object_id for entry in moved}
    )
    for escalation in escalations:
        assert escalation.history.count() >= 1


def test_volume_is_bulk_inserted_with_its_history_and_tier_stays(organisation):
    count = generate_escalation_volume(
        organisation, count=250, rng=random.Random(3), now=timezone.now(), batch_size=100
    )

    assert count == 250
    assert Escalation.objects.count() == 250
    assert Escalation.objects.values("reference").distinct().count() == 250
    for escalation in Escalation.objects.select_related("team")[:50]:
        assert escalation.team.tier == escalation.tier
        assert escalation.team.clients.filter(pk=escalation.client_id).exists()
        last = escalation.history.order_by("-history_date", "-history_id").first()
        assert (last.tier, last.status) == (escalation.tier, escalation.status)
    assert TierStay.objects.filter(seq=1).count() == 250
    assert TierStay.objects.filter(moved_from__isnull=False).exists()
    assert TierStay.objects.filter(waiting=False).exists()


def test_demo_first_responses_breach_only_when_they_came_late(organisation):
    seed_demo_escalations(organisation, count=30, rng=random.Random(7), now=timezone.now())

    for escalation in Escalation.objects.all():
        given, due = escalation.first_response_at, escalation.first_response_due
        late = given is not None and due is not None and given > due
        if given is not None:
            assert (escalation.first_response_breached_at is not None) == late, escalation.reference
