"""The demo clients get business calendars and SLA policies, once."""

from datetime import time

import pytest

from apps.core.choices import Severity
from apps.core.demo import seed_organisation
from apps.core.services.records import record_create
from apps.interruptions.models import Interruption
from apps.sla.demo import seed_demo_sla
from apps.sla.models import BusinessCalendar, Holiday, SlaPolicy, WorkingHours
from apps.sla.selectors import calendar_spec_for
from tests.sla.conftest import frozen, london

pytestmark = pytest.mark.django_db
HOUR = 3_600_000_000
MODELS = (BusinessCalendar, WorkingHours, Holiday, SlaPolicy)


def _history_counts() -> dict:
    return {model: model.history.count() for model in MODELS}


def test_demo_clients_get_their_calendar_and_policies_and_a_second_run_writes_nothing():
    organisation = seed_organisation()
    assert seed_demo_sla(organisation) == 0
    counts = _history_counts()

    assert seed_demo_sla(organisation) == 0

    assert _history_counts() == counts
    for demo in organisation.clients:
        spec = calendar_spec_for(demo.client)
        assert spec.tz == demo.client.timezone
        assert spec.weekly[0] == ((8 * HOUR, 20 * HOUR),)
        assert spec.weekly[5] == ((9 * HOUR, 13 * HOUR),)
        assert spec.weekly[6] == ()
        assert len(spec.holidays) >= 10
        policies = SlaPolicy.objects.filter(client=demo.client, active=True)
        assert sorted(policies.values_list("severity", flat=True)) == list(Severity.values)
    assert {calendar.client.timezone for calendar in BusinessCalendar.objects.all()} == {
        "Europe/London",
        "America/New_York",
    }


def test_loading_the_demo_configuration_moves_open_records_onto_it():
    organisation = seed_organisation()
    acme = organisation.client("acme")
    friday_evening = london(2026, 3, 6, 19, 0)
    with frozen(friday_evening):
        record = record_create(
            Interruption,
            actor=acme.lead,
            values={
                "client": acme.client,
                "kind": "incident",
                "title": "Telephony drops calls",
                "severity": Severity.SEV2,
                "occurred_at": friday_evening,
            },
        )
    assert record.resolution_due == london(2026, 3, 7, 3, 0)  # the 8-hour default

    assert seed_demo_sla(organisation) == 1

    record.refresh_from_db()
    # 480 business minutes: Friday 19–20, Saturday 09–13, then Monday from 08:00.
    assert record.resolution_due == london(2026, 3, 9, 11, 0)
    assert WorkingHours.objects.filter(start_time=time(9), weekday=5).count() == 2


def test_the_demo_shows_one_overrunning_maintenance_and_holds_no_clock_for_months():
    import random
    from datetime import timedelta

    from django.utils import timezone

    from apps.audits.overruns import audit_maintenance_overruns
    from apps.core.choices import Status
    from apps.interruptions.demo import seed_demo_interruptions
    from apps.sla.maintenance import windows_by_client

    organisation = seed_organisation()
    now = timezone.now()
    # As dense as the demo's 400 over six months (the overrun needs a record days old).
    seed_demo_interruptions(organisation, count=160, rng=random.Random(2026), now=now)

    under_way = Interruption.objects.filter(
        kind="maintenance", status__in=[Status.IN_PROGRESS, Status.ON_HOLD], ended_at__isnull=True
    )
    overruns = [window for window in under_way if window.planned_end + timedelta(hours=24) <= now]
    assert len(overruns) == 1
    assert now - overruns[0].planned_end < timedelta(days=3)
    assert len(audit_maintenance_overruns(now=now).finding_ids) == 1
    # No window holds clocks for longer than its planned length and the overrun limit.
    for windows in windows_by_client([demo.client.pk for demo in organisation.clients]).values():
        for window in windows:
            assert window.end is not None or now - window.start < timedelta(days=4)
            if window.end is not None:
                assert window.end - window.start <= timedelta(hours=4 + 24)
