"""The SQL by which PostgreSQL drafts and writes a chunk of calls (and their versions)."""

from django.db import connection

from ..models import Call

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
