"""Every home page counter equals a slow count of its definition over generated records."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.calls.models import Call
from apps.core.choices import Severity, Status
from apps.core.staleness import STALE_AFTER
from apps.core.summaries.fold import fold_deltas
from apps.interruptions.models import Interruption
from apps.reports.dashboard.agent import open_work
from apps.reports.dashboard.auditor import glances
from apps.reports.dashboard.lead import queue_counts, weekly_trend
from apps.reports.periods import MONTH, WEEK, period_containing, today_in
from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory
from tests.reports.examples import report_examples

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # a Monday, two days into a month
OPEN = set(Status.open_values())
DONE = {Status.RESOLVED, Status.CLOSED}
MODELS = [Interruption, Call]
FACTORIES = {Interruption: InterruptionFactory, Call: CallFactory}

hours = st.integers(-24 * 60, 24 * 2)
records = st.lists(
    st.fixed_dictionaries(
        {
            "model": st.sampled_from(MODELS),
            "mine": st.booleans(),  # of the lead's client (else the other client)
            "severity": st.sampled_from(list(Severity.values)),
            "status": st.sampled_from(list(Status.values)),
            "assigned": st.booleans(),
            "occurred": hours,
            "due": st.one_of(st.none(), st.integers(-24 * 40, 3)),
            "stamped": st.booleans(),
            "resolved_after": st.integers(-5, 5),
            "updated": st.integers(0, 24 * 9),
        }
    ),
    max_size=10,
)


def make(world, spec) -> object:
    at = lambda offset: NOW + timedelta(hours=offset)  # noqa: E731
    occurred = at(spec["occurred"])
    due = at(spec["due"]) if spec["due"] is not None else None
    status = spec["status"]
    done = status in DONE
    factory = FACTORIES[spec["model"]]
    record = factory(
        client=world.client_a if spec["mine"] else world.client_b,
        severity=spec["severity"],
        status=status,
        occurred_at=occurred,
        closed_at=NOW if status == Status.CLOSED else None,
        cancel_reason="Duplicate" if status == Status.CANCELLED else "",
        assignee=world.agent if spec["assigned"] else None,
    )
    fields = {
        "resolution_due": due,
        "resolved_at": (due or occurred) + timedelta(hours=spec["resolved_after"])
        if done
        else None,
        "resolution_breached_at": due if spec["stamped"] and due is not None else None,
        "updated_at": NOW - timedelta(hours=spec["updated"]),
    }
    type(record).objects.filter(pk=record.pk).update(**fields)
    record.refresh_from_db()
    return record


def slow_counters(made, now) -> dict:
    """The counters, written from their definitions over the records one by one."""
    today = now.date()
    counts = {}
    for record in made:
        if record.client_id != made.client_id:
            continue
        row = counts.setdefault(
            record._meta.label_lower, {"due": 0, "breached": 0, "unassigned": 0, "stale": 0}
        )
        is_open = record.status in OPEN
        due = record.resolution_due
        row["due"] += is_open and due is not None and now <= due < now + timedelta(hours=1)
        stamp = record.resolution_breached_at
        row["breached"] += stamp is not None and stamp.astimezone(UTC).date() == today
        row["unassigned"] += is_open and record.assignee_id is None
        row["stale"] += is_open and record.updated_at < now - STALE_AFTER[record.severity]
    return counts


class Made(list):
    client_id: int


@pytest.mark.django_db
@settings(
    max_examples=report_examples(),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(specs=records, fold=st.booleans())
def test_each_counter_equals_a_slow_count_of_its_definition(world, specs, fold):
    Interruption.objects.all().delete()
    Call.objects.all().delete()
    made = Made(make(world, spec) for spec in specs)
    made.client_id = world.client_a.pk
    if fold:
        fold_deltas()

    counts = queue_counts(MODELS, world.lead, NOW)
    expected = slow_counters(made, NOW)
    for model in MODELS:
        label = model._meta.label_lower
        assert counts[label] == expected.get(
            label, {"due": 0, "breached": 0, "unassigned": 0, "stale": 0}
        )

    # Trend: records opened per week of the centre (UTC in tests), and those now done.
    table = weekly_trend(MODELS, world.lead, NOW)
    zone = ZoneInfo("UTC")
    weeks = period_containing(WEEK, NOW.date(), zone).trend(8)
    for period, row in zip(weeks, table.rows, strict=True):
        inside = [
            r
            for r in made
            if r.client_id == made.client_id
            and period.start <= r.occurred_at
            and r.occurred_at < period.end
        ]
        assert row[1].value == len(inside)
        assert row[2].value == sum(r.status in DONE for r in inside)

    # The auditor's glance: resolved or closed records of the month, and those not breached.
    glance = glances(world.auditor, NOW)[0]
    client_zone = ZoneInfo(world.client_a.timezone)
    this = period_containing(MONTH, today_in(client_zone, NOW), client_zone)
    for model_index, model in enumerate(MODELS):
        row = next(r for r in glance.table.rows if r[0].value == _label(model))
        for index, period in enumerate((this.previous(), this)):
            end = min(period.end, NOW)
            resolved = [
                r
                for r in made
                if isinstance(r, model)
                and r.client_id == made.client_id
                and period.start <= r.occurred_at < end
                and r.status in DONE
            ]
            kept = [r for r in resolved if not _breached(r)]
            assert row[1 + 2 * index + 1].value == len(resolved), (model_index, index)
            expected_share = 100.0 * len(kept) / len(resolved) if resolved else None
            assert row[1 + 2 * index].value == (pytest.approx(expected_share) if resolved else None)

    # The agent's open work: their open records of the lead's client, soonest due first.
    work = open_work(world.agent, NOW)
    mine = [
        r
        for r in made
        if r.client_id == made.client_id and r.assignee_id == world.agent.pk and r.status in OPEN
    ]
    assert work.total == len(mine)
    assert [item.reference for item in work.items] == [
        r.reference
        for r in sorted(
            mine,
            key=lambda r: (r.resolution_due is None, r.resolution_due or NOW, r.reference),
        )
    ]


def _breached(record) -> bool:
    if record.resolution_breached_at is not None:
        return True
    return bool(
        record.resolved_at and record.resolution_due and record.resolved_at > record.resolution_due
    )


def _label(model) -> str:
    return str(model._meta.verbose_name_plural).capitalize()
