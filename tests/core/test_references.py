"""Reference numbers: format, sequence, never reused, unique under concurrent creation."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from apps.core.models import ReferenceSequence
from apps.core.services.references import (
    format_reference,
    next_reference,
    reserve_reference_numbers,
)
from apps.interruptions.models import Interruption
from apps.interruptions.services import interruption_create
from tests.factories import ClientFactory, ReferenceSequenceFactory, UserFactory

THREADS = 8
PER_THREAD = 25
# A whole record per number is ~25 ms of serialised work on PostgreSQL; 8 x 10 keeps the race
# (every thread saving at once) while the test stays quick.
CREATES_PER_THREAD = 10


def test_format_pads_the_sequence_to_six_digits():
    assert format_reference("INT", 2026, 42) == "INT-2026-000042"
    assert format_reference("CALL", 2027, 1) == "CALL-2027-000001"
    assert format_reference("ESC", 2026, 999_999) == "ESC-2026-999999"
    # Past a million the number grows rather than wraps.
    assert format_reference("ESC", 2026, 1_000_000) == "ESC-2026-1000000"


@pytest.mark.django_db
def test_numbers_are_sequential_per_prefix_and_year():
    when = datetime(2026, 3, 1, tzinfo=UTC)
    assert [next_reference("INT", when) for _ in range(3)] == [
        "INT-2026-000001",
        "INT-2026-000002",
        "INT-2026-000003",
    ]
    assert next_reference("FLR", when) == "FLR-2026-000001"
    assert next_reference("INT", datetime(2027, 1, 1, tzinfo=UTC)) == "INT-2027-000001"
    assert next_reference("INT", when) == "INT-2026-000004"
    rows = set(ReferenceSequence.objects.values_list("prefix", "year", "last_value"))
    assert rows == {("INT", 2026, 4), ("FLR", 2026, 1), ("INT", 2027, 1)}


@pytest.mark.django_db
def test_without_a_date_the_current_year_is_used():
    assert next_reference("REC") == f"REC-{timezone.now().year}-000001"


@pytest.mark.django_db
def test_an_existing_sequence_continues_where_it_stopped():
    ReferenceSequenceFactory(prefix="INT", year=2026, last_value=41)
    assert next_reference("INT", datetime(2026, 6, 1, tzinfo=UTC)) == "INT-2026-000042"


@pytest.mark.django_db
def test_reserving_a_block_returns_consecutive_numbers():
    assert list(reserve_reference_numbers("INT", 2026, 5)) == [1, 2, 3, 4, 5]
    assert list(reserve_reference_numbers("INT", 2026, 3)) == [6, 7, 8]
    assert list(reserve_reference_numbers("INT", 2026)) == [9]
    assert ReferenceSequence.objects.get(prefix="INT", year=2026).last_value == 9


@pytest.mark.django_db
def test_a_deleted_records_number_is_never_handed_out_again(world):
    values = {
        "client": world.client_a,
        "kind": "incident",
        "title": "Softphone crash",
        "occurred_at": timezone.now() - timedelta(hours=1),
    }
    first = interruption_create(actor=world.agent, values=values)
    second = interruption_create(actor=world.agent, values=values)
    deleted_reference = second.reference
    second.delete()
    third = interruption_create(actor=world.agent, values=values)
    year = timezone.now().year
    assert [first.reference, deleted_reference, third.reference] == [
        f"INT-{year}-000001",
        f"INT-{year}-000002",
        f"INT-{year}-000003",
    ]


# --- concurrency (PostgreSQL only: SQLite serialises writers and cannot show the race) -----


def _run_in_threads(work: Callable[[int], list[str]]) -> list[str]:
    """Run `work(thread_number)` in THREADS threads released together; gather the results."""
    barrier = threading.Barrier(THREADS)
    results: list[list[str]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []

    def runner(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[number] = work(number)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    return [reference for chunk in results for reference in chunk]


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent reference numbers are tested on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_concurrent_next_reference_hands_out_each_number_once():
    _needs_postgresql()
    when = datetime(2026, 5, 1, tzinfo=UTC)

    def work(_number: int) -> list[str]:
        return [next_reference("INT", when) for _ in range(PER_THREAD)]

    references = _run_in_threads(work)
    total = THREADS * PER_THREAD
    assert len(references) == total
    assert sorted(references) == [format_reference("INT", 2026, n) for n in range(1, total + 1)]
    assert ReferenceSequence.objects.get(prefix="INT", year=2026).last_value == total


@pytest.mark.django_db(transaction=True)
def test_concurrent_interruption_create_gives_unique_references():
    _needs_postgresql()
    client = ClientFactory(name="Concurrent Co", code="conc")
    agents = [UserFactory(username=f"racer{number}") for number in range(THREADS)]
    started = timezone.now() - timedelta(hours=1)

    def work(number: int) -> list[str]:
        created = []
        for index in range(CREATES_PER_THREAD):
            interruption = interruption_create(
                actor=agents[number],
                values={
                    "client": client,
                    "kind": "incident",
                    "title": f"Race {number}-{index}",
                    "occurred_at": started,
                },
            )
            created.append(interruption.reference)
        return created

    references = _run_in_threads(work)
    total = THREADS * CREATES_PER_THREAD
    year = timezone.now().year
    assert sorted(references) == [format_reference("INT", year, n) for n in range(1, total + 1)]
    stored = list(Interruption.objects.values_list("reference", flat=True))
    assert sorted(stored) == sorted(references)
