"""The demo calls and the benchmark volume: valid, each client's own, loaded once."""

import random

import pytest
from django.utils import timezone

from apps.calls.demo import seed_demo_calls
from apps.calls.demo_volume import generate_call_volume
from apps.calls.models import Call, Direction, Outcome, QualityAudit
from apps.core.choices import Status
from apps.core.demo import seed_organisation
from apps.core.scoping import accessible_client_ids

pytestmark = pytest.mark.django_db


def test_demo_calls_cover_both_clients_outcomes_follow_ups_and_audits():
    organisation = seed_organisation()

    created = seed_demo_calls(organisation, per_client=60, rng=random.Random(1), now=timezone.now())

    assert created == Call.objects.count() >= 120
    for demo in organisation.clients:
        calls = Call.objects.filter(client=demo.client)
        assert set(calls.values_list("direction", flat=True)) == set(Direction.values)
        assert calls.filter(status=Status.CLOSED).exists()
        assert calls.filter(status=Status.NEW).exists()
        for call in calls.select_related("assignee", "follow_up_of"):
            call.full_clean()
            assert demo.client.pk in accessible_client_ids(call.assignee)
            assert call.history.exists()
            if call.follow_up_of is not None:
                assert call.follow_up_of.client_id == demo.client.pk
            if call.status == Status.CLOSED:
                assert call.closing_problems() == {}
                assert not call.is_breached or call.outcome == Outcome.FOLLOW_UP
    assert len(set(Call.objects.values_list("outcome", flat=True))) == len(Outcome.values)
    assert Call.objects.filter(follow_up_of__isnull=False).exists()
    assert QualityAudit.objects.filter(passed=True).exists()
    assert QualityAudit.objects.filter(passed=False, coaching_needed=True).exists()
    for audit in QualityAudit.objects.select_related("call"):
        assert audit.client_id == audit.call.client_id


def test_demo_calls_are_loaded_once():
    organisation = seed_organisation()
    seed_demo_calls(organisation, per_client=10, rng=random.Random(1), now=timezone.now())
    before = Call.objects.count(), QualityAudit.objects.count()

    again = seed_demo_calls(organisation, per_client=10, rng=random.Random(2), now=timezone.now())

    assert again == 0
    assert (Call.objects.count(), QualityAudit.objects.count()) == before


def test_volume_adds_valid_calls_with_history_on_every_call():
    organisation = seed_organisation()

    first = generate_call_volume(
        organisation, count=120, rng=random.Random(3), now=timezone.now(), batch_size=50
    )
    second = generate_call_volume(organisation, count=30, rng=random.Random(4), now=timezone.now())

    assert (first, second, Call.objects.count()) == (120, 30, 150)
    assert len(set(Call.objects.values_list("reference", flat=True))) == 150
    assert Call.history.count() == 150
    assert set(Call.objects.values_list("status", flat=True)) == {Status.NEW, Status.CLOSED}
    for call in Call.objects.select_related("query_category", "disposition"):
        call.full_clean()
        if call.status == Status.CLOSED:
            assert call.closing_problems() == {}
