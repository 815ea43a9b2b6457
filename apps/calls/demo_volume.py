"""Bulk volume of call logs for benchmarks: ten million calls in minutes on PostgreSQL.

Calls are drafted like the demo ones (every direction and outcome, valid times, over the last
year) and written with their final state and, unless told otherwise, a creation version each.
On PostgreSQL the database drafts them itself: one `INSERT … SELECT … FROM generate_series`
per chunk of a quarter of a million calls (their versions written by the same statement), two
chunks at a time, so no row passes through Python and triggers on the table run once per
chunk. Elsewhere (SQLite, for the tests) the same rules are drafted here and written through
`insert_calls`.

What the rows hold to, in both ways:
- a call answered is spoken to: category, description, sentiment, talk time; missed, dropped
  and voicemail calls are not; a voicemail is outbound;
- resolved calls are closed as they end (older than an hour); escalated, missed, dropped and
  voicemail calls are closed within two days once older than that; a call needing a follow-up
  stays open, its follow-up due a day after it ended; missed and dropped inbound calls have
  their call-back time set, as the missed-call follow-up would have;
- the resolution is due by the default targets of its severity, and a call closed after that
  time, or still open past it, carries the breach stamp of that due time;
- reference numbers are taken from the year's sequence, so later calls never collide.
"""

import random
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from apps.core.bulk_insert import (
    refresh_statistics,
    run_in_parallel,
    secondary_indexes_dropped,
    tune_for_bulk_load,
    worth_rebuilding_indexes,
)
from apps.core.choices import Status, Tier
from apps.core.demo import DemoOrganisation
from apps.core.models import CodeListEntry
from apps.core.services.references import SEQUENCE_DIGITS, reserve_reference_numbers
from apps.core.targets import DEFAULT_TARGETS, default_resolution_due

from .bulk_write import insert_calls
from .demo import CUSTOMERS, OUTCOMES, QUEUES, SCENARIOS, codes, phone_number
from .models import Call, Direction, Outcome, Sentiment

VOLUME_BATCH = 5000
# Calls per statement on PostgreSQL: large enough that per-statement work (planning, the
# statement triggers) is noise, small enough that a failure loses little.
SQL_CHUNK = 250_000
WINDOW = timedelta(days=365)
SEVERITIES = ("SEV4", "SEV4", "SEV4", "SEV3", "SEV2")
SENTIMENTS = tuple(Sentiment.values)
OUTCOME_CHOICES = tuple(outcome.value for outcome in OUTCOMES)
OUTCOME_WEIGHTS = tuple(weight for weight, _ in OUTCOMES.values())
SILENT = frozenset(Outcome.without_conversation())
# Outcomes closed some hours after the call, once it is older than CLOSED_AFTER.
CLOSED_LATER = (Outcome.ESCALATED.value, *sorted(SILENT))
CLOSED_AFTER = timedelta(days=2)
RESOLVED_CLOSED_AFTER = timedelta(hours=1)
CALL_BACK_OUTCOMES = (Outcome.MISSED.value, Outcome.DROPPED.value)
CALL_BACK_SCHEDULED_AFTER = timedelta(minutes=15)
FOLLOW_UP_IN = timedelta(days=1)
NUMBERS_PER_CLIENT = 500
WAIT_SECONDS, TALK_SECONDS = (5, 240), (40, 1200)
# No call lasts longer: one started this long before New Year is logged (ended) in its year.
LONGEST_CALL = timedelta(seconds=WAIT_SECONDS[1] + TALK_SECONDS[1])
HISTORY_REASON = "Generated volume"
ESCALATION_NOTES = "Passed to the technical team lead."
ESCALATION_RESOLUTION = "The technical team fixed it and called the customer back."

ProgressCallback = Callable[[int, int], None]


class _Drafter:
    """Rows (attribute name → value) of valid calls of the demo clients."""

    def __init__(self, organisation: DemoOrganisation, rng: random.Random, now: datetime):
        self.rng, self.now = rng, now
        entries = codes()
        category_list = CodeListEntry.ListName.QUERY_CATEGORY
        self.categories = {
            scenario.category: entries[(category_list, scenario.category)].pk
            for scenario in SCENARIOS
        }
        self.dispositions = {
            outcome.value: entries[(CodeListEntry.ListName.DISPOSITION, code)].pk
            for outcome, (_, code) in OUTCOMES.items()
        }
        self.clients = [
            {
                "client_id": demo.client.pk,
                "code": demo.client.code,
                "agents": [user.pk for user in demo.members[Tier.FRONTLINE]],
                "team_id": demo.teams[Tier.FRONTLINE].pk,
                "numbers": [phone_number(rng, demo.client.code) for _ in range(NUMBERS_PER_CLIENT)],
            }
            for demo in organisation.clients
        ]

    def draft(self, started: datetime) -> dict:
        rng, now = self.rng, self.now
        client = rng.choice(self.clients)
        outcome = rng.choices(OUTCOME_CHOICES, OUTCOME_WEIGHTS)[0]
        spoken = outcome not in SILENT
        direction = (
            Direction.OUTBOUND.value
            if outcome == Outcome.VOICEMAIL or rng.random() < 0.15
            else Direction.INBOUND.value
        )
        scenario = rng.choice(SCENARIOS)
        wait = rng.randint(*WAIT_SECONDS)
        answered = started + timedelta(seconds=wait) if spoken else None
        talk = rng.randint(*TALK_SECONDS) if spoken else None
        ended = answered + timedelta(seconds=talk) if spoken else started + timedelta(seconds=25)
        severity = rng.choice(SEVERITIES)
        agent = rng.choice(client["agents"])
        closed_at = None
        if outcome == Outcome.RESOLVED and ended < now - RESOLVED_CLOSED_AFTER:
            closed_at = ended
        elif outcome in CLOSED_LATER and ended < now - CLOSED_AFTER:
            closed_at = ended + timedelta(hours=1 + 47 * rng.random())
        due = default_resolution_due(severity, started)
        missed_by = closed_at or now
        follow_up_due = None
        if outcome == Outcome.FOLLOW_UP:
            follow_up_due = ended + FOLLOW_UP_IN
        elif (
            direction == Direction.INBOUND
            and outcome in CALL_BACK_OUTCOMES
            and ended < now - CALL_BACK_SCHEDULED_AFTER
        ):
            follow_up_due = ended + timedelta(minutes=settings.CALL_BACK_WITHIN_MINUTES)
        resolution = ""
        if outcome == Outcome.RESOLVED:
            resolution = scenario.resolution
        elif outcome == Outcome.ESCALATED and closed_at:
            resolution = ESCALATION_RESOLUTION
        return {
            "client_id": client["client_id"],
            "direction": direction,
            "title": scenario.title,
            "description": scenario.description if spoken else "",
            "severity": severity,
            "status": Status.CLOSED.value if closed_at else Status.NEW.value,
            "reported_by_id": agent,
            "assignee_id": agent,
            "team_id": client["team_id"],
            "occurred_at": started,
            "answered_at": answered,
            "ended_at": ended,
            "wait_seconds": wait if direction == Direction.INBOUND else None,
            "talk_seconds": talk,
            "caller_number": rng.choice(client["numbers"]),
            "customer_name": rng.choice(CUSTOMERS) if spoken else "",
            "account_reference": f"{client['code'].upper()}-{rng.randint(100000, 999999)}",
            "queue": rng.choice(QUEUES[direction]),
            "query_category_id": self.categories[scenario.category] if spoken else None,
            "disposition_id": self.dispositions[outcome],
            "outcome": outcome,
            "sentiment": rng.choice(SENTIMENTS) if spoken else "",
            "resolution": resolution,
            "escalation_notes": ESCALATION_NOTES if outcome == Outcome.ESCALATED else "",
            "follow_up_due": follow_up_due,
            "resolution_due": due,
            "resolution_breached_at": due if missed_by > due else None,
            "resolved_at": closed_at,
            "closed_at": closed_at,
            "created_at": ended,
            "updated_at": closed_at or ended,
            "version": 1,
        }


def generate_call_volume(
    organisation: DemoOrganisation,
    *,
    count: int,
    rng: random.Random,
    now: datetime,
    batch_size: int | None = None,
    with_history: bool = True,
    workers: int = 2,
    rebuild_indexes: bool | None = None,
    progress: ProgressCallback | None = None,
    stage: Callable[[str], None] | None = None,
) -> int:
    """Add `count` calls spread evenly over the last year, oldest first; more on every call.

    `batch_size` is the number of calls per transaction (default: SQL_CHUNK on PostgreSQL,
    VOLUME_BATCH elsewhere); `with_history` gives each its creation version. On PostgreSQL,
    `workers` connections write at once, and the secondary indexes are dropped for the load
    and built again after it when `rebuild_indexes` says so (by default, when that is
    faster: see `worth_rebuilding_indexes`); `stage` hears when that starts. Returns how
    many calls were created.
    """
    if count <= 0:
        return 0
    if connection.vendor == "postgresql":
        if rebuild_indexes is None:
            rebuild_indexes = worth_rebuilding_indexes(Call, count)
        tables = (Call, Call.history.model) if with_history else (Call,)
        with (
            secondary_indexes_dropped(*tables, workers=workers, stage=stage)
            if rebuild_indexes
            else nullcontext()
        ):
            done = _generate_in_database(
                organisation,
                count=count,
                rng=rng,
                now=now,
                chunk=batch_size or SQL_CHUNK,
                with_history=with_history,
                workers=workers,
                progress=progress,
            )
    else:
        done = _generate_here(
            organisation,
            count=count,
            rng=rng,
            now=now,
            batch_size=batch_size or VOLUME_BATCH,
            with_history=with_history,
            progress=progress,
        )
    refresh_statistics(Call, Call.history.model)
    return done


def _generate_here(organisation, *, count, rng, now, batch_size, with_history, progress) -> int:
    drafter = _Drafter(organisation, rng, now)
    tune_for_bulk_load()
    start, end = _window(now)
    slot = (end - start) / count
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        moments = (start + slot * (done + index + rng.random()) for index in range(size))
        rows = [drafter.draft(moment) for moment in moments]
        with transaction.atomic():
            for year, of_year in _by_year(rows):
                insert_calls(
                    of_year,
                    year=year,
                    history_reason=HISTORY_REASON,
                    timeline=False,
                    history=with_history,
                )
        done += size
        if progress is not None:
            progress(done, count)
    return done


def _window(now: datetime) -> tuple[datetime, datetime]:
    return now - WINDOW, now - timedelta(minutes=30)


def _by_year(rows: list[dict]) -> Iterator[tuple[int, list[dict]]]:
    """Rows grouped by the year they were logged in (their reference's year), in order."""
    years: dict[int, list[dict]] = {}
    for row in rows:
        years.setdefault(row["created_at"].year, []).append(row)
    yield from years.items()


# --- PostgreSQL: the database drafts the rows --------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    first: int  # position of its first call among all `count`, from 0
    size: int
    year: int
    first_number: int  # reference number of its first call
    seed: float  # for setseed(): the chunk's rows do not depend on which connection runs it


def _generate_in_database(
    organisation, *, count, rng, now, chunk, with_history, workers, progress
) -> int:
    start, end = _window(now)
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
_DRAWS = """
    SELECT
        g,
        1 + floor(random() * cardinality(%(clients)s::bigint[]))::int AS c,
        random() AS r_outcome,
        random() AS r_direction,
        1 + floor(random() * cardinality(%(titles)s::text[]))::int AS s,
        %(wait_low)s + floor(random() * (%(wait_high)s - %(wait_low)s + 1))::int AS wait,
        %(talk_low)s + floor(random() * (%(talk_high)s - %(talk_low)s + 1))::int AS talk,
        (%(severities)s::text[])[1 + floor(random() * cardinality(%(severities)s::text[]))]
            AS severity,
        random() AS r_agent,
        random() AS r_number,
        random() AS r_customer,
        100000 + floor(random() * 900000)::int AS account,
        random() AS r_queue,
        random() AS r_sentiment,
        random() AS r_close,
        greatest(
            %(year_start)s::timestamptz,
            least(
                %(year_end)s::timestamptz - %(longest_call)s::interval,
                %(start)s::timestamptz + (g + random()) * %(slot)s::interval
            )
        ) AS started
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
"""

_OUTCOMES = """
    SELECT
        d.*,
        (%(outcomes)s::text[])[o.position] AS outcome,
        o.position AS outcome_position,
        (%(outcomes)s::text[])[o.position] <> ALL (%(silent)s::text[]) AS spoken,
        CASE
            WHEN (%(outcomes)s::text[])[o.position] = %(voicemail)s OR d.r_direction < 0.15
                THEN %(outbound)s
            ELSE %(inbound)s
        END AS direction
    FROM ({draws}) AS d
    -- The outcome's bucket among the lower bounds of the cumulative weights.
    CROSS JOIN LATERAL (
        SELECT width_bucket(d.r_outcome, %(outcome_bounds)s::float8[]) AS position
    ) AS o
"""

_TIMES = """
    SELECT
        x.*,
        CASE WHEN spoken THEN started + make_interval(secs => wait) END AS answered_at,
        CASE
            WHEN spoken THEN started + make_interval(secs => wait + talk)
            ELSE started + interval '25 seconds'
        END AS ended_at,
        started + (%(targets)s::interval[])[
            array_position(%(target_severities)s::text[], severity)
        ] AS due
    FROM ({outcomes}) AS x
"""

_CLOSING = """
    SELECT
        t.*,
        CASE
            WHEN outcome = %(resolved)s AND ended_at < %(now)s::timestamptz
                - %(resolved_closed_after)s::interval THEN ended_at
            WHEN outcome = ANY (%(closed_later)s::text[])
                AND ended_at < %(now)s::timestamptz - %(closed_after)s::interval
                THEN ended_at + (1 + 47 * r_close) * interval '1 hour'
        END AS closed_at
    FROM ({times}) AS t
"""

_ROWS = """
    SELECT
        %(prefix)s || lpad(
            (%(first_number)s::bigint + g - %(first)s::bigint)::text,
            greatest(%(digits)s, length((%(first_number)s::bigint + g - %(first)s::bigint)::text)),
            '0'
        ) AS reference,
        (%(titles)s::text[])[s] AS title,
        CASE WHEN spoken THEN (%(descriptions)s::text[])[s] ELSE '' END AS description,
        severity,
        CASE WHEN closed_at IS NULL THEN %(new)s ELSE %(closed)s END AS status,
        started AS occurred_at,
        closed_at AS resolved_at,
        closed_at,
        due AS resolution_due,
        CASE WHEN coalesce(closed_at, %(now)s::timestamptz) > due THEN due END
            AS resolution_breached_at,
        '' AS cancel_reason,
        ended_at AS created_at,
        coalesce(closed_at, ended_at) AS updated_at,
        1 AS version,
        direction,
        answered_at,
        ended_at,
        CASE WHEN direction = %(inbound)s THEN wait END AS wait_seconds,
        CASE WHEN spoken THEN talk END AS talk_seconds,
        (%(numbers)s::text[])[
            (c - 1) * %(numbers_per_client)s + 1 + floor(r_number * %(numbers_per_client)s)::int
        ] AS caller_number,
        CASE
            WHEN spoken THEN (%(customers)s::text[])[
                1 + floor(r_customer * cardinality(%(customers)s::text[]))::int
            ]
            ELSE ''
        END AS customer_name,
        (%(client_codes)s::text[])[c] || '-' || account AS account_reference,
        CASE
            WHEN direction = %(inbound)s THEN (%(inbound_queues)s::text[])[
                1 + floor(r_queue * cardinality(%(inbound_queues)s::text[]))::int
            ]
            ELSE %(outbound_queue)s
        END AS queue,
        outcome,
        CASE
            WHEN outcome = %(resolved)s THEN (%(resolutions)s::text[])[s]
            WHEN outcome = %(escalated)s AND closed_at IS NOT NULL THEN %(escalation_resolution)s
            ELSE ''
        END AS resolution,
        CASE WHEN outcome = %(escalated)s THEN %(escalation_notes)s ELSE '' END
            AS escalation_notes,
        CASE
            WHEN spoken THEN (%(sentiments)s::text[])[
                1 + floor(r_sentiment * cardinality(%(sentiments)s::text[]))::int
            ]
            ELSE ''
        END AS sentiment,
        CASE
            WHEN outcome = %(follow_up)s THEN ended_at + %(follow_up_in)s::interval
            WHEN direction = %(inbound)s AND outcome = ANY (%(call_back_outcomes)s::text[])
                AND ended_at < %(now)s::timestamptz - %(call_back_scheduled_after)s::interval
                THEN ended_at + %(call_back_in)s::interval
        END AS follow_up_due,
        NULL::numeric AS qa_score,
        agent AS assignee_id,
        (%(clients)s::bigint[])[c] AS client_id,
        (%(dispositions)s::bigint[])[outcome_position] AS disposition_id,
        NULL::bigint AS follow_up_of_id,
        CASE WHEN spoken THEN (%(categories)s::bigint[])[s] END AS query_category_id,
        agent AS reported_by_id,
        (%(teams)s::bigint[])[c] AS team_id
    FROM (
        SELECT
            k.*,
            (%(agents)s::int[])[
                (%(agent_offsets)s::int[])[c] + 1
                + floor(r_agent * (%(agent_counts)s::int[])[c])::int
            ] AS agent
        FROM ({closing}) AS k
    ) AS a
"""

# Written in this order; the creation version copies them with its own four columns.
_COLUMNS = (
    "reference, title, description, severity, status, occurred_at, resolved_at, closed_at, "
    "resolution_due, resolution_breached_at, cancel_reason, created_at, updated_at, version, "
    "direction, answered_at, ended_at, wait_seconds, talk_seconds, caller_number, "
    "customer_name, account_reference, queue, outcome, resolution, escalation_notes, "
    "sentiment, follow_up_due, qa_score, assignee_id, client_id, disposition_id, "
    "follow_up_of_id, query_category_id, reported_by_id, team_id"
)


def _statement(with_history: bool) -> str:
    draws = _DRAWS
    outcomes = _OUTCOMES.replace("{draws}", draws)
    times = _TIMES.replace("{outcomes}", outcomes)
    closing = _CLOSING.replace("{times}", times)
    rows = _ROWS.replace("{closing}", closing)
    table = connection.ops.quote_name(Call._meta.db_table)
    # external_call_id: the id a telephony export would carry, unique per client.
    insert = (
        f"INSERT INTO {table} ({_COLUMNS}, external_call_id) "
        f"SELECT r.*, 'VOL-' || r.reference FROM ({rows}) AS r"
    )
    if not with_history:
        return insert
    history = connection.ops.quote_name(Call.history.model._meta.db_table)
    return (
        f"WITH created AS ({insert} RETURNING id, {_COLUMNS}, external_call_id) "
        f"INSERT INTO {history} (id, {_COLUMNS}, external_call_id, history_date, "
        "history_type, history_user_id, history_change_reason) "
        "SELECT created.*, created_at, '+', reported_by_id, %(history_reason)s FROM created"
    )
