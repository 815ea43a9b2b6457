"""PostgreSQL drafts the calls itself: chunks of `INSERT … SELECT … FROM generate_series`,
run on several connections at once."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection

from apps.core.bulk_insert import run_in_parallel
from apps.core.choices import Status, Tier
from apps.core.models import CodeListEntry
from apps.core.services.references import SEQUENCE_DIGITS, reserve_reference_numbers
from apps.core.targets import DEFAULT_TARGETS

from ..demo import CUSTOMERS, OUTCOMES, QUEUES, SCENARIOS, codes, phone_number
from ..models import Call, Direction, Outcome
from .drafting import (
    CALL_BACK_OUTCOMES,
    CALL_BACK_SCHEDULED_AFTER,
    CLOSED_AFTER,
    CLOSED_LATER,
    ESCALATION_NOTES,
    ESCALATION_RESOLUTION,
    FOLLOW_UP_IN,
    HISTORY_REASON,
    LONGEST_CALL,
    NUMBERS_PER_CLIENT,
    OUTCOME_CHOICES,
    OUTCOME_WEIGHTS,
    RESOLVED_CLOSED_AFTER,
    SENTIMENTS,
    SEVERITIES,
    SILENT,
    TALK_SECONDS,
    WAIT_SECONDS,
    window,
)
from .statements import _statement


@dataclass(frozen=True)
class _Chunk:
    first: int  # position of its first call among all `count`, from 0
    size: int
    year: int
    first_number: int  # reference number of its first call
    seed: float  # for setseed(): the chunk's rows do not depend on which connection runs it


def generate_in_database(
    organisation, *, count, rng, now, chunk, with_history, workers, progress
) -> int:
    start, end = window(now)
    slot = (end - start) / count
    parameters = _parameters(organisation, rng, now, start, slot)
    statement = _statement(with_history)
    done = 0

    def report(written: int) -> None:
        nonlocal done
        done += written
        if progress is not None:
            progress(done, count)

    def job(part: _Chunk) -> Callable[[], int]:
        def run() -> int:
            year_start = datetime(part.year, 1, 1, tzinfo=UTC)
            with connection.cursor() as cursor:
                cursor.execute("SELECT setseed(%s)", [part.seed])
                cursor.execute(
                    statement,
                    parameters
                    | {
                        "first": part.first,
                        "last": part.first + part.size - 1,
                        "first_number": part.first_number,
                        "prefix": f"{Call.reference_prefix}-{part.year}-",
                        # Calls are numbered in the year they were logged: a chunk spanning
                        # New Year is split, and its calls kept on their side of it.
                        "year_start": year_start,
                        "year_end": year_start.replace(year=part.year + 1),
                    },
                )
            return part.size

        return run

    jobs = (job(part) for part in _chunks(count, chunk, start, slot, rng))
    return run_in_parallel(jobs, workers=workers, report=report)


def _chunks(count: int, chunk: int, start: datetime, slot: timedelta, rng) -> Iterator[_Chunk]:
    """Chunks of at most `chunk` calls within one year each, numbered from the sequence."""
    first = 0
    while first < count:
        moment = start + slot * first
        year = moment.astimezone(UTC).year
        next_year = datetime(year + 1, 1, 1, tzinfo=UTC)
        # The first position whose slot starts on or after New Year belongs to the next year.
        in_year = count - first
        if start + slot * count > next_year:
            boundary = -(-(next_year - start) // slot)
            in_year = max(1, boundary - first)
        size = min(chunk, in_year)
        # A short transaction of its own: parallel chunks never wait on the sequence row, and
        # a chunk that fails leaves a gap, never a reused number.
        numbers = reserve_reference_numbers(Call.reference_prefix, year, size)
        yield _Chunk(first, size, year, numbers.start, rng.random() * 2 - 1)
        first += size


def _parameters(organisation, rng, now, start, slot) -> dict:
    entries = codes()
    categories, dispositions = (
        CodeListEntry.ListName.QUERY_CATEGORY,
        CodeListEntry.ListName.DISPOSITION,
    )
    agents, offsets, counts, numbers = [], [], [], []
    for demo in organisation.clients:
        members = [user.pk for user in demo.members[Tier.FRONTLINE]]
        offsets.append(len(agents))
        counts.append(len(members))
        agents.extend(members)
        numbers.extend(phone_number(rng, demo.client.code) for _ in range(NUMBERS_PER_CLIENT))
    total = sum(OUTCOME_WEIGHTS)
    bounds, running = [], 0
    for weight in OUTCOME_WEIGHTS:
        bounds.append(running / total)
        running += weight
    severities = sorted(DEFAULT_TARGETS)
    return {
        "now": now,
        "start": start,
        "slot": slot,
        "clients": [demo.client.pk for demo in organisation.clients],
        "client_codes": [demo.client.code.upper() for demo in organisation.clients],
        "teams": [demo.teams[Tier.FRONTLINE].pk for demo in organisation.clients],
        "agents": agents,
        "agent_offsets": offsets,
        "agent_counts": counts,
        "numbers": numbers,
        "numbers_per_client": NUMBERS_PER_CLIENT,
        "wait_low": WAIT_SECONDS[0],
        "wait_high": WAIT_SECONDS[1],
        "talk_low": TALK_SECONDS[0],
        "talk_high": TALK_SECONDS[1],
        "longest_call": LONGEST_CALL,
        "outcomes": list(OUTCOME_CHOICES),
        "outcome_bounds": bounds,
        "dispositions": [
            entries[(dispositions, code)].pk for outcome, (_, code) in OUTCOMES.items()
        ],
        "titles": [scenario.title for scenario in SCENARIOS],
        "descriptions": [scenario.description for scenario in SCENARIOS],
        "resolutions": [scenario.resolution for scenario in SCENARIOS],
        "categories": [entries[(categories, scenario.category)].pk for scenario in SCENARIOS],
        "severities": list(SEVERITIES),
        "target_severities": severities,
        "targets": [DEFAULT_TARGETS[severity][1] for severity in severities],
        "sentiments": list(SENTIMENTS),
        "customers": list(CUSTOMERS),
        "inbound_queues": list(QUEUES[Direction.INBOUND]),
        "outbound_queue": QUEUES[Direction.OUTBOUND][0],
        "silent": sorted(SILENT),
        "closed_later": list(CLOSED_LATER),
        "call_back_outcomes": list(CALL_BACK_OUTCOMES),
        "resolved": Outcome.RESOLVED.value,
        "escalated": Outcome.ESCALATED.value,
        "follow_up": Outcome.FOLLOW_UP.value,
        "voicemail": Outcome.VOICEMAIL.value,
        "inbound": Direction.INBOUND.value,
        "outbound": Direction.OUTBOUND.value,
        "closed": Status.CLOSED.value,
        "new": Status.NEW.value,
        "closed_after": CLOSED_AFTER,
        "resolved_closed_after": RESOLVED_CLOSED_AFTER,
        "call_back_scheduled_after": CALL_BACK_SCHEDULED_AFTER,
        "call_back_in": timedelta(minutes=settings.CALL_BACK_WITHIN_MINUTES),
        "follow_up_in": FOLLOW_UP_IN,
        "digits": SEQUENCE_DIGITS,
        "escalation_notes": ESCALATION_NOTES,
        "escalation_resolution": ESCALATION_RESOLUTION,
        "history_reason": HISTORY_REASON,
    }


# Each level reads the one below once per row, so every random draw is made once: PostgreSQL
# does not fold a subquery whose output calls a volatile function into its parent.
