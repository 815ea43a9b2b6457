"""The root-cause figures: hand-built answers (period edges across a DST change, the other
client, records with no cause or no service, corrective actions in every state) and a
property test against a record-by-record count written from the definition."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.choices import RootCause
from apps.core.listing.root_cause import NOT_RECORDED
from apps.escalations.models import Escalation
from apps.failures.models import FailureReport
from apps.interruptions.models import Interruption
from apps.reports.periods import MONTH, period_containing
from apps.reports.root_causes import (
    causes_per_service,
    corrective_actions_per_cause,
    pareto,
)
from tests.factories import ClientFactory, InterruptionFactory, ServiceFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import FailureReportFactory
from tests.reports.examples import report_examples
from tests.reports.root_cause_world import MARCH, TODAY, march_world  # noqa: F401


def counts(rows) -> dict:
    return {row.category: row.counts for row in rows}


def test_pareto_counts_per_kind_most_frequent_first_with_cumulative_share(march):
    rows = pareto(march.client_a.pk, MARCH.start, MARCH.end)

    assert [row.category for row in rows] == [
        RootCause.TECHNOLOGY,
        RootCause.PEOPLE,  # ties with process: the code list's order decides
        RootCause.PROCESS,
        RootCause.CUSTOMER,
        RootCause.THIRD_PARTY,
        RootCause.FACILITY,
        RootCause.UNKNOWN,
        NOT_RECORDED,
    ]
    assert counts(rows)[RootCause.TECHNOLOGY] == {
        "interruptions": 3,
        "failures": 1,
        "escalations": 0,
    }
    assert counts(rows)[RootCause.PEOPLE] == {"interruptions": 1, "failures": 0, "escalations": 1}
    assert counts(rows)[RootCause.PROCESS] == {"interruptions": 0, "failures": 2, "escalations": 0}
    assert counts(rows)[NOT_RECORDED] == {"interruptions": 1, "failures": 0, "escalations": 1}
    assert [row.total for row in rows] == [4, 2, 2, 1, 0, 0, 0, 2]
    shares = [row.cumulative_percent for row in rows]
    assert shares[:-1] == pytest.approx([400 / 9, 600 / 9, 800 / 9, 100, 100, 100, 100])
    assert shares[-1] is None


def test_pareto_of_an_empty_period_has_no_share(world):
    rows = pareto(world.client_a.pk, MARCH.start, MARCH.end)

    assert all(row.total == 0 and row.cumulative_percent is None for row in rows)


def test_causes_per_service_count_each_affected_service_and_skip_the_unnamed(march):
    rows = causes_per_service(march.client_a.pk, MARCH.start, MARCH.end)

    assert [(row.service_name, row.category, row.counts) for row in rows] == [
        ("CRM", RootCause.PROCESS, {"interruptions": 0, "failures": 2}),
        ("CRM", RootCause.TECHNOLOGY, {"interruptions": 2, "failures": 0}),
        ("CRM", RootCause.PEOPLE, {"interruptions": 1, "failures": 0}),
        ("Telephony platform", RootCause.TECHNOLOGY, {"interruptions": 1, "failures": 0}),
    ]


def test_corrective_actions_per_cause_as_they_stand_today(march):
    rows = corrective_actions_per_cause(march.client_a.pk, MARCH.start, MARCH.end, TODAY)

    assert counts(rows) == {
        RootCause.PROCESS: {"open": 2, "overdue": 1, "done": 1, "waived": 1},
        RootCause.TECHNOLOGY: {"open": 1, "overdue": 1, "done": 0, "waived": 0},
    }
    assert [row.category for row in rows] == [RootCause.PROCESS, RootCause.TECHNOLOGY]


def test_an_action_due_today_is_not_overdue_until_tomorrow(march):
    report = FailureReport.objects.get(
        client=march.client_a, root_cause_category=RootCause.TECHNOLOGY
    )
    report.corrective_actions.update(due_date=TODAY)

    today = counts(corrective_actions_per_cause(march.client_a.pk, MARCH.start, MARCH.end, TODAY))
    tomorrow = counts(
        corrective_actions_per_cause(
            march.client_a.pk, MARCH.start, MARCH.end, TODAY + timedelta(days=1)
        )
    )

    assert today[RootCause.TECHNOLOGY]["overdue"] == 0
    assert tomorrow[RootCause.TECHNOLOGY]["overdue"] == 1


# ---- property: the figures equal a count written from the definition -------------------

CAUSES = ["", *RootCause.values]
records = st.lists(
    st.tuples(
        st.sampled_from(["interruption", "failure", "escalation"]),
        st.sampled_from(CAUSES),
        st.integers(-30 * 24, 60 * 24),  # hours after the period's start
        st.booleans(),  # client A (else B)
        st.sets(st.integers(0, 1)),  # services affected or named (first only for failures)
    ),
    max_size=14,
)


def slow_pareto(client, start, end) -> dict:
    """Per category (stored value) and kind, the records that occurred in [start, end)."""
    found: dict = {}
    for key, model in (
        ("interruptions", Interruption),
        ("failures", FailureReport),
        ("escalations", Escalation),
    ):
        for record in model.objects.all():
            if record.client_id == client.pk and start <= record.occurred_at < end:
                row = found.setdefault(record.root_cause_category or NOT_RECORDED, {})
                row[key] = row.get(key, 0) + 1
    return found


def slow_per_service(client, start, end) -> dict:
    found: dict = {}
    for interruption in Interruption.objects.all():
        if interruption.client_id != client.pk or not interruption.root_cause_category:
            continue
        if not start <= interruption.occurred_at < end:
            continue
        for service in interruption.affected_services.all():
            key = (service.pk, interruption.root_cause_category, "interruptions")
            found[key] = found.get(key, 0) + 1
    for report in FailureReport.objects.all():
        if report.client_id != client.pk or not report.root_cause_category:
            continue
        if report.service_id is None or not start <= report.occurred_at < end:
            continue
        key = (report.service_id, report.root_cause_category, "failures")
        found[key] = found.get(key, 0) + 1
    return found


@pytest.mark.django_db
@settings(
    max_examples=report_examples(),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(made=records, zone=st.sampled_from(["Europe/London", "Asia/Manila", "America/New_York"]))
def test_pareto_and_services_equal_a_count_by_definition(made, zone):
    client_a = ClientFactory(timezone=zone)
    client_b = ClientFactory(timezone=zone)
    services = {
        client_a.pk: [ServiceFactory(client=client_a), ServiceFactory(client=client_a)],
        client_b.pk: [ServiceFactory(client=client_b), ServiceFactory(client=client_b)],
    }
    period = period_containing(MONTH, date(2026, 3, 15), ZoneInfo(zone))
    for kind, cause, hours, in_a, chosen in made:
        client = client_a if in_a else client_b
        when = period.start + timedelta(hours=hours)
        picked = [services[client.pk][index] for index in sorted(chosen)]
        common = {"client": client, "occurred_at": when, "root_cause_category": cause}
        if kind == "interruption":
            InterruptionFactory(**common, affected_services=picked)
        elif kind == "failure":
            FailureReportFactory(**common, service=picked[0] if picked else None)
        else:
            EscalationFactory(**common)

    rows = pareto(client_a.pk, period.start, period.end)
    expected = slow_pareto(client_a, period.start, period.end)

    got = {
        row.category: {key: value for key, value in row.counts.items() if value}
        for row in rows
        if row.total
    }
    assert got == expected
    causes = [row for row in rows if row.category != NOT_RECORDED]
    assert [row.total for row in causes] == sorted((row.total for row in causes), reverse=True)
    recorded = sum(row.total for row in causes)
    running = 0
    for row in causes:
        running += row.total
        if recorded:
            assert row.cumulative_percent == pytest.approx(100 * running / recorded)
        else:
            assert row.cumulative_percent is None

    per_service = causes_per_service(client_a.pk, period.start, period.end)
    got_services = {
        (row.service_id, row.category, key): value
        for row in per_service
        for key, value in row.counts.items()
        if value
    }
    assert got_services == slow_per_service(client_a, period.start, period.end)
