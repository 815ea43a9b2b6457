"""Helpers of the SLA tests: time under control, a record of client A made through core."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from apps.core.choices import Severity
from apps.core.services.records import record_create
from apps.interruptions.models import Interruption
from tests.factories import ServiceFactory

LONDON = ZoneInfo("Europe/London")


def london(*parts) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """`timezone.now()` answers `moment`: status changes and history happen then."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def plan_window(world, services, start: datetime, end: datetime, **values) -> Interruption:
    """A maintenance window of client A over `services`, planned by the lead an hour ahead."""
    with frozen(start - timedelta(hours=1)):
        return record_create(
            Interruption,
            actor=world.lead,
            values={
                "client": world.client_a,
                "kind": "maintenance",
                "title": "CRM upgrade",
                "severity": Severity.SEV4,
                "occurred_at": start,
                "planned_start": start,
                "planned_end": end,
                **values,
            },
            m2m={"affected_services": list(services)},
        )


@pytest.fixture
def crm(world):
    return ServiceFactory(client=world.client_a, name="Order CRM")


@pytest.fixture
def make_interruption(world):
    def make(occurred_at: datetime, severity: str = Severity.SEV3, **values) -> Interruption:
        with frozen(occurred_at):
            return record_create(
                Interruption,
                actor=world.agent,
                values={
                    "client": world.client_a,
                    "kind": "incident",
                    "title": "CRM unreachable",
                    "severity": severity,
                    "occurred_at": occurred_at,
                    **values,
                },
            )

    return make
