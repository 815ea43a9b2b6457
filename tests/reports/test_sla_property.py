"""The SLA compliance figures equal a slow count written straight from domain.md's definition,
record by record, whatever the zone, the moment of reading and the mix of records."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.choices import Severity, Status
from apps.escalations.models import Escalation
from apps.reports.sla import LOGS, sla_sections
from tests.factories import ClientFactory
from tests.reports.examples import report_examples
from tests.reports.sla_helpers import month_scope, record, table

ZONES = ["Europe/London", "Asia/Manila", "America/New_York"]
BASE = datetime(2026, 3, 1, 0, 0, tzinfo=ZoneInfo("UTC"))
KINDS = ("interruptions", "escalations", "calls")
OPEN = set(Status.open_values())

made_records = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(KINDS),
            "severity": st.sampled_from(Severity.values),
            "due": st.integers(-24 * 3, 24 * 34),  # hours after 1 March 00:00 UTC
            "met_after": st.one_of(st.none(), st.integers(-30, 30)),  # hours after due
            "stamp_before": st.one_of(st.none(), st.integers(0, 48)),  # due moved later
            "state": st.sampled_from(["open", "on_hold", "cancelled", "closed"]),
            "first_response": st.one_of(st.none(), st.integers(-10, 10)),
        }
    ),
    max_size=8,
)


def reference(client, kind_model, due_name, stamp_name, met_names, period, now):
    """(counted, met, stamped) per severity, by the definition, record by record."""
    totals: dict[str, list[int]] = {}
    for found in kind_model.objects.filter(client=client):
        stamp = getattr(found, stamp_name)
        due_as_it_stood = stamp if stamp is not None else getattr(found, due_name)
        if due_as_it_stood is None or not period.start <= due_as_it_stood < period.end:
            continue
        met_at = next((getattr(found, name) for name in met_names if getattr(found, name)), None)
        still_running = found.status in OPEN and due_as_it_stood >= now and met_at is None
        never_judged = found.status == Status.CANCELLED and met_at is None
        if stamp is None and (still_running or never_judged):
            continue
        counts = totals.setdefault(found.severity, [0, 0, 0])
        counts[0] += 1
        counts[1] += int(stamp is None and met_at is not None and met_at <= due_as_it_stood)
        counts[2] += int(stamp is not None)
    return totals


def shown(sections, key, label_of):
    found = {}
    for cells in table(sections, key).rows:
        log_label, severity = cells[0].value.split(" · ")
        if cells[2].value or cells[7].value:
            found[(label_of[log_label], severity)] = [
                cells[2].value,
                cells[3].value,
                cells[7].value,
            ]
    return found


@pytest.mark.django_db
@settings(
    max_examples=report_examples(),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    made=made_records,
    zone=st.sampled_from(ZONES),
    now_hours=st.integers(24 * 5, 24 * 40),
)
def test_compliance_equals_the_definition_record_by_record(made, zone, now_hours):
    client = ClientFactory(timezone=zone)
    other = ClientFactory(timezone=zone)
    now = BASE + timedelta(hours=now_hours)
    for values in made:
        due = BASE + timedelta(hours=values["due"])
        met = None if values["met_after"] is None else due + timedelta(hours=values["met_after"])
        stamp = None
        if values["stamp_before"] is not None:
            stamp, due = due, due + timedelta(hours=values["stamp_before"])
        elif met is not None and met > due:
            stamp = due  # the service stamps a late resolve as it happens
        state = values["state"]
        if met is not None and met > now:
            met = None
        status = {
            "open": Status.IN_PROGRESS,
            "on_hold": Status.ON_HOLD,
            "cancelled": Status.CANCELLED,
            "closed": Status.CLOSED if met is not None else Status.IN_PROGRESS,
        }[state]
        if status in OPEN or status == Status.CANCELLED:
            met = None
        extra = {}
        if values["kind"] == "escalations":
            first_due = due - timedelta(hours=4)
            answered = (
                None
                if values["first_response"] is None
                else first_due + timedelta(hours=values["first_response"])
            )
            extra = {
                "first_response_due": first_due,
                "first_response_at": answered if answered and answered <= now else None,
                "first_response_breached_at": first_due
                if answered and first_due < answered <= now
                else None,
            }
        record(
            values["kind"],
            client,
            severity=values["severity"],
            due=due,
            resolved=met,
            stamp=stamp,
            status=status,
            occurred=min(due, stamp or due) - timedelta(hours=30),
            **extra,
        )
    record("calls", other, due=BASE + timedelta(days=3), resolved=BASE + timedelta(days=2))

    scope = month_scope(client, date(2026, 3, 15), now)
    sections = sla_sections(scope)

    label_of = {log.label: log for log in LOGS}
    expected = {}
    for log in LOGS:
        for severity, counts in reference(
            client,
            log.model,
            "resolution_due",
            "resolution_breached_at",
            ("resolved_at",),
            scope.period,
            now,
        ).items():
            expected[(log, severity)] = counts
    assert shown(sections, "resolution-by-severity", label_of) == expected

    first = {
        (label_of["Escalations"], severity): counts
        for severity, counts in reference(
            client,
            Escalation,
            "first_response_due",
            "first_response_breached_at",
            ("first_response_at", "resolved_at"),
            scope.period,
            now,
        ).items()
    }
    assert shown(sections, "first_response-by-severity", label_of) == first
