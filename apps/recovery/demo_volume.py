"""Bulk volume of recovery cases for benchmarks: the demo scenarios, many times over.

Rows are written with their final state only, a batch per transaction: reference numbers,
cases, their interactions, actions, resolution and feedback, and a creation version in the
history of each row (who recorded it).
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import groupby

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from apps.core.choices import Status
from apps.core.demo import DemoClient, DemoOrganisation
from apps.core.services.references import format_reference, reserve_reference_numbers
from apps.core.targets import default_resolution_due

from .demo import CURRENCIES, CUSTOMERS, SCENARIOS, SEVERITY_MIX, Scenario, action_types
from .models import (
    MONEY_ACTION_CODES,
    RecoveryAction,
    RecoveryCase,
    RecoveryFeedback,
    RecoveryInteraction,
    RecoveryResolution,
    outcome_values,
)

VOLUME_BATCH = 2000
WINDOW_DAYS = 365
# Status → how many moves of the workflow it took to get there.
STATUS_MOVES = {
    Status.NEW: 0,
    Status.IN_PROGRESS: 1,
    Status.ON_HOLD: 2,
    Status.RESOLVED: 2,
    Status.CLOSED: 3,
}
STATUSES = tuple(STATUS_MOVES)
CHILD_MODELS = (RecoveryInteraction, RecoveryAction, RecoveryResolution, RecoveryFeedback)


def _draft(demo: DemoClient, scenario: Scenario, types: dict, rng: random.Random, now):
    """An unsaved case in a random state, and its unsaved children (case not yet set)."""
    people = [person for members in demo.members.values() for person in members]
    agent = rng.choice(people)
    # At least three days ago: the whole story (about two days at most) is in the past.
    occurred = now - timedelta(minutes=rng.randint(3 * 24 * 60, WINDOW_DAYS * 24 * 60))
    status = rng.choice(STATUSES)
    happy = rng.random() < 0.8
    severity = rng.choice(SEVERITY_MIX)
    case = RecoveryCase(
        client=demo.client,
        title=scenario.title,
        severity=severity,
        status=status,
        nature=scenario.nature,
        customer_name=rng.choice(CUSTOMERS),
        account_reference=f"{demo.client.code.upper()}-{rng.randint(1, 999999)}",
        initial_feedback=scenario.reaction,
        occurred_at=occurred,
        resolution_due=default_resolution_due(severity, occurred),
        team=demo.teams[min(demo.teams)],
        reported_by=agent,
        assignee=None if status == Status.NEW else agent,
        version=1,
    )
    case._history_user = agent  # who the creation version names
    children: list = []
    if status == Status.NEW:
        return case, children
    step = timedelta(hours=6)
    moment = occurred + step
    children.append(
        RecoveryInteraction(
            recorded_by=agent,
            at=moment,
            channel="phone",
            summary=scenario.contact,
            resolution_offered=scenario.offer,
        )
    )
    for code, department, details in scenario.actions:
        moment += step
        action = RecoveryAction(
            recorded_by=agent,
            at=moment,
            action_type=types[code],
            department=department,
            details=details,
        )
        if code in MONEY_ACTION_CODES:
            low, high = scenario.money
            action.amount = Decimal(rng.randint(low * 100, high * 100)) / 100
            action.currency = CURRENCIES.get(demo.client.code, "EUR")
        children.append(action)
    if status in (Status.RESOLVED, Status.CLOSED):
        moment += step
        children.append(
            RecoveryInteraction(
                recorded_by=agent,
                at=moment,
                channel="phone",
                summary="Called to confirm the resolution with the customer.",
                customer_satisfied="yes" if happy else "no",
            )
        )
        children.append(
            RecoveryResolution(
                recorded_by=agent,
                updated_by=agent,
                final_resolution=scenario.resolution,
                customer_confirmed=True,
                confirmed_at=moment,
                follow_up_done=status == Status.CLOSED,
                follow_up_at=moment + step if status == Status.CLOSED else None,
            )
        )
        case.resolved_at = moment
    if status == Status.CLOSED:
        moment += 2 * step
        children.append(
            RecoveryFeedback(
                recorded_by=agent,
                at=moment,
                satisfaction=rng.choice([4, 5]) if happy else rng.choice([1, 2, 3]),
                likelihood_to_return=rng.randint(6, 10) if happy else rng.randint(0, 5),
                suggestions=scenario.suggestion,
            )
        )
        case.closed_at = moment
    # One version per child added and per status move, as the services would have made.
    case.version = 1 + len(children) + STATUS_MOVES[status]
    _set_outcome(case, children)
    return case, children


def _latest(children: list, model: type):
    rows = [child for child in children if isinstance(child, model)]
    return max(rows, key=lambda child: child.at) if rows else None


def _set_outcome(case: RecoveryCase, children: list) -> None:
    """The case's outcome columns from its drafted children, as the services would set them."""
    resolution = next((c for c in children if isinstance(c, RecoveryResolution)), None)
    feedback = _latest(children, RecoveryFeedback)
    interaction = _latest(children, RecoveryInteraction)
    outcome = outcome_values(
        confirmed_at=resolution.confirmed_at if resolution else None,
        latest_satisfaction=feedback.satisfaction if feedback else None,
        latest_likelihood_to_return=feedback.likelihood_to_return if feedback else None,
        latest_interaction_answer=interaction.customer_satisfied if interaction else None,
    )
    for name, value in outcome.items():
        setattr(case, name, value)


def _references(cases: list[RecoveryCase]) -> None:
    prefix = RecoveryCase.reference_prefix
    cases.sort(key=lambda case: case.occurred_at)
    for year, group in groupby(cases, key=lambda case: case.occurred_at.year):
        members = list(group)
        numbers = reserve_reference_numbers(prefix, year, len(members))
        for case, number in zip(members, numbers, strict=True):
            case.reference = format_reference(prefix, year, number)


def generate_recovery_volume(
    organisation: DemoOrganisation,
    *,
    count: int,
    rng: random.Random,
    now: datetime,
    batch_size: int = VOLUME_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write `count` more recovery cases with their children; added on every call."""
    types = action_types()
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        drafted = [
            _draft(rng.choice(organisation.clients), rng.choice(SCENARIOS), types, rng, now)
            for _ in range(size)
        ]
        with transaction.atomic():
            cases = [case for case, _ in drafted]
            _references(cases)
            saved = bulk_create_with_history(cases, RecoveryCase, batch_size=500)
            by_reference = {case.reference: case for case in saved}
            per_model: dict[type, list] = {model: [] for model in CHILD_MODELS}
            for case, children in drafted:
                for child in children:
                    child.case = by_reference[case.reference]
                    child._history_user = child.recorded_by
                    per_model[type(child)].append(child)
            for model, rows in per_model.items():
                bulk_create_with_history(rows, model, batch_size=500)
        done += size
        if progress is not None:
            progress(done, count)
    return done
