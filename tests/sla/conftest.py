"""Helpers of the SLA tests: time under control, a record of client A made through core."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from apps.core.choices import Severity
from apps.core.services.records import record_create
from apps.interruptions.models import Interruption

LONDON = ZoneInfo("Europe/London")


def london(*parts) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """`timezone.now()` answers `moment`: status changes and history happen then."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


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
