"""Client A's March 2026 (London) for the root-cause report: records on both sides of the
month's edges, across the change to summer time, and the other client's records beside them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.core.choices import RootCause
from apps.reports.periods import MONTH, period_containing
from tests.factories import InterruptionFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory

UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")
# March 2026 in London: GMT until the 29th, then BST, so the month ends at 23:00 UTC.
MARCH = period_containing(MONTH, date(2026, 3, 15), LONDON)
TODAY = date(2026, 4, 10)


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(name="march")
def march_world(world):
    """Client A's March, with records on both sides of its edges, and client B's."""
    crm, phones = world.service_a, world.service_a2
    a = world.client_a
    inside = at(2026, 3, 10, 9)

    def interruption(cause, services=(), when=inside, client=a):
        return InterruptionFactory(
            client=client, occurred_at=when, root_cause_category=cause, affected_services=services
        )

    interruption(RootCause.TECHNOLOGY, [crm, phones])
    interruption(RootCause.TECHNOLOGY, [crm], when=at(2026, 3, 1, 0, 0))  # first instant
    interruption(RootCause.TECHNOLOGY, when=at(2026, 3, 31, 22, 59))  # last BST hour
    interruption(RootCause.PEOPLE, [crm])
    interruption("", [crm])
    interruption(RootCause.TECHNOLOGY, [crm], when=at(2026, 3, 31, 23, 0))  # 1 April BST
    interruption(RootCause.TECHNOLOGY, [crm], when=at(2026, 2, 28, 23, 59))
    for _ in range(3):
        interruption(RootCause.TECHNOLOGY, [world.service_b], client=world.client_b)

    process_1 = FailureReportFactory(
        client=a, occurred_at=inside, root_cause_category=RootCause.PROCESS, service=crm
    )
    process_2 = FailureReportFactory(
        client=a, occurred_at=inside, root_cause_category=RootCause.PROCESS, service=crm
    )
    technology = FailureReportFactory(
        client=a, occurred_at=inside, root_cause_category=RootCause.TECHNOLOGY
    )
    april = FailureReportFactory(
        client=a, occurred_at=at(2026, 4, 2), root_cause_category=RootCause.PROCESS
    )
    other = FailureReportFactory(
        client=world.client_b, occurred_at=inside, root_cause_category=RootCause.PROCESS
    )
    CorrectiveActionFactory(report=process_1, due_date=TODAY + timedelta(days=3))
    CorrectiveActionFactory(report=process_1, due_date=TODAY - timedelta(days=1))
    CorrectiveActionFactory(report=process_1, due_date=TODAY, done_at=at(2026, 3, 12))
    CorrectiveActionFactory(report=process_2, waived=True, waiver_reason="Covered by another.")
    CorrectiveActionFactory(report=technology, due_date=TODAY - timedelta(days=5))
    CorrectiveActionFactory(report=april, due_date=TODAY - timedelta(days=5))
    CorrectiveActionFactory(report=other, due_date=TODAY - timedelta(days=5))

    EscalationFactory(client=a, occurred_at=inside, root_cause_category=RootCause.PEOPLE)
    EscalationFactory(client=a, occurred_at=inside, root_cause_category="")
    EscalationFactory(client=a, occurred_at=inside, root_cause_category=RootCause.CUSTOMER)
    EscalationFactory(
        client=world.client_b, occurred_at=inside, root_cause_category=RootCause.CUSTOMER
    )
    return world
