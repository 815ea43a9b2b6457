"""Maintenance windows: SLA time does not run for records tied to the services under work.

A maintenance window is a `maintenance` interruption of the client that is not cancelled. It
runs from its planned start to its recorded end, or, while no end is recorded, to its planned
end. A maintenance marked as under way (in progress or on hold) that has passed its planned
end with no end recorded is an overrun: it stays open, the clocks it holds stopped, for at
most `MAINTENANCE_OVERRUN_HOURS` after its planned end. Past that limit it holds no clock
(an end recorded later counts up to the limit only) unless a lead moves its planned end
later, a change its history keeps; the overrun audit tells the lead. A maintenance nobody
marked as under way ends when planned, so a forgotten record never stops clocks for good.

A record is tied to a service when it names it (an interruption's affected services, a failure
report's service) or when it was directly caused by an interruption that affects it. A
maintenance interruption does not stop its own clock.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.functions import Least
from django.utils import timezone

from apps.core.choices import LinkRelation, Status
from apps.core.models import LogRecord, RecordLink
from apps.interruptions.models import Interruption, InterruptionKind

from .selectors import OpenHold

AffectedService = Interruption.affected_services.through
# A record linked to an interruption is rarely older than this; windows over before it are
# not looked for when a link is made.
RECENT = timedelta(days=30)


@dataclass(frozen=True)
class Window:
    interruption_id: int
    reference: str
    start: datetime
    end: datetime | None  # None: overrunning, no end recorded yet
    service_ids: frozenset[int]

    @property
    def hold(self) -> OpenHold:
        return self.start, self.end


UNDER_WAY = (Status.IN_PROGRESS, Status.ON_HOLD)


def overrun_limit() -> timedelta:
    """How long after its planned end a window still under way goes on holding clocks."""
    return timedelta(hours=settings.MAINTENANCE_OVERRUN_HOURS)


def window_end(ended_at: datetime | None, planned_end: datetime, status: str, now: datetime):
    """When the window stops holding clocks; None while it overruns within the limit."""
    limit = planned_end + overrun_limit()
    if ended_at is not None:
        return min(ended_at, limit)
    overrunning = planned_end <= now and status in UNDER_WAY
    if not overrunning:
        return planned_end
    return None if now < limit else limit


def window_end_expression(now: datetime) -> Case:
    """`window_end` of each row, in SQL (NULL while it overruns within the limit)."""
    limit = ExpressionWrapper(
        F("planned_end") + Value(overrun_limit()), output_field=DateTimeField()
    )
    return Case(
        When(ended_at__isnull=False, then=Least("ended_at", limit)),
        When(
            planned_end__lte=now,
            status__in=UNDER_WAY,
            then=Case(
                When(planned_end__gt=now - overrun_limit(), then=Value(None)),
                default=limit,
                output_field=DateTimeField(),
            ),
        ),
        default=F("planned_end"),
        output_field=DateTimeField(),
    )


def windows_during(client_id: int, start: datetime, end: datetime, now: datetime) -> QuerySet:
    """The client's maintenance interruptions whose window overlaps `[start, end)`, annotated
    with `window_end` (NULL: overrunning, so up to `now`). A window never ends later than
    the limit after its planned end, so the index on the planned end finds them."""
    overlapping = Q(window_end__gt=start)
    if now > start:
        overlapping |= Q(window_end__isnull=True)  # overrunning, up to now
    return (
        Interruption.objects.filter(
            client_id=client_id,
            kind=InterruptionKind.MAINTENANCE,
            planned_start__isnull=False,
            planned_end__gt=start - overrun_limit(),
            planned_start__lt=end,
        )
        .exclude(status=Status.CANCELLED)
        .annotate(window_end=window_end_expression(now))
        .filter(overlapping)
    )


def windows_by_client(
    client_ids: Iterable[int], *, since: datetime | None = None, now: datetime | None = None
) -> dict[int, list[Window]]:
    """Client id → its maintenance windows not over before `since` (two queries)."""
    now = now or timezone.now()
    rows = Interruption.objects.filter(
        client_id__in=set(client_ids),
        kind=InterruptionKind.MAINTENANCE,
        planned_start__isnull=False,
        planned_end__isnull=False,
    ).exclude(status=Status.CANCELLED)
    if since is not None:
        rows = rows.filter(
            Q(ended_at__gte=since)
            | Q(ended_at__isnull=True, planned_end__gte=since)
            | Q(ended_at__isnull=True, status__in=UNDER_WAY)
        )
    found = list(
        rows.values_list(
            "pk", "client_id", "reference", "planned_start", "planned_end", "ended_at", "status"
        )
    )
    services: dict[int, set[int]] = defaultdict(set)
    for interruption_id, service_id in AffectedService.objects.filter(
        interruption_id__in=[row[0] for row in found]
    ).values_list("interruption_id", "service_id"):
        services[interruption_id].add(service_id)
    windows: dict[int, list[Window]] = defaultdict(list)
    for pk, client_id, reference, start, planned_end, ended_at, status in found:
        windows[client_id].append(
            Window(
                interruption_id=pk,
                reference=reference,
                start=start,
                end=window_end(ended_at, planned_end, status, now),
                service_ids=frozenset(services[pk]),
            )
        )
    return windows


def _names_a_service(model: type[LogRecord]) -> bool:
    return any(field.name == "service" for field in model._meta.concrete_fields)


def services_tied_to(model: type[LogRecord], pks: Iterable[int]) -> dict[int, set[int]]:
    """Record id → the services the record is tied to (at most three queries)."""
    pks = list(pks)
    tied: dict[int, set[int]] = defaultdict(set)
    if not pks:
        return tied
    if model is Interruption:
        for interruption_id, service_id in AffectedService.objects.filter(
            interruption_id__in=pks
        ).values_list("interruption_id", "service_id"):
            tied[interruption_id].add(service_id)
    elif _names_a_service(model):
        for pk, service_id in model.objects.filter(pk__in=pks, service__isnull=False).values_list(
            "pk", "service_id"
        ):
            tied[pk].add(service_id)
    caused_by: dict[int, set[int]] = defaultdict(set)
    for source_id, target_id in RecordLink.objects.filter(
        relation=LinkRelation.CAUSED_BY,
        source_type=ContentType.objects.get_for_model(model),
        source_id__in=pks,
        target_type=ContentType.objects.get_for_model(Interruption),
    ).values_list("source_id", "target_id"):
        caused_by[target_id].add(source_id)
    if caused_by:
        for interruption_id, service_id in AffectedService.objects.filter(
            interruption_id__in=list(caused_by)
        ).values_list("interruption_id", "service_id"):
            for source_id in caused_by[interruption_id]:
                tied[source_id].add(service_id)
    return tied


def maintenance_holds_of(
    model: type[LogRecord], rows: Iterable[LogRecord], *, now: datetime | None = None
) -> dict[int, list[OpenHold]]:
    """Record id → the maintenance windows that stop its clock, for saved records (about five
    queries for any number of rows)."""
    rows = [row for row in rows if row.pk is not None]
    tied = services_tied_to(model, [row.pk for row in rows])
    tied_rows = [row for row in rows if tied.get(row.pk)]
    if not tied_rows:
        return {}
    since = min((row.occurred_at for row in tied_rows if row.occurred_at), default=None)
    windows = windows_by_client({row.client_id for row in tied_rows}, since=since, now=now)
    holds: dict[int, list[OpenHold]] = {}
    for row in tied_rows:
        found = [
            window.hold
            for window in windows.get(row.client_id, ())
            if window.service_ids & tied[row.pk]
            and not (model is Interruption and window.interruption_id == row.pk)
        ]
        if found:
            holds[row.pk] = found
    return holds


def windows_ahead_of(record: LogRecord, *, now: datetime | None = None) -> list[Window]:
    """The maintenance windows tied to `record` that are under way or still to come, earliest
    first: what its page shows as pausing its clock."""
    now = now or timezone.now()
    if record.pk is None:
        return []
    tied = services_tied_to(type(record), [record.pk]).get(record.pk)
    if not tied:
        return []
    windows = windows_by_client([record.client_id], since=now, now=now).get(record.client_id, [])
    return sorted(
        (
            window
            for window in windows
            if window.service_ids & tied
            and window.interruption_id != (record.pk if isinstance(record, Interruption) else None)
            and (window.end is None or window.end > now)
        ),
        key=lambda window: window.start,
    )


def maintenance_holds(record: LogRecord, *, now: datetime | None = None) -> list[OpenHold]:
    """The maintenance windows that stop `record`'s clock (a record not saved yet is tied by
    the service it names, if its kind names one)."""
    if record.pk is not None:
        return maintenance_holds_of(type(record), [record], now=now).get(record.pk, [])
    service_id = getattr(record, "service_id", None)
    if service_id is None or record.occurred_at is None:
        return []
    windows = windows_by_client([record.client_id], since=record.occurred_at, now=now)
    return [
        window.hold
        for window in windows.get(record.client_id, ())
        if service_id in window.service_ids
    ]


def open_records_tied_to(
    model: type[LogRecord],
    client_id: int,
    service_ids: Iterable[int],
    *,
    opened_before: datetime | None = None,
) -> list[int]:
    """Ids of `model`'s open records of the client tied to any of `service_ids` (and opened
    before `opened_before`, when given)."""
    service_ids = list(service_ids)
    open_rows = model.objects.filter(client_id=client_id, status__in=Status.open_values())
    if opened_before is not None:
        open_rows = open_rows.filter(occurred_at__lt=opened_before)
    own = Q(pk__in=[])
    if model is Interruption:
        own = Q(affected_services__in=service_ids)
    elif _names_a_service(model):
        own = Q(service_id__in=service_ids)
    causes = RecordLink.objects.filter(
        relation=LinkRelation.CAUSED_BY,
        source_type=ContentType.objects.get_for_model(model),
        target_type=ContentType.objects.get_for_model(Interruption),
        target_id__in=AffectedService.objects.filter(service_id__in=service_ids).values(
            "interruption_id"
        ),
    ).values("source_id")
    return sorted(set(open_rows.filter(own | Q(pk__in=causes)).values_list("pk", flat=True)))


def services_ever_affected(interruption_id: int) -> set[int]:
    """Every service the interruption affects or affected in any earlier version."""
    historical = Interruption.history.model._meta.get_field(
        "historicalinterruption_affected_services"
    ).related_model
    ever = set(
        historical.objects.filter(interruption_id=interruption_id).values_list(
            "service_id", flat=True
        )
    )
    return ever | set(
        AffectedService.objects.filter(interruption_id=interruption_id).values_list(
            "service_id", flat=True
        )
    )


def window_reach(interruption_id: int, *, now: datetime | None = None) -> datetime | None:
    """The latest time the window holds, or held in any earlier version, clocks up to (None:
    it is overrunning, open-ended): records opened after it were never under it (two queries)."""
    now = now or timezone.now()
    fields = ("planned_end", "ended_at", "status")
    versions = [
        *Interruption.history.filter(id=interruption_id, planned_end__isnull=False)
        .values_list(*fields)
        .distinct(),
        *Interruption.objects.filter(pk=interruption_id, planned_end__isnull=False).values_list(
            *fields
        ),
    ]
    ends = [
        window_end(ended_at, planned_end, status, now) for planned_end, ended_at, status in versions
    ]
    if not ends or None in ends:
        return None
    return max(ends)


def maintenance_windows_touch(client_id: int, interruption_id: int) -> bool:
    """Whether any maintenance window of the client, not cancelled and not over, affects a
    service the interruption affects (one query)."""
    now = timezone.now()
    return (
        Interruption.objects.filter(
            client_id=client_id,
            kind=InterruptionKind.MAINTENANCE,
            affected_services__in=AffectedService.objects.filter(
                interruption_id=interruption_id
            ).values("service_id"),
        )
        .exclude(status=Status.CANCELLED)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=now - RECENT))
        .exists()
    )
