"""The downtime spans and tallies stay equal to a recomputation from the interruptions,
whatever wrote them: services, saves, set-based updates, bulk actions, services added and
removed, deletions."""

from collections import Counter, defaultdict
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.core.choices import Status
from apps.core.services.records import records_bulk_change_status
from apps.interruptions.models import Interruption, InterruptionKind
from apps.interruptions.services import interruption_update
from apps.reports.downtime.measures import COUNTED_STATUSES, KINDS, OVERALL
from apps.reports.downtime.sql import floor_hour
from apps.reports.downtime.triggers import drop_sql, restore_triggers
from apps.reports.downtime.upkeep import rebuild, settle
from apps.reports.models import DowntimeChange, DowntimeDailyTally, DowntimeSpan, DowntimeTally
from apps.reports.tasks import settle_downtime
from tests.factories import InterruptionFactory, next_reference

pytestmark = pytest.mark.django_db
K = InterruptionKind
BASE = datetime(2026, 3, 27, 21, 30, tzinfo=UTC)  # writes fall on both sides of midnights
MEASURE_OF = {kind: measure for measure, kinds in KINDS.items() for kind in kinds}

moments = st.integers(0, 3 * 24 * 60)  # minutes from BASE
lengths = st.one_of(st.none(), st.integers(0, 30 * 60))  # None: still going on
picks = st.integers(0, 7)  # which record: by position, modulo how many there are
service_sets = st.sampled_from(["none", "crm", "phones", "both", "other client"])
steps = st.one_of(
    st.tuples(
        st.just("create"),
        st.booleans(),
        st.sampled_from(list(K.values)),
        moments,
        lengths,
        service_sets,
        st.booleans(),
    ),
    st.tuples(
        st.just("edit"), picks, st.sampled_from(["kind", "ended_at", "occurred_at"]), moments
    ),
    st.tuples(
        st.just("raw"),
        picks,
        st.sampled_from(["kind", "status", "ended_at", "occurred_at", "client", "title"]),
        moments,
    ),
    st.tuples(st.just("services"), picks, service_sets),
    st.tuples(st.just("bulk_status"), st.sampled_from([Status.IN_PROGRESS, Status.CANCELLED])),
    st.tuples(st.just("bulk_create"), picks),
    st.tuples(st.just("delete"), picks),
)


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def _services(world, which: str) -> list:
    return {
        "none": [],
        "crm": [world.service_a],
        "phones": [world.service_a2],
        "both": [world.service_a, world.service_a2],
        "other client": [world.service_b],
    }[which]


def _pick(index: int) -> Interruption | None:
    records = list(Interruption.objects.order_by("pk"))
    return records[index % len(records)] if records else None


def _apply(world, step) -> None:
    action = step[0]
    if action == "create":
        _, on_a, kind, start, length, which, cancelled = step
        InterruptionFactory(
            client=world.client_a if on_a else world.client_b,
            kind=kind,
            occurred_at=at(start),
            ended_at=None if length is None else at(start + length),
            status=Status.CANCELLED if cancelled else Status.IN_PROGRESS,
            cancel_reason="Logged twice." if cancelled else "",
            planned_start=at(start),
            planned_end=at(start + 60),
            affected_services=_services(world, which),
        )
        return
    if action == "bulk_status":
        records_bulk_change_status(
            Interruption,
            actor=world.admin,
            pks=list(Interruption.objects.values_list("pk", flat=True)),
            target=step[1],
            reason="Logged twice",
        )
        return
    record = _pick(step[1])
    if record is None:
        return
    if action == "edit":
        field, value = step[2], step[3]
        changes = {
            "kind": {"kind": [K.OUTAGE, K.DEGRADATION, K.MAINTENANCE][value % 3]},
            "ended_at": {"ended_at": None if value % 5 == 0 else at(value)},
            "occurred_at": {"occurred_at": at(value)},
        }[field]
        with suppress(ValidationError):  # refused by the record's rules: nothing written
            interruption_update(
                record, actor=world.admin, changes=changes, expected_version=record.version
            )
    elif action == "raw":
        field, value = step[2], step[3]
        changes = {
            "kind": {"kind": list(K.values)[value % len(K.values)]},
            "status": {
                "status": [Status.NEW, Status.CANCELLED, Status.CLOSED][value % 3],
                "cancel_reason": "Logged twice." if value % 3 == 1 else "",
            },
            "ended_at": {"ended_at": None if value % 4 == 0 else at(value)},
            "occurred_at": {"occurred_at": at(value)},
            "client": {
                "client": world.client_b if record.client == world.client_a else world.client_a
            },
            "title": {"title": f"Renamed {value}"},
        }[field]
        Interruption.objects.filter(pk=record.pk).update(**changes)
    elif action == "services":
        chosen = _services(world, step[2])
        if chosen:
            record.affected_services.set(chosen)
        else:
            record.affected_services.clear()
    elif action == "bulk_create":
        copy = Interruption.objects.get(pk=record.pk)
        copy.pk, copy.reference = None, next_reference(Interruption.reference_prefix)
        Interruption.objects.bulk_create([copy])
    elif action == "delete":
        Interruption.objects.filter(pk__in=[record.pk]).delete()


def kept() -> tuple[Counter, Counter, Counter]:
    spans = Counter(
        DowntimeSpan.objects.values_list(
            "client_id",
            "service_id",
            "measure",
            "day",
            "starts_at",
            "ends_at",
            "interruptions",
            "empty_at_start",
            "empty_at_end",
        )
    )
    tallies = Counter(
        (row[:4], row[4:6], round(row[6], 3), row[7])
        for row in DowntimeTally.objects.values_list(
            "client_id",
            "service_id",
            "measure",
            "hour",
            "started",
            "ended",
            "repair_seconds",
            "finished",
        )
    )
    daily = Counter(
        (row[:4], row[4:6], round(row[6], 3), row[7])
        for row in DowntimeDailyTally.objects.values_list(
            "client_id",
            "service_id",
            "measure",
            "day",
            "started",
            "ended",
            "repair_seconds",
            "finished",
        )
    )
    return spans, tallies, daily


def expected() -> tuple[Counter, Counter, Counter]:
    """The spans and tallies written out from the definition, in Python."""
    intervals = defaultdict(list)
    counts = defaultdict(lambda: [0, 0, 0.0, 0])
    services = defaultdict(list)
    for interruption_id, service_id in Interruption.affected_services.through.objects.values_list(
        "interruption_id", "service_id"
    ):
        services[interruption_id].append(service_id)
    for record in Interruption.objects.filter(status__in=COUNTED_STATUSES):
        measure = MEASURE_OF[record.kind]
        began, stopped = record.occurred_at, record.ended_at
        reach = None if stopped is None else max(began, stopped)
        for service_id in [OVERALL, *services[record.pk]]:
            key = (record.client_id, service_id, measure)
            intervals[(*key, began.date())].append((began, reach))
            counts[(*key, floor_hour(began))][0] += 1
            if stopped is not None:
                counts[(*key, floor_hour(stopped))][1] += 1
                counts[(*key, floor_hour(stopped))][2] += (stopped - began).total_seconds()
                counts[(*key, floor_hour(reach))][3] += 1
    spans = Counter()
    forever = datetime.max.replace(tzinfo=UTC)
    for key, found in intervals.items():
        runs: list[list] = []  # start, end, members
        for began, reach in sorted(found, key=lambda pair: (pair[0], pair[1] or forever)):
            end = reach or forever
            if runs and began <= runs[-1][1]:
                runs[-1][1] = max(runs[-1][1], end)
                runs[-1][2].append((began, end))
            else:
                runs.append([began, end, [(began, end)]])
        for began, end, members in runs:
            empty_at_start = sum(1 for _, reach in members if reach <= began)
            empty_at_end = sum(1 for start, _ in members if start >= end)
            finish = None if end == forever else end
            spans[(*key, began, finish, len(members), empty_at_start, empty_at_end)] += 1
    tallies = Counter(
        (key, (started, ended), round(repair, 3), finished)
        for key, (started, ended, repair, finished) in counts.items()
    )
    days = defaultdict(lambda: [0, 0, 0.0, 0])
    for (*key, hour), values in counts.items():
        for index, value in enumerate(values):
            days[(*key, hour.date())][index] += value
    daily = Counter(
        (key, (started, ended), round(repair, 3), finished)
        for key, (started, ended, repair, finished) in days.items()
    )
    return spans, tallies, daily


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=st.lists(st.tuples(steps, st.booleans()), max_size=12))
@example(
    writes=[
        (("create", True, K.OUTAGE, 0, 90, "crm", False), True),
        (("raw", 0, "ended_at", 3000), False),
    ]
)
@example(
    writes=[
        (("create", True, K.ERROR, 0, None, "both", False), True),
        (("services", 0, "none"), False),
    ]
)
@example(
    writes=[
        (("create", True, K.ERROR, 0, 10, "both", False), True),
        (("raw", 0, "client", 0), False),
    ]
)
def test_kept_spans_and_tallies_equal_the_records(world, writes):
    """Each write may be read (settled) before the next one or pile up with it."""
    Interruption.objects.all().delete()
    for step, then_read in writes:
        _apply(world, step)
        if then_read:
            settle(world.client_a.pk)
            settle(world.client_b.pk)
    for client in (world.client_a, world.client_b):
        settle(client.pk)

    assert not DowntimeChange.objects.exists()
    assert kept() == expected()
    rebuild()
    assert kept() == expected()


def test_a_write_that_leaves_the_times_alone_makes_no_day_stale(world):
    record = InterruptionFactory(client=world.client_a, occurred_at=at(0), ended_at=at(90))
    settle(world.client_a.pk)

    Interruption.objects.filter(pk=record.pk).update(title="Renamed", status=Status.RESOLVED)

    assert not DowntimeChange.objects.exists()


def test_the_minute_task_settles_every_client_with_stale_days(world):
    InterruptionFactory(client=world.client_a, occurred_at=at(0), ended_at=at(90))
    InterruptionFactory(client=world.client_b, occurred_at=at(30), ended_at=None)

    assert settle_downtime() == {"clients": 2}

    assert not DowntimeChange.objects.exists()
    assert kept() == expected()
    assert settle_downtime() == {"clients": 0}


def test_rebuild_puts_back_triggers_a_table_rebuild_dropped(world):
    with connection.cursor() as cursor:
        for statement in drop_sql(connection.vendor):
            cursor.execute(statement)
    InterruptionFactory(client=world.client_a, occurred_at=at(0), ended_at=at(90))
    assert not DowntimeChange.objects.exists()

    call_command("rebuild_downtime", stdout=StringIO())

    assert kept() == expected()
    InterruptionFactory(client=world.client_a, occurred_at=at(600), ended_at=None)
    settle(world.client_a.pk)
    assert kept() == expected()


def test_migrate_puts_back_triggers_a_table_rebuild_dropped(world):
    with connection.cursor() as cursor:
        cursor.execute(drop_sql(connection.vendor)[0])
    InterruptionFactory(client=world.client_a, occurred_at=at(0), ended_at=at(90))

    assert restore_triggers(connection)

    assert kept() == expected()
    assert not restore_triggers(connection)
