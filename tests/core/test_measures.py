"""Resolution due times, the breached filter and the figures above every list."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from apps.core.choices import Severity, Status
from apps.core.listing.measures import (
    Measure,
    average_of,
    compute_measures,
    percent_of,
    standard_measures,
)
from apps.core.services.records import record_create, record_update
from apps.core.templatetags.portal import measure_value
from apps.interruptions.models import Interruption
from tests.factories import InterruptionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _values(world, **values):
    return {
        "client": world.client_a,
        "kind": "incident",
        "title": "CRM slow",
        "occurred_at": NOW - timedelta(hours=1),
        **values,
    }


def test_a_new_record_is_due_by_its_severitys_default_target(world):
    record = record_create(
        Interruption, actor=world.agent, values=_values(world, severity=Severity.SEV1)
    )
    assert record.resolution_due == NOW - timedelta(hours=1) + timedelta(hours=4)


def test_an_entered_due_time_is_kept(world):
    due = NOW + timedelta(days=3)
    record = record_create(
        Interruption, actor=world.agent, values=_values(world, resolution_due=due)
    )
    assert record.resolution_due == due


def test_the_due_time_follows_a_new_severity_unless_the_edit_sets_it(world):
    record = record_create(
        Interruption, actor=world.agent, values=_values(world, severity=Severity.SEV4)
    )
    start = record.occurred_at
    record = record_update(
        record, actor=world.lead, changes={"severity": Severity.SEV2}, expected_version=1
    )
    assert record.resolution_due == start + timedelta(hours=8)
    entered = NOW + timedelta(days=5)
    record = record_update(
        record,
        actor=world.lead,
        changes={"severity": Severity.SEV1, "resolution_due": entered},
        expected_version=2,
    )
    assert record.resolution_due == entered


@pytest.fixture
def due_cases(world):
    """One record per case the breached rule distinguishes, all of client A."""
    past, future = NOW - timedelta(hours=1), NOW + timedelta(hours=1)

    def make(**values):
        return InterruptionFactory(client=world.client_a, **values).reference

    return {
        "open_late": make(status=Status.IN_PROGRESS, resolution_due=past, severity="SEV1"),
        "open_in_time": make(status=Status.NEW, resolution_due=future, severity="SEV1"),
        "resolved_late": make(
            status=Status.RESOLVED, resolution_due=past - timedelta(hours=2), resolved_at=past
        ),
        "resolved_in_time": make(
            status=Status.RESOLVED, resolution_due=future, resolved_at=past, severity="SEV2"
        ),
        "no_target": make(status=Status.ON_HOLD, resolution_due=None, severity="SEV4"),
    }


def _references(response) -> set[str]:
    return {row.record.reference for row in response.context["table"].rows}


def test_breached_filter_splits_the_rows_exactly(world, client, due_cases):
    client.force_login(world.lead)
    breached = _references(client.get("/interruptions/?breached=true"))
    within = _references(client.get("/interruptions/?breached=false"))
    assert breached == {due_cases["open_late"], due_cases["resolved_late"]}
    assert within == {due_cases[key] for key in ("open_in_time", "resolved_in_time", "no_target")}


def _figures(response) -> dict:
    return {item.label: item.value for item in response.context["measures"]}


def test_list_shows_open_breached_and_severity_counts_of_the_filtered_rows(
    world, client, due_cases
):
    InterruptionFactory(client=world.client_b, status=Status.NEW, severity="SEV1")
    client.force_login(world.lead)
    figures = _figures(client.get("/interruptions/"))
    assert figures == {
        "Open": 3,
        "Breached": 2,
        "SEV1": 2,
        "SEV2": 1,
        "SEV3": 1,
        "SEV4": 1,
    }
    filtered = _figures(client.get("/interruptions/?severity=SEV1"))
    assert (filtered["Open"], filtered["Breached"], filtered["SEV2"]) == (2, 1, 0)


def test_a_figure_links_to_the_list_narrowed_to_its_rows(world, client, due_cases):
    client.force_login(world.lead)
    # A search is not kept in the summaries: the figures come in a second request.
    response = client.get("/interruptions/?severity=SEV1&q=CRM&after=abc&_figures=1")
    links = {item.label: item.href for item in response.context["measures"]}
    breached = QueryDict(links["Breached"].lstrip("?"))
    assert breached.getlist("severity") == ["SEV1"]
    assert breached["q"] == "CRM"
    assert breached["breached"] == "true"
    assert "after" not in breached and "_figures" not in breached
    assert QueryDict(links["SEV2"].lstrip("?")).getlist("severity") == ["SEV2"]
    assert set(QueryDict(links["Open"].lstrip("?")).getlist("status")) == set(Status.open_values())


def test_outsider_figures_count_only_their_own_client(world, client, due_cases):
    client.force_login(world.agent_b)
    figures = _figures(client.get("/interruptions/"))
    assert figures["Open"] == 0 and figures["Breached"] == 0


def test_percent_and_average_are_computed_by_the_database(world, due_cases):
    rows = Interruption.objects.filter(client=world.client_a)
    measures = [
        Measure(
            "Resolved of SEV1–2",
            percent_of(Q(status=Status.RESOLVED), Q(severity__in=["SEV1", "SEV2"])),
            unit="percent",
        ),
        Measure("Mean version", average_of("version"), unit="number"),
        Measure("Mean version of nothing", average_of("version", Q(pk__in=[])), unit="number"),
    ]
    values = [item.value for item in compute_measures(rows, measures, QueryDict())]
    assert values[0] == pytest.approx(100 / 3)
    assert values[1] == pytest.approx(1.0)
    assert values[2] is None
    empty = compute_measures(rows.none(), measures, QueryDict())
    assert empty[0].value is None


def test_all_figures_cost_one_query(world, due_cases, django_assert_num_queries):
    with django_assert_num_queries(1):
        compute_measures(Interruption.objects.all(), standard_measures(), QueryDict())


@pytest.mark.parametrize(
    ("unit", "value", "shown"),
    [
        ("count", 12345, "12,345"),
        ("percent", 87.456, "87.5%"),
        ("seconds", 245.4, "4 min 05 s"),
        ("seconds", 42, "42 s"),
        ("seconds", 181_256, "50 h 20 min"),
        ("number", 3.84, "3.8"),
        ("count", None, "—"),
    ],
)
def test_figures_are_shown_in_their_unit(unit, value, shown):
    assert measure_value(SimpleNamespace(unit=unit, value=value)) == shown


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="Unknown unit"):
        Measure("Odd", average_of("version"), unit="furlongs")
