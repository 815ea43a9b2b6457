"""Bulk volume of call logs for benchmarks: a million calls in a few minutes.

Calls are drafted like the demo ones (every direction and outcome, valid times, over the last
year) and written with their final state only, a batch per transaction, straight to the
driver (COPY on PostgreSQL, see bulk_write): the calls and a creation version of each.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction

from apps.core.bulk_insert import refresh_statistics, tune_for_bulk_load
from apps.core.choices import Status, Tier
from apps.core.demo import DemoOrganisation
from apps.core.models import CodeListEntry
from apps.core.targets import default_resolution_due

from .bulk_write import insert_calls
from .demo import CUSTOMERS, OUTCOMES, QUEUES, SCENARIOS, codes, phone_number
from .models import Call, Direction, Outcome, Sentiment

VOLUME_BATCH = 5000
WINDOW = timedelta(days=365)
SEVERITIES = ("SEV4", "SEV4", "SEV4", "SEV3", "SEV2")
SENTIMENTS = tuple(Sentiment.values)
OUTCOME_CHOICES = tuple(outcome.value for outcome in OUTCOMES)
OUTCOME_WEIGHTS = tuple(weight for weight, _ in OUTCOMES.values())
SILENT = frozenset(Outcome.without_conversation())


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
                "numbers": [phone_number(rng, demo.client.code) for _ in range(500)],
            }
            for demo in organisation.clients
        ]

    def draft(self, started: datetime) -> dict:
        rng = self.rng
        client = rng.choice(self.clients)
        outcome = rng.choices(OUTCOME_CHOICES, OUTCOME_WEIGHTS)[0]
        spoken = outcome not in SILENT
        direction = (
            Direction.OUTBOUND.value
            if outcome == Outcome.VOICEMAIL or rng.random() < 0.15
            else Direction.INBOUND.value
        )
        scenario = rng.choice(SCENARIOS)
        wait = rng.randint(5, 240)
        answered = started + timedelta(seconds=wait) if spoken else None
        talk = rng.randint(40, 1200) if spoken else None
        ended = answered + timedelta(seconds=talk) if spoken else started + timedelta(seconds=25)
        severity = rng.choice(SEVERITIES)
        agent = rng.choice(client["agents"])
        closed = outcome == Outcome.RESOLVED and started < self.now - timedelta(hours=1)
        row = {
            "client_id": client["client_id"],
            "direction": direction,
            "title": scenario.title,
            "description": scenario.description if spoken else "",
            "severity": severity,
            "status": Status.CLOSED.value if closed else Status.NEW.value,
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
            "resolution": scenario.resolution if outcome == Outcome.RESOLVED else "",
            "escalation_notes": "Passed to the technical team lead."
            if outcome == Outcome.ESCALATED
            else "",
            "follow_up_due": ended + timedelta(days=1) if outcome == Outcome.FOLLOW_UP else None,
            "resolution_due": default_resolution_due(severity, started),
            "resolved_at": ended if closed else None,
            "closed_at": ended if closed else None,
            "created_at": ended,
            "updated_at": ended,
            "version": 1,
        }
        return row


def generate_call_volume(
    organisation: DemoOrganisation,
    *,
    count: int,
    rng: random.Random,
    now: datetime,
    batch_size: int = VOLUME_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Add `count` calls spread evenly over the last year, oldest first; more on every call."""
    drafter = _Drafter(organisation, rng, now)
    tune_for_bulk_load()
    start, end = now - WINDOW, now - timedelta(minutes=30)
    slot = (end - start) / max(count, 1)
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        moments = (start + slot * (done + index + rng.random()) for index in range(size))
        rows = [drafter.draft(moment) for moment in moments]
        with transaction.atomic():
            insert_calls(rows, year=now.year, history_reason="Generated volume", timeline=False)
        done += size
        if progress is not None:
            progress(done, count)
    refresh_statistics(Call, Call.history.model)
    return done
