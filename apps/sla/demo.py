"""Demo business calendars and SLA policies for the demo clients. Safe to run again.

Rows are looked up by their natural keys and saved only when they differ, so a second run
writes nothing; when a run does change a client's calendar or policies, that client's open
records get their due times recomputed, as an administrator's change would.
"""

from datetime import date, time

from django.db import transaction

from apps.core.choices import Severity
from apps.core.demo import DemoOrganisation, upsert

from .models import BusinessCalendar, Holiday, SlaPolicy, WorkingHours
from .selectors import active_policies, calendar_spec_for
from .services import sla_recompute_open_records

# Mon–Fri 08:00–20:00 and Saturday morning, in each client's own time zone.
WORKING_HOURS = (
    *((weekday, time(8), time(20)) for weekday in range(5)),
    (5, time(9), time(13)),
)

HOLIDAYS = {
    "acme": (  # England and Wales bank holidays
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 4), "Early May bank holiday"),
        (date(2026, 5, 25), "Spring bank holiday"),
        (date(2026, 8, 31), "Summer bank holiday"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day (substitute day)"),
        (date(2027, 1, 1), "New Year's Day"),
        (date(2027, 3, 26), "Good Friday"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2027, 5, 3), "Early May bank holiday"),
        (date(2027, 5, 31), "Spring bank holiday"),
        (date(2027, 8, 30), "Summer bank holiday"),
        (date(2027, 12, 27), "Christmas Day (substitute day)"),
        (date(2027, 12, 28), "Boxing Day (substitute day)"),
    ),
    "globex": (  # United States federal holidays, as observed
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 1, 19), "Martin Luther King Jr. Day"),
        (date(2026, 5, 25), "Memorial Day"),
        (date(2026, 7, 3), "Independence Day (observed)"),
        (date(2026, 9, 7), "Labor Day"),
        (date(2026, 11, 26), "Thanksgiving Day"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2027, 1, 1), "New Year's Day"),
        (date(2027, 1, 18), "Martin Luther King Jr. Day"),
        (date(2027, 5, 31), "Memorial Day"),
        (date(2027, 7, 5), "Independence Day (observed)"),
        (date(2027, 9, 6), "Labor Day"),
        (date(2027, 11, 25), "Thanksgiving Day"),
        (date(2027, 12, 24), "Christmas Day (observed)"),
    ),
}

# Severity → (first response, resolution) in business minutes. Globex, a telecom, buys
# tighter targets for outages than Acme.
POLICIES = {
    "acme": {
        Severity.SEV1: (15, 240),
        Severity.SEV2: (30, 480),
        Severity.SEV3: (120, 1_440),
        Severity.SEV4: (240, 2_880),
    },
    "globex": {
        Severity.SEV1: (10, 180),
        Severity.SEV2: (30, 360),
        Severity.SEV3: (120, 1_440),
        Severity.SEV4: (480, 3_600),
    },
}


def _configuration(client) -> tuple:
    policies = active_policies(client.pk)
    return calendar_spec_for(client), {
        severity: (policy.first_response_minutes, policy.resolution_minutes)
        for severity, policy in policies.items()
    }


def seed_demo_sla(organisation: DemoOrganisation) -> int:
    """Give each demo client its calendar and policies; returns how many open records'
    due times moved because of it (0 when everything was already there)."""
    moved = 0
    for demo in organisation.clients:
        client = demo.client
        with transaction.atomic():
            before = _configuration(client)
            calendar, _ = BusinessCalendar.objects.get_or_create(
                client=client, defaults={"notes": "Contact centre opening hours."}
            )
            for weekday, start, end in WORKING_HOURS:
                upsert(
                    WorkingHours,
                    {"calendar": calendar, "weekday": weekday, "start_time": start},
                    {"end_time": end},
                )
            for day, name in HOLIDAYS[client.code]:
                upsert(Holiday, {"calendar": calendar, "date": day}, {"name": name})
            for severity, (first, resolution) in POLICIES[client.code].items():
                upsert(
                    SlaPolicy,
                    {"client": client, "severity": severity},
                    {
                        "first_response_minutes": first,
                        "resolution_minutes": resolution,
                        "active": True,
                    },
                )
            if _configuration(client) != before:
                moved += sla_recompute_open_records(
                    client, actor=organisation.admin, reason="demo SLA configuration loaded"
                )
    return moved
