"""The recovery report on hand-built cases whose answers are known: cancelled cases left out,
confirmed but unsatisfied, several currencies, cases at the period's edges in a month that
changes summer time, a reopened case; the page, its exports and its drill-downs."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from apps.core.choices import Status
from apps.reports import recovery as figures
from apps.reports.periods import MONTH, period_containing
from tests.factories_recovery import (
    RecoveryActionFactory,
    RecoveryActionTypeFactory,
    RecoveryCaseFactory,
    RecoveryFeedbackFactory,
    RecoveryInteractionFactory,
    RecoveryResolutionFactory,
)

NEW_YORK = ZoneInfo("America/New_York")
MARCH = period_containing(MONTH, datetime(2026, 3, 1).date(), NEW_YORK)
REPORT = {"period": "month", "day": "2026-03-01"}


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


def confirmed(case, hours: float) -> None:
    RecoveryResolutionFactory(
        case=case, customer_confirmed=True, confirmed_at=case.occurred_at + timedelta(hours=hours)
    )


def money(case, types, code: str, amount: str, currency: str) -> None:
    RecoveryActionFactory(
        case=case, action_type=types[code], amount=Decimal(amount), currency=currency
    )


@pytest.fixture
def action_types(db) -> dict:
    types = (("refund", "Refund"), ("credit", "Account credit"), ("apology", "Apology"))
    return {code: RecoveryActionTypeFactory(code=code, label=label) for code, label in types}


@pytest.fixture
def march(world, action_types):
    """Client A in New York; summer time starts on 8 March 2026."""
    client = world.client_a
    client.timezone = "America/New_York"
    client.save()
    made = {}

    def case(name, occurred, **values):
        values.setdefault("status", Status.IN_PROGRESS)
        if values["status"] == Status.CLOSED:
            values.setdefault("resolved_at", occurred + timedelta(days=3))
            values.setdefault("closed_at", occurred + timedelta(days=3))
        if values["status"] == Status.CANCELLED:
            values.setdefault("cancel_reason", "Logged twice.")
        made[name] = RecoveryCaseFactory(
            client=client, occurred_at=occurred, customer_name=f"Customer {name.title()}", **values
        )
        return made[name]

    # Recovered: confirmed after 10 hours, satisfied (5), would return (9).
    one = case("one", at(2026, 3, 2, 10), nature="delivery_problem", status=Status.CLOSED)
    confirmed(one, 10)
    RecoveryFeedbackFactory(case=one, satisfaction=5, likelihood_to_return=9)
    # Confirmed but unsatisfied, across the change to summer time: 01:30 EST → 03:30 EDT is
    # one hour.
    two = case("two", at(2026, 3, 8, 1, 30), nature="delivery_problem", status=Status.RESOLVED)
    RecoveryResolutionFactory(case=two, customer_confirmed=True, confirmed_at=at(2026, 3, 8, 3, 30))
    RecoveryFeedbackFactory(case=two, satisfaction=2, likelihood_to_return=3)
    # Cancelled: counted nowhere, its refund neither.
    three = case("three", at(2026, 3, 10, 9), status=Status.CANCELLED)
    confirmed(three, 2)
    RecoveryFeedbackFactory(case=three, satisfaction=5, likelihood_to_return=10)
    money(three, action_types, "refund", "100.00", "GBP")
    # The last half hour of March in New York (already 1 April in UTC); satisfied by its
    # latest interaction, no feedback; a refund in pounds and a credit in euros.
    four = case("four", at(2026, 3, 31, 23, 30), nature="service_error", status=Status.RESOLVED)
    RecoveryInteractionFactory(case=four, customer_satisfied="yes")
    confirmed(four, 30)
    money(four, action_types, "refund", "20.50", "GBP")
    money(four, action_types, "credit", "10.00", "EUR")
    # Reopened after its confirmation: the latest feedback (3) is not satisfied; the latest
    # answer to "would you return" is the earlier one (7).
    five = case(
        "five",
        at(2026, 3, 20, 12),
        nature="delivery_problem",
        status=Status.IN_PROGRESS,
        resolved_at=at(2026, 3, 20, 16),
    )
    confirmed(five, 4)
    RecoveryFeedbackFactory(
        case=five, satisfaction=5, likelihood_to_return=7, at=five.occurred_at + timedelta(hours=5)
    )
    RecoveryFeedbackFactory(
        case=five,
        satisfaction=3,
        likelihood_to_return=None,
        at=five.occurred_at + timedelta(hours=50),
    )
    money(five, action_types, "refund", "15.00", "GBP")
    money(five, action_types, "refund", "5.00", "GBP")
    RecoveryActionFactory(case=five, action_type=action_types["apology"])
    # Just before March in New York (already 1 March in UTC): February's.
    before = case("before", at(2026, 2, 28, 23, 30), nature="other")
    RecoveryFeedbackFactory(case=before, satisfaction=1, likelihood_to_return=0)
    money(before, action_types, "refund", "999.00", "GBP")
    # April's first minute in New York.
    case("after", at(2026, 4, 1, 0, 0), nature="other")
    # The other client's case in March, with money: never in client A's report.
    other = RecoveryCaseFactory(
        client=world.client_b,
        occurred_at=at(2026, 3, 15, 12),
        customer_name="Zed Otherclient",
        title="Globex only case",
    )
    confirmed(other, 1)
    RecoveryFeedbackFactory(case=other, satisfaction=5, likelihood_to_return=10)
    money(other, action_types, "refund", "500.00", "GBP")
    return made


def test_outcomes_of_the_month(world, march):
    found = figures.outcomes(world.client_a.pk, MARCH.start, MARCH.end)

    assert (found.cases, found.recovered, found.rate) == (4, 2, 50.0)
    assert found.with_satisfaction == 3
    assert found.satisfaction == pytest.approx((5 + 2 + 3) / 3)
    assert found.with_return == 3
    assert found.likelihood_to_return == pytest.approx((9 + 3 + 7) / 3)
    assert found.confirmed == 4
    assert found.mean_hours == pytest.approx((10 + 1 + 30 + 4) / 4)
    assert figures.median_hours_to_recover(world.client_a.pk, MARCH.start, MARCH.end) == (
        pytest.approx(7.0)
    )


def test_distributions_per_nature_and_money(world, march):
    client_id = world.client_a.pk
    spread = figures.score_distributions(client_id, MARCH.start, MARCH.end)
    assert spread.satisfaction == {1: 0, 2: 1, 3: 1, 4: 0, 5: 1}
    assert spread.likelihood_to_return == {
        0: 0,
        1: 0,
        2: 0,
        3: 1,
        4: 0,
        5: 0,
        6: 0,
        7: 1,
        8: 0,
        9: 1,
        10: 0,
    }

    by_nature = figures.outcomes_by_nature(client_id, MARCH.start, MARCH.end)
    assert {nature: (v.cases, v.recovered) for nature, v in by_nature.items()} == {
        "delivery_problem": (3, 1),
        "service_error": (1, 1),
    }

    groups = figures.money_groups(client_id, MARCH.start, MARCH.end)
    totals = {total.currency: total for total in figures.money_totals(groups)}
    assert set(totals) == {"EUR", "GBP"}
    assert (totals["GBP"].refund, totals["GBP"].refund_actions) == (Decimal("40.50"), 3)
    assert (totals["GBP"].credit, totals["EUR"].credit, totals["EUR"].refund) == (
        0,
        Decimal("10.00"),
        0,
    )
    delivery = figures.money_totals(groups, "delivery_problem")
    assert [(t.currency, t.refund, t.credit) for t in delivery] == [("GBP", Decimal("20.00"), 0)]

    counts = {
        row.code: (row.actions, row.cases)
        for row in figures.action_counts(client_id, MARCH.start, MARCH.end)
    }
    assert counts == {"refund": (3, 2), "credit": (1, 1), "apology": (1, 1)}


def test_a_month_with_nothing(world):
    empty = figures.outcomes(world.client_a.pk, MARCH.start, MARCH.end)
    assert (empty.cases, empty.rate, empty.satisfaction, empty.mean_hours) == (0, None, None, None)
    assert figures.median_hours_to_recover(world.client_a.pk, MARCH.start, MARCH.end) is None


def report_url() -> str:
    return reverse("reports:recovery")


def get_report(client, world, **extra):
    return client.get(report_url(), {"client": world.client_a.pk, **REPORT, **extra})


def figure_values(report) -> dict:
    return {figure.label: figure for section in report.sections for figure in section.figures}


def test_page_shows_the_figures_and_exports_the_same_numbers(client, world, march):
    client.force_login(world.lead)
    response = get_report(client, world)
    assert response.status_code == 200
    report = response.context["report"]
    shown = figure_values(report)
    assert shown["Recovery rate"].value == 50.0
    assert shown["Recovery rate"].previous == 0.0  # February: one case, not recovered
    assert shown["Cases"].value == 4
    assert shown["Median hours to recover"].value == pytest.approx(7.0)
    assert shown["Refunds and credits, GBP"].value == Decimal("40.50")
    assert shown["Refunds and credits, EUR"].value == Decimal("10.00")
    page = response.content.decode()
    for text in ("50.0 %", "40.50", "7.0 h", "11.2 h", "Delivery problem"):
        assert text in page

    exported = get_report(client, world, _export="csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    start = rows.index(["Section", "Figure", "Value", "Unit", "Target", "Previous period"])
    block = rows[start + 1 : rows.index([], start)]
    by_label = {row[1]: row[2] for row in block}
    assert float(by_label["Recovery rate"]) == 50.0
    assert float(by_label["Median hours to recover"]) == 7.0
    assert Decimal(by_label["Refunds and credits, GBP"]) == Decimal("40.50")
    assert Decimal(by_label["Refunds and credits, EUR"]) == Decimal("10.00")

    workbook = openpyxl.load_workbook(io.BytesIO(get_report(client, world, _export="xlsx").content))
    sheet = workbook["Figures"]
    xlsx = {row[1]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]}
    for label, figure in shown.items():
        expected = figure.value
        if expected is None:
            assert xlsx[label] in (None, "")
        else:
            assert float(xlsx[label]) == pytest.approx(float(expected), abs=0.05)
            assert float(by_label[label]) == pytest.approx(float(expected), abs=0.05)
    trend = workbook["Recovery rate, last six periods"]
    assert [row[3] for row in trend.iter_rows(min_row=2, values_only=True)][-2:] == [0.0, 50.0]


def test_no_personal_data_and_no_other_client(client, world, march):
    for role in ("lead", "auditor"):
        client.force_login(getattr(world, role))
        for extra in ({}, {"_export": "csv"}, {"_export": "xlsx"}):
            content = get_report(client, world, **extra).content
            if extra.get("_export") == "xlsx":
                workbook = openpyxl.load_workbook(io.BytesIO(content))
                content = " ".join(
                    str(value)
                    for sheet in workbook
                    for row in sheet.iter_rows(values_only=True)
                    for value in row
                    if value is not None
                ).encode()
            text = content.decode()
            for case in march.values():
                assert case.customer_name not in text
                assert case.account_reference not in text
            assert "Zed Otherclient" not in text
            assert "Globex" not in text
            assert "500.00" not in text and "999" not in text


def test_the_other_clients_report_is_refused(client, world, march):
    client.force_login(world.lead)
    response = client.get(report_url(), {"client": world.client_b.pk, **REPORT})
    assert response.context["report"] is None
    exported = client.get(report_url(), {"client": world.client_b.pk, **REPORT, "_export": "csv"})
    assert exported.status_code == 400


def listed(client, url: str) -> int:
    """How many cases the list at `url` holds (its live count)."""
    response = client.get(f"{url}&_figures=1")
    assert response.status_code == 200
    return response.context["row_count"]


def listed_cases(client, url: str) -> set[str]:
    response = client.get(f"{url}&per_page=100")
    assert response.status_code == 200
    return {row.reference for row in response.context["page"].rows}


def test_every_link_lists_exactly_the_rows_behind_it(client, world, march):
    client.force_login(world.lead)
    report = get_report(client, world).context["report"]
    shown = figure_values(report)
    for label in ("Cases", "Recovered", "Cases with feedback", "Cases with an answer"):
        assert listed(client, shown[label].url) == shown[label].value, label
    assert listed(client, shown["Confirmed cases"].url) == shown["Confirmed cases"].value
    assert listed_cases(client, shown["Recovered"].url) == {
        march["one"].reference,
        march["four"].reference,
    }
    for table in report.tables:
        header = table.columns
        for row in table.rows:
            for column, cell in zip(header, row, strict=True):
                if cell.url and column in ("Cases", "Recovered"):
                    assert listed(client, cell.url) == cell.value, (table.key, column)
    # A money total lists the cases whose refunds and credits in that currency make it up.
    gbp = listed_cases(client, shown["Refunds and credits, GBP"].url)
    assert gbp == {march["four"].reference, march["five"].reference}
    eur = listed_cases(client, shown["Refunds and credits, EUR"].url)
    assert eur == {march["four"].reference}
    per_currency = {table.key: table for table in report.tables}["money-per-currency"]
    eur_row = next(row for row in per_currency.rows if row[0].value == "EUR")
    assert eur_row[1].url == ""  # no refund in euros: nothing to list
    assert listed_cases(client, eur_row[3].url) == {march["four"].reference}


def test_the_action_and_currency_filters_mean_the_same_action(client, world, march):
    client.force_login(world.lead)
    base = f"/recovery/?client={world.client_a.pk}&status=in_progress&status=resolved&status=closed"
    assert listed(client, base + "&action_type=credit&currency=GBP") == 0
    assert listed(client, base + "&action_type=credit&currency=EUR") == 1
    assert listed(client, base + "&currency=GBP") == 3  # four, five, and February's
    response = client.get(base + "&currency=pounds")
    assert "Give the currency as a code" in response.content.decode()


def test_page_costs_the_same_queries_with_more_cases(client, world, march, action_types):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.lead)
    get_report(client, world)
    with CaptureQueriesContext(connection) as before:
        get_report(client, world)
    recorder = world.agent
    for number in range(12):
        case = RecoveryCaseFactory(
            client=world.client_a,
            occurred_at=at(2026, 3, 3 + number, 9),
            nature=["other", "service_error", "product_problem"][number % 3],
        )
        RecoveryResolutionFactory(
            case=case,
            customer_confirmed=True,
            confirmed_at=case.occurred_at + timedelta(hours=number + 1),
            recorded_by=recorder,
        )
        RecoveryFeedbackFactory(case=case, satisfaction=1 + number % 5, recorded_by=recorder)
        RecoveryActionFactory(
            case=case,
            action_type=action_types["credit"],
            amount=Decimal("3.00"),
            currency=["USD", "GBP", "PHP"][number % 3],
            recorded_by=recorder,
        )
    get_report(client, world)
    with CaptureQueriesContext(connection) as after:
        get_report(client, world)
    assert [q["sql"][:60] for q in after.captured_queries] == [
        q["sql"][:60] for q in before.captured_queries
    ]
