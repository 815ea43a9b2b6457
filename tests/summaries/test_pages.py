"""The figures on the list pages: from the summaries, or live in a second request."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.models import SummaryRow
from apps.core.summaries.budget import Budget
from apps.core.summaries.fold import fold_deltas
from apps.interruptions.models import Interruption
from tests.factories import InterruptionFactory

from .figures import list_view

pytestmark = pytest.mark.django_db

SLOW_QUERY = {
    "postgresql": "SELECT pg_sleep(2)",
    # Counts to a hundred million: far past any budget a test gives.
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
    "WHERE i < 100000000) SELECT COUNT(*) FROM n",
}


@pytest.fixture
def records(world):
    now = timezone.now()
    InterruptionFactory(client=world.client_a, severity="SEV1", resolution_due=now - timedelta(1))
    InterruptionFactory(client=world.client_a, severity="SEV2", title="Phones down")
    InterruptionFactory(client=world.client_b, severity="SEV1")


def test_summarised_filters_show_figures_and_count_with_the_table(world, client, records):
    client.force_login(world.lead)
    response = client.get("/interruptions/?severity=SEV1&severity=SEV2&breached=true")
    figures = {item.label: item.value for item in response.context["measures"]}
    assert (figures["Breached"], figures["SEV1"], figures["Open"]) == (1, 1, 1)
    assert response.context["row_count"] == 1
    assert 'id="row-count"><strong>1</strong>' in response.content.decode()
    assert "_figures=1" not in response.content.decode()


def test_the_figures_cost_two_queries_at_most(world, records):
    from apps.core.summaries.figures import list_figures

    view = list_view(Interruption, world.lead, "severity=SEV1&status=new")
    queryset = view.filtered_queryset()
    with CaptureQueriesContext(connection) as queries:
        list_figures(view, queryset)
    assert len(queries) <= 2


def test_a_search_leaves_the_figures_to_a_second_request(world, client, records):
    client.force_login(world.lead)
    page = client.get("/interruptions/?q=Phones").content.decode()
    assert 'hx-get="/interruptions/?q=Phones&amp;_figures=1"' in page
    assert 'id="row-count"><strong>…</strong>' in page

    fragment = client.get("/interruptions/?q=Phones&_figures=1", HTTP_HX_REQUEST="true")
    figures = {item.label: item.value for item in fragment.context["measures"]}
    assert (figures["Open"], figures["SEV2"], figures["SEV1"]) == (1, 1, 0)
    assert 'hx-swap-oob="true" class="me-auto" id="row-count"><strong>1</strong>' in (
        fragment.content.decode()
    )


def test_past_the_budget_a_figure_shows_as_unknown(world, client, records, settings):
    settings.LIVE_FIGURES_BUDGET = 0
    client.force_login(world.lead)
    fragment = client.get("/interruptions/?q=Phones&_figures=1").content.decode()
    assert 'id="row-count"><strong>…</strong>' in fragment
    assert "Not counted within the time allowed" in fragment


def test_a_budget_cancels_a_query_that_runs_past_it(db):
    def slow():
        with connection.cursor() as cursor:
            cursor.execute(SLOW_QUERY[connection.vendor])
            return cursor.fetchone()

    assert Budget(0.2).run(slow) is None
    assert Budget(5).run(lambda: Interruption.objects.count()) == 0


def test_the_home_counters_read_the_summaries(world, client, records):
    fold_deltas()
    # What the counters read is the summaries, not the records: drop a folded open count.
    SummaryRow.objects.filter(folded=True, severity="SEV2").delete()
    client.force_login(world.lead)
    counters = client.get("/").context["sections"][0]["counts"]
    assert [counter["count"] for counter in counters][:2] == [1, 1]
