"""Drafting demo interruptions: field values that obey the rules, and when each step happened.

A draft is the final state of one record plus the times of its workflow milestones; the demo
batch turns those milestones into timeline entries and history, bulk volume uses the values.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings

from apps.core.choices import Severity, Status, Tier
from apps.core.demo import DemoClient, DemoOrganisation
from apps.core.targets import default_resolution_due

from . import demo_text as text
from .models import InterruptionKind

KIND_WEIGHTS = {
    InterruptionKind.INCIDENT: 24,
    InterruptionKind.OUTAGE: 9,
    InterruptionKind.DEGRADATION: 16,
    InterruptionKind.ERROR: 20,
    InterruptionKind.COMMUNICATION: 11,
    InterruptionKind.MAINTENANCE: 8,
    InterruptionKind.THIRD_PARTY: 12,
}
SEVERITIES = (Severity.SEV1, Severity.SEV2, Severity.SEV3, Severity.SEV4)
SEVERITY_WEIGHTS = {
    InterruptionKind.OUTAGE: (25, 40, 25, 10),
    InterruptionKind.MAINTENANCE: (0, 5, 45, 50),
}
DEFAULT_SEVERITY_WEIGHTS = (4, 14, 50, 32)

# Final status by the record's age: old records are mostly closed, recent ones still open.
STATUSES = (
    Status.NEW,
    Status.IN_PROGRESS,
    Status.ON_HOLD,
    Status.RESOLVED,
    Status.CLOSED,
    Status.CANCELLED,
)
STATUS_WEIGHTS_BY_AGE = (
    (timedelta(days=3), (28, 30, 10, 17, 10, 5)),
    (timedelta(days=10), (8, 16, 10, 22, 39, 5)),
    (timedelta.max, (2, 5, 4, 12, 72, 5)),
)
# From this age on, a record's status odds no longer change and its whole story (at most
# about a week: see _plan) fits between its start and now, so a draft is valid at any time
# past this age.
SETTLED_AGE = timedelta(days=10)

# The demo's one overrunning maintenance begins between these ages (youngest, oldest).
OVERRUN_AGE = (timedelta(hours=30), timedelta(days=3))

# Typical length of the interruption itself, in minutes (low, high), by kind.
DURATION_MINUTES = {
    InterruptionKind.INCIDENT: (10, 240),
    InterruptionKind.OUTAGE: (20, 480),
    InterruptionKind.DEGRADATION: (30, 720),
    InterruptionKind.ERROR: (15, 2880),
    InterruptionKind.COMMUNICATION: (5, 300),
    InterruptionKind.THIRD_PARTY: (30, 600),
}
AFFECTED_RANGES = {  # severity → (customers, agents) upper bounds
    Severity.SEV1: (20000, 400),
    Severity.SEV2: (5000, 150),
    Severity.SEV3: (800, 40),
    Severity.SEV4: (50, 8),
}
TEAM_TIER_WEIGHTS = {
    Severity.SEV1: (10, 50, 40),
    Severity.SEV2: (30, 50, 20),
}
DEFAULT_TEAM_TIER_WEIGHTS = (65, 30, 5)
MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


@dataclass
class Draft:
    """One interruption's final values and the moments its story is told from."""

    values: dict
    service_ids: list[int]
    status_path: list[str]  # statuses after "new", in order
    moments: dict[str, datetime]  # created, assigned, in_progress, on_hold, edited, ...
    edited_fields: list[str] = field(default_factory=list)
    assigned_by: int | None = None
    changes: int = 0  # saves after creation: what the version number counts


@dataclass
class _ClientPool:
    """A demo client flattened into ids and weights for fast drafting."""

    client_id: int
    services: list[tuple[int, str, str]]  # id, name, vendor
    vendor_services: list[tuple[int, str, str]]
    teams: dict[int, int]  # tier → team id
    members: dict[int, list[int]]  # tier → user ids
    reporters: list[int]
    lead_id: int


def _pool(demo: DemoClient) -> _ClientPool:
    services = [(service.pk, service.name, service.vendor) for service in demo.services]
    return _ClientPool(
        client_id=demo.client.pk,
        services=services,
        vendor_services=[service for service in services if service[2]] or services,
        teams={tier: team.pk for tier, team in demo.teams.items()},
        members={tier: [user.pk for user in users] for tier, users in demo.members.items()},
        reporters=[user.pk for user in demo.members[Tier.FRONTLINE]],
        lead_id=demo.lead.pk,
    )


class InterruptionDrafter:
    """Drafts realistic interruptions for the demo clients; deterministic for a given `rng`."""

    def __init__(self, organisation: DemoOrganisation, *, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self.latest = now - timedelta(minutes=1)
        self.pools = [_pool(demo) for demo in organisation.clients]
        # The first client is the bigger account.
        self.pool_weights = [3, 2] + [1] * (len(self.pools) - 2)
        self.kinds = list(KIND_WEIGHTS)
        self.kind_cum = _cumulative(KIND_WEIGHTS.values())
        self.overrun_drafted = False

    def draft(self, occurred_at: datetime) -> Draft:
        rng = self.rng
        pool = rng.choices(self.pools, weights=self.pool_weights[: len(self.pools)])[0]
        kind = rng.choices(self.kinds, cum_weights=self.kind_cum)[0]
        severity = rng.choices(
            SEVERITIES, weights=SEVERITY_WEIGHTS.get(kind, DEFAULT_SEVERITY_WEIGHTS)
        )[0]
        age = self.now - occurred_at
        status_weights = next(weights for limit, weights in STATUS_WEIGHTS_BY_AGE if age < limit)
        status = rng.choices(STATUSES, weights=status_weights)[0]
        overrun = self._shows_the_overrun(occurred_at)
        if overrun:
            kind, severity, status = InterruptionKind.MAINTENANCE, Severity.SEV3, Status.IN_PROGRESS

        services = self._services(pool, kind)
        context = self._context(services)
        values: dict = {
            "client_id": pool.client_id,
            "kind": kind,
            "severity": severity,
            "status": status,
            "occurred_at": occurred_at,
            "resolution_due": default_resolution_due(severity, occurred_at),
            "title": rng.choice(text.TITLES[kind]).format_map(context)[:200],
            "description": rng.choice(text.DESCRIPTIONS[kind]).format_map(context),
            "reported_by_id": rng.choice(pool.reporters),
        }
        values.update(self._kind_fields(kind, context, services, occurred_at))
        if rng.random() < 0.85:
            values["impact_assessment"] = rng.choice(text.IMPACTS)
        if rng.random() < 0.8:
            customers, agents = AFFECTED_RANGES[severity]
            values["customers_affected"] = rng.randint(0, customers)
            values["agents_affected"] = rng.randint(1, agents)

        draft = Draft(
            values=values, service_ids=[s[0] for s in services], status_path=[], moments={}
        )
        self._assign(draft, pool, severity, status)
        self._plan(draft, kind, status, overrun=overrun)
        self._resolution_fields(draft, kind, status)
        draft.changes = (
            ("assigned" in draft.moments) + len(draft.status_path) + bool(draft.edited_fields)
        )
        values["version"] = 1 + draft.changes
        return draft

    def _services(self, pool: _ClientPool, kind: str) -> list[tuple[int, str, str]]:
        rng = self.rng
        if kind == InterruptionKind.THIRD_PARTY:
            return [rng.choice(pool.vendor_services)]
        count = 1 if rng.random() < 0.7 else rng.randint(2, 3)
        return rng.sample(pool.services, min(count, len(pool.services)))

    def _context(self, services: list[tuple[int, str, str]]) -> dict:
        rng = self.rng
        metric, normal = rng.choice(text.DEGRADATION_METRICS)
        return {
            "service": services[0][1],
            "vendor": services[0][2] or "the vendor",
            "carrier": rng.choice(text.CARRIERS),
            "site": rng.choice(text.SITES),
            "metric": metric,
            "normal": normal,
            "module": rng.choice(text.MODULES),
            "code": rng.choice(text.ERROR_CODES),
            "count": rng.randint(12, 4800),
        }

    def _kind_fields(self, kind: str, context: dict, services, occurred_at: datetime) -> dict:
        rng = self.rng
        if kind == InterruptionKind.OUTAGE:
            return {"scheduled": rng.random() < 0.15}
        if kind == InterruptionKind.DEGRADATION:
            normal = context["normal"]
            observed = normal * rng.uniform(1.6, 6.0)
            return {
                "metric": context["metric"],
                "normal_value": Decimal(normal).quantize(Decimal("0.01")),
                "observed_value": Decimal(f"{observed:.2f}"),
            }
        if kind == InterruptionKind.ERROR:
            return {
                "error_code": context["code"],
                "module": context["module"],
                "occurrence_count": context["count"],
            }
        if kind == InterruptionKind.COMMUNICATION:
            return {
                "channel": rng.choice(text.CHANNELS),
                "carrier": context["carrier"]
                if rng.random() < 0.8
                else services[0][2] or context["carrier"],
            }
        if kind == InterruptionKind.MAINTENANCE:
            hours = rng.choice((1, 2, 2, 3, 4))
            return {
                "planned_start": occurred_at,
                "planned_end": occurred_at + timedelta(hours=hours),
            }
        if kind == InterruptionKind.THIRD_PARTY:
            vendor = services[0][2] or "Vendor"
            prefix = "".join(ch for ch in vendor.upper() if ch.isalpha())[:4]
            return {
                "vendor": vendor,
                "vendor_ticket_reference": f"{prefix}-{rng.randint(100000, 999999)}",
            }
        return {}

    def _assign(self, draft: Draft, pool: _ClientPool, severity: str, status: str) -> None:
        rng = self.rng
        if status == Status.NEW and rng.random() < 0.5:
            return
        tier = rng.choices(
            (Tier.FRONTLINE, Tier.TECHNICAL, Tier.EXPERT),
            weights=TEAM_TIER_WEIGHTS.get(severity, DEFAULT_TEAM_TIER_WEIGHTS),
        )[0]
        draft.values["team_id"] = pool.teams[tier]
        draft.values["assignee_id"] = rng.choice(pool.members[tier])
        draft.moments["assigned"] = datetime.min  # placed in time by _plan
        draft.assigned_by = pool.lead_id

    def _shows_the_overrun(self, occurred_at: datetime) -> bool:
        """Whether this draft is the demo's one overrunning maintenance window: the first
        record begun between three days and 30 hours ago (its planned end, at most four
        hours after its start, lies more than a day back)."""
        if self.overrun_drafted or not (
            self.now - OVERRUN_AGE[1] <= occurred_at <= self.now - OVERRUN_AGE[0]
        ):
            return False
        self.overrun_drafted = True
        return True

    def _plan(self, draft: Draft, kind: str, status: str, *, overrun: bool = False) -> None:
        """Choose the workflow path and when each step happened, all between start and now."""
        rng, values = self.rng, draft.values
        occurred_at = values["occurred_at"]
        offsets: dict[str, float] = {}
        if kind == InterruptionKind.MAINTENANCE:
            offsets["created"] = -rng.uniform(1, 7) * DAY  # announced ahead of the window
            window = (values["planned_end"] - occurred_at).total_seconds()
            if rng.random() < 0.2:  # overran
                ended = window + rng.uniform(10, 90) * MINUTE
            else:
                ended = window - rng.uniform(0, 30) * MINUTE
        else:
            offsets["created"] = rng.uniform(1, 30) * MINUTE
            low, high = DURATION_MINUTES[kind]
            ended = rng.uniform(low, high) * MINUTE
        cursor = max(offsets["created"], 0.0)
        if "assigned" in draft.moments:
            cursor += rng.uniform(2, 45) * MINUTE
            offsets["assigned"] = cursor
        path: list[str] = []
        if status == Status.CANCELLED:
            if rng.random() < 0.4:
                cursor += rng.uniform(1, 20) * MINUTE
                path.append(Status.IN_PROGRESS)
                offsets[Status.IN_PROGRESS] = cursor
            offsets[Status.CANCELLED] = cursor + rng.uniform(10, 24 * 60) * MINUTE
            path.append(Status.CANCELLED)
        elif status != Status.NEW:
            cursor += rng.uniform(1, 20) * MINUTE
            path.append(Status.IN_PROGRESS)
            offsets[Status.IN_PROGRESS] = cursor
            finished = status in (Status.RESOLVED, Status.CLOSED)
            if status == Status.ON_HOLD or (finished and rng.random() < 0.25):
                cursor += rng.uniform(10, 24 * 60) * MINUTE
                path.append(Status.ON_HOLD)
                offsets[Status.ON_HOLD] = cursor
            end_recorded = finished or rng.random() < 0.3
            if kind == InterruptionKind.MAINTENANCE and not finished:
                # A window under way past its planned end has its end recorded, but for the
                # one overrun the demo shows: none holds clocks for months.
                end_recorded = not overrun and (end_recorded or self._past_overrun(values))
            if end_recorded:
                offsets["ended"] = max(ended, 0.0)
            if finished:
                resolved = max(cursor, offsets["ended"]) + rng.uniform(5, 240) * MINUTE
                offsets["edited"] = resolved - rng.uniform(1, 4) * MINUTE
                offsets[Status.RESOLVED] = resolved
                path.append(Status.RESOLVED)
                if status == Status.CLOSED:
                    offsets[Status.CLOSED] = resolved + rng.uniform(1 * 60, 72 * 60) * MINUTE
                    path.append(Status.CLOSED)
            elif "ended" in offsets:
                offsets["edited"] = max(cursor, offsets["ended"]) + rng.uniform(5, 60) * MINUTE
        # Squeeze the story into the time that has passed since the interruption began.
        room = max((self.latest - occurred_at).total_seconds(), 0.0)
        longest = max(offsets.values())
        scale = room / longest if longest > room else 1.0
        moments = {
            name: occurred_at + timedelta(seconds=offset * scale if offset > 0 else offset)
            for name, offset in offsets.items()
        }
        draft.moments = moments
        draft.status_path = path
        values["created_at"] = moments["created"]
        values["updated_at"] = max(moments.values())
        if "ended" in moments:
            values["ended_at"] = moments.pop("ended")
        values["resolved_at"] = moments.get(Status.RESOLVED)
        values["closed_at"] = moments.get(Status.CLOSED)

    def _past_overrun(self, values: dict) -> bool:
        limit = timedelta(hours=settings.MAINTENANCE_OVERRUN_HOURS)
        return values["planned_end"] + limit <= self.latest

    def _resolution_fields(self, draft: Draft, kind: str, status: str) -> None:
        rng, values = self.rng, draft.values
        edited = ["ended_at"] if values.get("ended_at") else []
        if status == Status.CANCELLED:
            values["cancel_reason"] = rng.choice(text.CANCEL_REASONS)
        finished = status in (Status.RESOLVED, Status.CLOSED)
        if finished:
            values["resolution"] = rng.choice(text.RESOLUTIONS)
            edited.append("resolution")
        if status == Status.CLOSED or (finished and rng.random() < 0.7):
            category = rng.choice(text.ROOT_CAUSES[kind])
            values["root_cause_category"] = category
            values["root_cause_analysis"] = rng.choice(text.ROOT_CAUSE_ANALYSES[category])
            edited += ["root_cause_category", "root_cause_analysis"]
        if status == Status.CLOSED or (finished and rng.random() < 0.5):
            values["corrective_actions"] = rng.choice(text.CORRECTIVE_ACTIONS)
            edited.append("corrective_actions")
        draft.edited_fields = edited if "edited" in draft.moments else []
        if not draft.edited_fields:
            draft.moments.pop("edited", None)


def _cumulative(weights) -> list[int]:
    total, result = 0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def occurred_times(
    rng: random.Random, count: int, *, start: datetime, end: datetime
) -> list[datetime]:
    """`count` moments spread evenly over [start, end), in order, each jittered in its slot."""
    span = (end - start).total_seconds()
    slot = span / count if count else 0.0
    return [start + timedelta(seconds=slot * (index + rng.random())) for index in range(count)]
