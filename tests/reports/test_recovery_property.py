"""The recovery report equals a slow reference written from domain.md's definitions, read
from the cases' children (not from the outcome columns the services keep), for any cases
around a period's edges in any time zone."""

import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.choices import Status
from apps.recovery.models import SATISFIED_FROM, NatureOfIssue, RecoveryCase
from apps.reports import recovery as figures
from apps.reports.periods import MONTH, period_containing
from tests.factories import ClientFactory, UserFactory
from tests.factories_recovery import (
    RecoveryActionFactory,
    RecoveryActionTypeFactory,
    RecoveryCaseFactory,
    RecoveryFeedbackFactory,
    RecoveryInteractionFactory,
    RecoveryResolutionFactory,
)
from tests.reports.examples import report_examples

ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Manila"]
# March 2026: summer time begins in New York (8th) and London (29th).
FIRST_DAY = date(2026, 3, 1)

cases = st.lists(
    st.fixed_dictionaries(
        {
            # Hours from the period's start: some before it, some after its end.
            "hours": st.integers(-30, 31 * 24 + 30),
            "status": st.sampled_from([Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED]),
            "nature": st.sampled_from(NatureOfIssue.values[:3]),
            "confirmed_after": st.none() | st.integers(0, 400),
            "feedback": st.lists(
                st.tuples(st.integers(1, 5), st.none() | st.integers(0, 10)), max_size=2
            ),
            "answer": st.none() | st.sampled_from(["yes", "no", "unknown"]),
            "actions": st.lists(
                st.tuples(
                    st.sampled_from(["refund", "credit", "apology"]),
                    st.sampled_from(["GBP", "EUR"]),
                    st.integers(1, 50_000),  # pence or cents
                ),
                max_size=2,
            ),
        }
    ),
    max_size=6,
)


def build(client, other, made, types, recorder) -> None:
    period = period_containing(MONTH, FIRST_DAY, ZoneInfo(client.timezone))
    for owner in (client, other):
        for spec in made:
            occurred = period.start + timedelta(hours=spec["hours"], minutes=17)
            extra = {"cancel_reason": "Logged twice."} if spec["status"] == Status.CANCELLED else {}
            case = RecoveryCaseFactory(
                client=owner,
                occurred_at=occurred,
                status=spec["status"],
                nature=spec["nature"],
                **extra,
            )
            if spec["answer"]:
                RecoveryInteractionFactory(
                    case=case, customer_satisfied=spec["answer"], recorded_by=recorder
                )
            if spec["confirmed_after"] is not None:
                RecoveryResolutionFactory(
                    case=case,
                    customer_confirmed=True,
                    confirmed_at=occurred + timedelta(minutes=7 * spec["confirmed_after"]),
                    recorded_by=recorder,
                )
            for number, (score, answer) in enumerate(spec["feedback"]):
                RecoveryFeedbackFactory(
                    case=case,
                    satisfaction=score,
                    likelihood_to_return=answer,
                    at=occurred + timedelta(hours=2 + number),
                    recorded_by=recorder,
                )
            for code, currency, cents in spec["actions"]:
                money = code != "apology"
                RecoveryActionFactory(
                    case=case,
                    action_type=types[code],
                    amount=Decimal(cents) / 100 if money else None,
                    currency=currency if money else "",
                    recorded_by=recorder,
                )


def reference(client, start, end) -> dict:
    """Every figure by its definition, case by case."""
    counted = [
        case
        for case in RecoveryCase.objects.filter(client=client)
        if start <= case.occurred_at < end and case.status != Status.CANCELLED
    ]
    recovered, scores, answers, hours = 0, [], [], []
    money: dict = defaultdict(Decimal)
    action_totals: Counter = Counter()
    action_cases: dict = defaultdict(set)
    per_nature: dict = defaultdict(lambda: [0, 0])
    for case in counted:
        resolution = case.resolution_or_none()
        confirmed_at = (
            resolution.confirmed_at if resolution and resolution.customer_confirmed else None
        )
        feedback = sorted(case.feedback.all(), key=lambda entry: (entry.at, entry.id))
        interactions = sorted(case.interactions.all(), key=lambda entry: (entry.at, entry.id))
        if feedback:
            satisfied = feedback[-1].satisfaction >= SATISFIED_FROM
            scores.append(feedback[-1].satisfaction)
        elif interactions and interactions[-1].customer_satisfied in ("yes", "no"):
            satisfied = interactions[-1].customer_satisfied == "yes"
        else:
            satisfied = None
        answered = [entry for entry in feedback if entry.likelihood_to_return is not None]
        if answered:
            answers.append(answered[-1].likelihood_to_return)
        is_recovered = confirmed_at is not None and satisfied is True
        recovered += is_recovered
        per_nature[case.nature][0] += 1
        per_nature[case.nature][1] += is_recovered
        if confirmed_at is not None:
            hours.append((confirmed_at - case.occurred_at).total_seconds() / 3600)
        for action in case.actions.select_related("action_type"):
            action_totals[action.action_type.code] += 1
            action_cases[action.action_type.code].add(case.pk)
            if action.amount is not None:
                money[(case.nature, action.action_type.code, action.currency)] += action.amount
    return {
        "cases": len(counted),
        "recovered": recovered,
        "rate": 100 * recovered / len(counted) if counted else None,
        "satisfaction": statistics.mean(scores) if scores else None,
        "scores": Counter(scores),
        "return": statistics.mean(answers) if answers else None,
        "answers": Counter(answers),
        "mean_hours": statistics.mean(hours) if hours else None,
        "median_hours": statistics.median(hours) if hours else None,
        "money": dict(money),
        "actions": {code: (action_totals[code], len(action_cases[code])) for code in action_totals},
        "per_nature": {nature: tuple(values) for nature, values in per_nature.items()},
    }


def approx(value):
    return None if value is None else pytest.approx(value)


@pytest.mark.django_db
@settings(
    max_examples=report_examples(),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(made=cases, zone=st.sampled_from(ZONES))
def test_recovery_figures_equal_their_definitions(made, zone):
    RecoveryCase.objects.all().delete()
    client, other = ClientFactory(timezone=zone), ClientFactory(timezone=zone)
    types = {code: RecoveryActionTypeFactory(code=code) for code in ("refund", "credit", "apology")}
    build(client, other, made, types, UserFactory())
    period = period_containing(MONTH, FIRST_DAY, ZoneInfo(zone))
    start, end = period.start, period.end
    expected = reference(client, start, end)

    found = figures.outcomes(client.pk, start, end)
    assert (found.cases, found.recovered) == (expected["cases"], expected["recovered"])
    assert found.rate == approx(expected["rate"])
    assert found.satisfaction == approx(expected["satisfaction"])
    assert found.likelihood_to_return == approx(expected["return"])
    assert found.mean_hours == approx(expected["mean_hours"])
    assert figures.median_hours_to_recover(client.pk, start, end) == approx(
        expected["median_hours"]
    )

    spread = figures.score_distributions(client.pk, start, end)
    assert spread.satisfaction == {score: expected["scores"][score] for score in range(1, 6)}
    assert spread.likelihood_to_return == {
        answer: expected["answers"][answer] for answer in range(0, 11)
    }

    by_nature = figures.outcomes_by_nature(client.pk, start, end)
    assert {n: (v.cases, v.recovered) for n, v in by_nature.items()} == expected["per_nature"]

    groups = figures.money_groups(client.pk, start, end)
    assert {(g.nature, g.code, g.currency): g.amount for g in groups} == expected["money"]
    for total in figures.money_totals(groups):
        for code in ("refund", "credit"):
            assert getattr(total, code) == sum(
                (
                    amount
                    for (_, kind, currency), amount in expected["money"].items()
                    if kind == code and currency == total.currency
                ),
                Decimal("0"),
            )
    counts = figures.action_counts(client.pk, start, end)
    assert {row.code: (row.actions, row.cases) for row in counts} == expected["actions"]
