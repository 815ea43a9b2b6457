"""The demo calls and the benchmark volume: valid, each client's own, loaded once."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.calls.demo import seed_demo_calls
from apps.calls.demo_volume import generate_call_volume
from apps.calls.models import Call, Direction, Outcome, QualityAudit
from apps.core.choices import Status
from apps.core.demo import seed_organisation
from apps.core.models import ReferenceSequence
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


def _assert_consistent_volume(now) -> None:
    """Every generated call is valid, closable when closed, and stamped when it missed its
    resolution due time; missed and dropped inbound calls have their call-back time."""
    for call in Call.objects.select_related("query_category", "disposition"):
        call.full_clean()
        if call.status == Status.CLOSED:
            assert call.closing_problems() == {}
            assert call.resolved_at == call.closed_at
        missed_by = call.closed_at or now
        expected = call.resolution_due if missed_by > call.resolution_due else None
        assert call.resolution_breached_at == expected, call.reference
        if (
            call.direction == Direction.INBOUND
            and call.outcome in (Outcome.MISSED, Outcome.DROPPED)
            and call.ended_at < now - timedelta(minutes=15)
        ):
            assert call.follow_up_due is not None
        assert call.reference.startswith(f"CALL-{call.created_at.year}-")


def test_volume_calls_are_closed_stamped_and_numbered_as_the_services_would():
    organisation = seed_organisation()
    now = timezone.now()

    generate_call_volume(organisation, count=200, rng=random.Random(5), now=now)

    _assert_consistent_volume(now)
    statuses = set(Call.objects.values_list("status", flat=True))
    assert statuses == {Status.NEW, Status.CLOSED}
    assert Call.objects.filter(resolution_breached_at__isnull=False).exists()
    # A call logged later takes the next number of its year: nothing collides.
    year = now.year
    sequence = ReferenceSequence.objects.get(prefix=Call.reference_prefix, year=year)
    assert sequence.last_value == Call.objects.filter(reference__startswith=f"CALL-{year}-").count()


def test_volume_without_history_writes_no_versions():
    organisation = seed_organisation()

    generate_call_volume(
        organisation, count=50, rng=random.Random(6), now=timezone.now(), with_history=False
    )

    assert (Call.objects.count(), Call.history.count()) == (50, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_volume_drafted_by_postgresql_in_chunks_on_two_connections():
    if connection.vendor != "postgresql":
        pytest.skip("drafted in the database on PostgreSQL only")
    organisation = seed_organisation()
    now = timezone.now()
    indexes_before = _index_names()

    done = generate_call_volume(
        organisation,
        count=600,
        rng=random.Random(7),
        now=now,
        batch_size=150,
        workers=2,
        rebuild_indexes=True,
    )

    assert done == Call.objects.count() == Call.history.count() == 600
    assert Call.objects.values("reference").distinct().count() == 600
    assert _index_names() == indexes_before
    _assert_consistent_volume(now)
    shares = Counter(Call.objects.values_list("client_id", flat=True))
    assert all(150 < count < 450 for count in shares.values())
    assert Counter(Call.objects.values_list("outcome", flat=True)).keys() == set(Outcome.values)


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY (%s)",
            [[Call._meta.db_table, Call.history.model._meta.db_table]],
        )
        return {row[0] for row in cursor.fetchall()}
