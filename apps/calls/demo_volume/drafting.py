"""Calls drafted in Python, by the rules the package describes (SQLite, tests, sample files)."""

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from django.conf import settings

from apps.core.choices import Status, Tier
from apps.core.demo import DemoOrganisation
from apps.core.models import CodeListEntry
from apps.core.targets import default_resolution_due

from ..demo import CUSTOMERS, OUTCOMES, QUEUES, SCENARIOS, codes, phone_number
from ..models import Direction, Outcome, Sentiment

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


class CallDrafter:
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


def window(now: datetime) -> tuple[datetime, datetime]:
    return now - WINDOW, now - timedelta(minutes=30)


def by_year(rows: list[dict]) -> Iterator[tuple[int, list[dict]]]:
    """Rows grouped by the year they were logged in (their reference's year), in order."""
    years: dict[int, list[dict]] = {}
    for row in rows:
        years.setdefault(row["created_at"].year, []).append(row)
    yield from years.items()
