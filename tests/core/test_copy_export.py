"""On PostgreSQL, CSV exports come from COPY; they must say exactly what the row writer says."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.listing.copy_export import _copy_lines
from apps.core.listing.exports import _csv_lines, csv_header
from apps.interruptions.models import Interruption
from apps.interruptions.views import EXPORT_COLUMNS, InterruptionListView
from tests.factories import InterruptionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture
def varied_rows(world):
    start = timezone.now().replace(microsecond=0) - timedelta(days=3)
    InterruptionFactory(
        client=world.client_a,
        title='=HYPERLINK("x")',
        kind="maintenance",
        status="closed",
        closed_at=start + timedelta(hours=5),
        severity="SEV1",
        occurred_at=start,
        ended_at=start + timedelta(hours=2),
        planned_start=start,
        planned_end=start + timedelta(hours=1),
        assignee=world.agent,
        team=world.team_a1,
        root_cause_category="third_party",
        resolution='Vendor fixed it, "finally"\nline two',
        customers_affected=120,
        reported_by=UserFactory(username="reporter"),
        affected_services=[world.service_a, world.service_a2],
    )
    InterruptionFactory(client=world.client_a, title="-5 agents idle", occurred_at=start)
    InterruptionFactory(
        client=world.client_b,
        title="Plain, with comma",
        channel="voice",
        kind="communication",
        carrier="@Carrier",
        affected_services=[world.service_b],
    )


def test_copy_export_equals_the_row_writer(varied_rows):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    view = InterruptionListView()
    queryset = view.with_export_annotations(Interruption.objects.order_by("-occurred_at", "-id"))

    by_rows = _parse("".join(_csv_lines(queryset, EXPORT_COLUMNS)))
    by_copy = _parse(
        b"".join(_copy_lines(queryset, EXPORT_COLUMNS, csv_header(EXPORT_COLUMNS))).decode()
    )

    assert len(by_rows) == 4
    assert by_copy == by_rows
    rows = [dict(zip(by_rows[0], row, strict=True)) for row in by_rows[1:]]
    (first,) = [row for row in rows if row["Kind"] == "Planned maintenance"]
    assert first["Title"] == '\'=HYPERLINK("x")'
    assert first["Status"] == "Closed"
    assert first["Root cause"] == "Third party / vendor"
    assert first["Affected services"] in ("CRM, Telephony platform", "Telephony platform, CRM")
    assert first["Resolution"] == 'Vendor fixed it, "finally"\nline two'
    assert {row["Title"] for row in rows} >= {"'-5 agents idle", "Plain, with comma"}
