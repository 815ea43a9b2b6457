"""On PostgreSQL, CSV exports come from COPY; they must say exactly what the row writer says,
for every export of every kind."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.audits.models import AuditFinding, FindingKind
from apps.core.listing import exports
from apps.core.listing.copy_export import _copy_lines
from apps.core.listing.exports import _csv_lines, csv_header
from apps.interruptions.models import Interruption
from apps.interruptions.views import EXPORT_COLUMNS, InterruptionListView
from tests.factories import InterruptionFactory, UserFactory
from tests.factories_calls import CallFactory, QualityAuditFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory
from tests.factories_recovery import (
    RecoveryActionFactory,
    RecoveryCaseFactory,
    RecoveryFeedbackFactory,
    RecoveryResolutionFactory,
)

pytestmark = pytest.mark.django_db

# Text a spreadsheet would run, text with a quote and a line break, a comma, and plain text.
AWKWARD = ['=HYPERLINK("x")', "-5 agents idle", 'Fixed it, "finally"\nline two', "a, b", "@x"]


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


def _interruptions(world):
    for title in AWKWARD:
        InterruptionFactory(client=world.client_a, title=title, affected_services=[world.service_a])
    InterruptionFactory(
        client=world.client_a,
        kind="third_party",
        vendor="=cmd",
        status="closed",
        closed_at=timezone.now(),
    )


def _calls(world):
    for title in AWKWARD:
        CallFactory(client=world.client_a, title=title, customer_name=title, assignee=world.agent)
    CallFactory(client=world.client_a, caller_number="12", customer_name="", outcome="missed")


def _escalations(world):
    for title in AWKWARD:
        EscalationFactory(client=world.client_a, title=title, customer_name=title)
    EscalationFactory(client=world.client_a, first_response_at=timezone.now(), outcome="+1")


def _failures(world):
    for title in AWKWARD:
        FailureReportFactory(client=world.client_a, title=title, customer_impact=title)
    report = FailureReportFactory(client=world.client_a, service=world.service_a)
    CorrectiveActionFactory(report=report, due_date=timezone.localdate() - timedelta(days=1))
    CorrectiveActionFactory(report=report, done_at=timezone.now())


def _recovery(world):
    for title in AWKWARD:
        RecoveryCaseFactory(client=world.client_a, title=title, customer_name=title)
    case = RecoveryCaseFactory(client=world.client_a)
    RecoveryActionFactory(case=case)
    RecoveryResolutionFactory(case=case, customer_confirmed=True, confirmed_at=timezone.now())
    RecoveryFeedbackFactory(case=case)


def _findings(world):
    for index, summary in enumerate(AWKWARD):
        AuditFinding.objects.create(
            kind=FindingKind.choices[index % len(FindingKind.choices)][0],
            client=world.client_a,
            severity="SEV2",
            summary=summary,
            record_reference=f"INT-2026-{index:06d}",
            found_at=timezone.now() - timedelta(hours=index),
            acknowledged_at=timezone.now() if index % 2 else None,
            acknowledged_by=world.lead if index % 2 else None,
            fingerprint=f"finding-{index}",
        )


def _quality_audits(world):
    for index, comments in enumerate(AWKWARD):
        QualityAuditFactory(
            call__client=world.client_a,
            call__assignee=world.agent,
            comments=comments,
            coaching_needed=bool(index % 2),
            passed=index % 3 == 0,
            total_percent=80 + index,
            pass_mark=80,
        )


EVERY_EXPORT = {
    "/interruptions/": _interruptions,
    "/calls/": _calls,
    "/escalations/": _escalations,
    "/failures/": _failures,
    "/recovery/": _recovery,
    "/audits/findings/": _findings,
    "/calls/audits/": _quality_audits,
}


@pytest.mark.parametrize("url", EVERY_EXPORT)
@pytest.mark.parametrize("username", ["auditor", "lead"])
def test_every_export_by_copy_equals_the_row_writer(world, client, monkeypatch, url, username):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    EVERY_EXPORT[url](world)
    client.force_login(getattr(world, username))

    by_copy = client.get(url, {"_export": "csv"})
    monkeypatch.setattr(exports, "copy_available", lambda queryset: False)
    by_rows = client.get(url, {"_export": "csv"})

    copied = _parse(b"".join(by_copy.streaming_content).decode())
    written = _parse(b"".join(by_rows.streaming_content).decode())
    assert len(written) > 2
    assert copied == written
