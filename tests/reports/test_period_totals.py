"""Period totals read from the summaries equal a live count over the records, whatever the
client's time zone, wherever its midnights fall against the centre's, folded or not."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.calls.models import Call
from apps.core.choices import Severity
from apps.core.summaries.fold import fold_deltas
from apps.reports.periods import WEEK, custom_period, period_containing
from apps.reports.summaries import period_totals, split_period
from tests.factories import ClientFactory
from tests.factories_calls import CallFactory

ZONES = ["UTC", "Asia/Manila", "America/New_York", "Pacific/Chatham", "Asia/Kolkata"]
BASE = timezone.make_aware(datetime(2026, 3, 20, 12, 0), ZoneInfo("UTC"))

calls = st.lists(
    st.tuples(
        st.integers(-24 * 12, 24 * 12),  # hours from the base moment
        st.sampled_from(list(Severity.values)),
        st.integers(0, 900),  # talk seconds
        st.booleans(),  # answered
    ),
    max_size=12,
)


def live_reference(client, start, end) -> dict:
    """The same totals by their definition, record by record."""
    totals: dict = {}
    for call in Call.objects.filter(client=client):
        if not start <= call.occurred_at < end:
            continue
        row = totals.setdefault((call.severity,), {"rows": 0, "talk_total": 0.0, "talk_count": 0})
        row["rows"] += 1
        if call.answered_at is not None and call.talk_seconds is not None:
            row["talk_total"] += call.talk_seconds
            row["talk_count"] += 1
    return totals


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    made=calls,
    zone=st.sampled_from(ZONES),
    weekly=st.booleans(),
    days=st.integers(1, 9),
    fold=st.booleans(),
)
def test_period_totals_equal_a_live_count(made, zone, weekly, days, fold):
    Call.objects.all().delete()
    client = ClientFactory(timezone=zone)
    other = ClientFactory(timezone=zone)
    for hours, severity, talk, answered in made:
        occurred = BASE + timedelta(hours=hours)
        CallFactory(
            client=client,
            severity=severity,
            occurred_at=occurred,
            answered_at=occurred + timedelta(seconds=20) if answered else None,
            talk_seconds=talk,
        )
    CallFactory(client=other, occurred_at=BASE)
    if fold:
        fold_deltas()
    first = date(2026, 3, 16)
    period = (
        period_containing(WEEK, first, ZoneInfo(zone))
        if weekly
        else custom_period(first, first + timedelta(days=days - 1), ZoneInfo(zone))
    )
    read = period_totals(Call, client.pk, period.start, period.end, group_by=("severity",))
    expected = live_reference(client, period.start, period.end)
    assert {key: row["rows"] for key, row in read.items()} == {
        key: row["rows"] for key, row in expected.items()
    }
    for key, row in expected.items():
        assert read[key]["talk_total"] == pytest.approx(row["talk_total"])
        assert read[key]["talk_count"] == row["talk_count"]


@pytest.mark.django_db
def test_narrowing_by_a_dimension_and_no_records():
    client = ClientFactory(timezone="Asia/Manila")
    CallFactory(client=client, severity=Severity.SEV2, occurred_at=BASE)
    CallFactory(client=client, severity=Severity.SEV4, occurred_at=BASE)
    start, end = BASE - timedelta(days=1), BASE + timedelta(days=1)
    assert period_totals(Call, client.pk, start, end, where={"severity": "SEV2"})[()]["rows"] == 1
    assert period_totals(Call, client.pk, start, end, where={"severity": []}) == {}
    assert period_totals(Call, client.pk, end, end + timedelta(days=3)) == {}
    with pytest.raises(ValueError, match="group by"):
        period_totals(Call, client.pk, start, end, group_by=("assignee_id",))


def test_a_period_is_cut_at_the_centres_midnights():
    manila = ZoneInfo("Asia/Manila")
    period = custom_period(date(2026, 3, 2), date(2026, 3, 4), manila)
    split = split_period(period.start, period.end)
    # Manila's 2 March begins at 16:00 UTC on 1 March: UTC's 2 and 3 March lie wholly inside.
    assert (split.first_day, split.last_day) == (date(2026, 3, 2), date(2026, 3, 3))
    assert [(low.isoformat(), high.isoformat()) for low, high in split.edges] == [
        ("2026-03-02T00:00:00+08:00", "2026-03-02T00:00:00+00:00"),
        ("2026-03-04T00:00:00+00:00", "2026-03-05T00:00:00+08:00"),
    ]
    one_day = custom_period(date(2026, 3, 2), date(2026, 3, 2), manila)
    assert split_period(one_day.start, one_day.end).first_day is None
