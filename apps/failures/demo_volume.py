"""Bulk volume of failure reports for benchmarks: the demo scenarios, many times over.

Rows are written with their final state only, a batch per transaction: reference numbers,
reports, their corrective actions, and a creation version in the history for each.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import groupby

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from apps.core.choices import Status
from apps.core.demo import DemoClient, DemoOrganisation
from apps.core.services.references import format_reference, reserve_reference_numbers
from apps.core.targets import default_resolution_due

from .demo import SCENARIOS, Scenario
from .models import CorrectiveAction, FailureReport, FollowUpStatus

VOLUME_BATCH = 2000
WINDOW_DAYS = 365
STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED)


def _report(demo: DemoClient, scenario: Scenario, rng: random.Random, now: datetime):
    """An unsaved report in a random state, and the values of its actions."""
    people = [person for members in demo.members.values() for person in members]
    occurred = now - timedelta(minutes=rng.randint(60, WINDOW_DAYS * 24 * 60))
    status = rng.choice(STATUSES)
    closed = status == Status.CLOSED
    services = {service.name: service for service in demo.services}
    report = FailureReport(
        client=demo.client,
        category=scenario.category,
        title=scenario.title,
        severity=scenario.severity,
        status=status,
        service=services.get(scenario.service),
        occurred_at=occurred,
        resolution_due=default_resolution_due(scenario.severity, occurred),
        detected_at=occurred + timedelta(minutes=rng.randint(5, 240)),
        description=scenario.description,
        customer_impact=scenario.impact,
        team=demo.teams[min(demo.teams)],
        reported_by=rng.choice(people),
        assignee=None if status == Status.NEW else rng.choice(people),
        version=1 if status == Status.NEW else rng.randint(2, 6),
        **scenario.details,
    )
    report._history_user = report.reported_by  # who the creation version names
    if status in (Status.RESOLVED, Status.CLOSED):
        report.resolved_at = min(now, occurred + timedelta(days=rng.randint(1, 20)))
        report.root_cause_category = scenario.root_cause
        report.root_cause_analysis = scenario.analysis
        report.lessons_learned = scenario.lessons
        report.follow_up_status = FollowUpStatus.DONE
    if closed:
        report.closed_at = report.resolved_at
    actions = []
    for text in scenario.actions:
        action = {
            "action": text,
            "owner": rng.choice(people),
            "due_date": (occurred + timedelta(days=14)).date(),
        }
        if closed or rng.random() < 0.3:
            action["done_at"] = min(now, occurred + timedelta(days=rng.randint(1, 14)))
        actions.append(action)
    return report, actions


def _references(reports: list[FailureReport]) -> None:
    prefix = FailureReport.reference_prefix
    reports.sort(key=lambda report: report.occurred_at)
    for year, group in groupby(reports, key=lambda report: report.occurred_at.year):
        members = list(group)
        numbers = reserve_reference_numbers(prefix, year, len(members))
        for report, number in zip(members, numbers, strict=True):
            report.reference = format_reference(prefix, year, number)


def generate_failure_volume(
    organisation: DemoOrganisation,
    *,
    count: int,
    rng: random.Random,
    now: datetime,
    batch_size: int = VOLUME_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write `count` more failure reports with their actions; added on every call."""
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        drafted = [
            _report(rng.choice(organisation.clients), rng.choice(SCENARIOS), rng, now)
            for _ in range(size)
        ]
        with transaction.atomic():
            reports = [report for report, _ in drafted]
            _references(reports)
            saved = bulk_create_with_history(reports, FailureReport, batch_size=500)
            by_reference = {report.reference: report for report in saved}
            actions = []
            for report, action_values in drafted:
                for values in action_values:
                    action = CorrectiveAction(report=by_reference[report.reference], **values)
                    action._history_user = report.reported_by
                    actions.append(action)
            bulk_create_with_history(actions, CorrectiveAction, batch_size=500)
        done += size
        if progress is not None:
            progress(done, count)
    return done
