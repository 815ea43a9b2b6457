"""How long the escalations report takes at volume: 100,000 escalations of one client over a
year and 300,000 versions in their history (half still open, so every period reads them).

A benchmark, not part of the default run (it needs PostgreSQL and a minute to set up):
    pytest -m benchmark tests/reports/test_escalations_speed.py -s
"""

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.escalations.models import Escalation, TierStay
from apps.escalations.tier_stays import refresh_all_tier_stays
from apps.reports.escalations import escalation_figures
from apps.reports.periods import MONTH, period_containing, today_in
from apps.reports.scope import TREND_PERIODS, ReportScope
from tests.factories_escalations import EscalationCategoryFactory

pytestmark = [
    pytest.mark.benchmark,
    pytest.mark.postgres,
    pytest.mark.django_db,
]

ROWS = 100_000
LIMIT_SECONDS = 0.5
# Four stories, by id modulo 4: (hours after raised, tier, status) of each version.
STORIES = {
    0: [(0, 1, "new"), (1, 1, "in_progress"), (5, 1, "resolved")],
    1: [(0, 1, "new"), (1, 1, "in_progress"), (3, 2, "in_progress"), (20, 2, "resolved")],
    2: [(0, 1, "new"), (1, 1, "in_progress"), (3, 2, "in_progress"), (10, 3, "in_progress")],
    3: [(0, 1, "new")],
}


def _seed(client, category, now) -> None:
    table = Escalation._meta.db_table
    history = Escalation.history.model
    tracked = [field.column for field in history.tracked_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (reference, client_id, title, description, severity, status,
                occurred_at, created_at, updated_at, version, cancel_reason, customer_name,
                account_reference, origin, channel, category_id, tier, reason,
                resolution_steps, outcome, post_resolution_review, matrix_steps, matrix_name,
                root_cause_category, root_cause_analysis)
            SELECT 'ESC-B-' || n, %s, 'Customer cut off twice', '', 'SEV2', 'new',
                %s - n * interval '315 seconds', %s, %s, 1, '', 'Jane Doe', 'AC-1',
                (ARRAY['customer','internal','technical','process'])[1 + n %% 4],
                (ARRAY['voice','email','chat','web','social'])[1 + n %% 5],
                %s, 1, 'Two failed callbacks', '', '', '', '[]', '', '', ''
            FROM generate_series(1, %s) AS n
            """,
            [client.pk, now, now, now, category.pk, ROWS],
        )
        values = ", ".join(
            f"({kind}, {hours}, {tier}, '{status}')"
            for kind, steps in STORIES.items()
            for hours, tier, status in steps
        )
        columns = ", ".join(tracked)
        chosen = ", ".join(
            {"tier": "v.tier", "status": "v.status"}.get(column, f"e.{column}")
            for column in tracked
        )
        cursor.execute(
            f"""
            INSERT INTO {history._meta.db_table} ({columns}, history_date, history_type,
                history_change_reason)
            SELECT {chosen}, e.occurred_at + v.hours * interval '1 hour', '~', ''
            FROM {table} e JOIN (VALUES {values}) AS v (kind, hours, tier, status)
                ON v.kind = e.id %% 4
            WHERE e.client_id = %s
            """,
            [client.pk],
        )
        cursor.execute(
            f"""
            UPDATE {table} e SET
                tier = CASE e.id %% 4 WHEN 1 THEN 2 WHEN 2 THEN 3 ELSE 1 END,
                status = CASE e.id %% 4 WHEN 0 THEN 'resolved' WHEN 1 THEN 'resolved'
                    WHEN 2 THEN 'in_progress' ELSE 'new' END,
                first_response_at = CASE WHEN e.id %% 4 < 3
                    THEN e.occurred_at + interval '1 hour' END,
                resolved_at = CASE e.id %% 4 WHEN 0 THEN e.occurred_at + interval '5 hours'
                    WHEN 1 THEN e.occurred_at + interval '20 hours' END,
                updated_at = e.occurred_at + CASE e.id %% 4 WHEN 0 THEN interval '5 hours'
                    WHEN 1 THEN interval '20 hours' WHEN 2 THEN interval '10 hours'
                    ELSE interval '0 hours' END
            WHERE e.client_id = %s
            """,
            [client.pk],
        )
        refresh_all_tier_stays()  # loaded behind the services, as a migration would backfill
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {history._meta.db_table}")
        cursor.execute(f"ANALYZE {TierStay._meta.db_table}")


def test_last_months_report_at_a_hundred_thousand_escalations(client, world):
    if connection.vendor != "postgresql":
        pytest.skip("measured on PostgreSQL")
    now = timezone.now()
    _seed(world.client_a, EscalationCategoryFactory(), now)
    zone = ZoneInfo(world.client_a.timezone)
    this_month = period_containing(MONTH, today_in(zone, now), zone)
    last_month = period_containing(MONTH, this_month.first_day - timedelta(days=1), zone)
    scope = ReportScope(client=world.client_a, period=last_month, now=now)
    escalation_figures(scope, TREND_PERIODS)  # warm
    began = time.perf_counter()
    figures = escalation_figures(scope, TREND_PERIODS)
    seconds = time.perf_counter() - began
    assert figures.raised[figures.current] > 7_000
    assert figures.moves().count > 3_000

    client.force_login(world.lead)
    parameters = {"client": world.client_a.pk, **last_month.query_string()}
    client.get(reverse("reports:escalations"), parameters)
    began = time.perf_counter()
    page = client.get(reverse("reports:escalations"), parameters)
    page_seconds = time.perf_counter() - began
    assert page.status_code == 200
    print(f"\nescalations report: figures {seconds:.3f} s, page {page_seconds:.3f} s")
    assert page_seconds <= LIMIT_SECONDS
