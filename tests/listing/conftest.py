"""Every list page of the portal, found through the URL resolver, and rows for each."""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from apps.audits.models import FindingKind
from apps.audits.services import finding_file
from apps.core.choices import Severity, Status
from apps.intake.models import IntakeRequest, Outcome
from tests.factories_calls import QualityAuditFactory
from tests.factories_intake import IntegrationFactory
from tests.log_kinds import LOG_FACTORIES

ROLES = ("agent", "lead", "auditor", "admin")
# Who opens each list besides the default readers (leads, auditors, administrators).
READERS = {"/intake/requests/": {"lead", "admin"}}
DEFAULT_READERS = frozenset({"lead", "auditor", "admin"})


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def list_urls() -> list[str]:
    """The paths of every view that lists filtered rows (no path parameter)."""
    urls = []
    for route, pattern in _patterns(get_resolver()):
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is not None and hasattr(view_class, "filtered_queryset") and "<" not in route:
            urls.append("/" + route)
    return sorted(urls)


@pytest.fixture
def rows_of_every_list(world):
    """A few open rows of every kind for client A, audits of calls, findings, and one row of
    each kind for client B. None is on hold: a paused clock's minutes left cost the queries
    of its SLA policy, calendar, holds and maintenance windows (tests/sla/test_due_cell.py)."""
    now = timezone.now()
    statuses = [Status.NEW, Status.IN_PROGRESS, Status.RESOLVED]
    for factory in LOG_FACTORIES.values():
        for number in range(4):
            record = factory(
                client=world.client_a,
                assignee=[world.agent, world.lead, None][number % 3],
                team=world.team_a1,
                severity=list(Severity)[number % 4],
                status=statuses[number % 3],
                occurred_at=now - timedelta(hours=number + 1),
            )
            if number == 0:
                finding_file(
                    kind=FindingKind.STALE,
                    fingerprint=f"stale:{record._meta.label}:{record.pk}",
                    severity=Severity.SEV2,
                    summary=f"{record.reference} needs a look.",
                    record=record,
                    now=now,
                )
            if factory.__name__ == "CallFactory" and number % 2 == 0:
                QualityAuditFactory(call=record, auditor=world.auditor)
        factory(client=world.client_b)
    for client in (world.client_a, world.client_a, world.client_b):
        source = IntegrationFactory(client=client)
        for outcome, status in ((Outcome.ACCEPTED, 202), (Outcome.REFUSED, 401)):
            IntakeRequest.objects.create(
                integration=source,
                client=client,
                outcome=outcome,
                status_code=status,
                references=["INT-2026-000001"] if status == 202 else [],
            )
