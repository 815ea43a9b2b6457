"""The calls and agents report: known answers over a month crossing summer time, the same
figures as a slow reference, and the page, its exports and its links."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.calls.models import Call, QualityAudit
from apps.core.summaries.fold import fold_deltas
from apps.reports.calls import calls_breakdown, calls_trend, quality_breakdown
from apps.reports.periods import MONTH, period_containing
from tests.factories_calls import CallFactory, QualityAuditFactory
from tests.reports.examples import report_examples

NEW_YORK = ZoneInfo("America/New_York")
# March 2026 in New York: summer time begins on the 8th at 02:00.
MARCH = period_containing(MONTH, date(2026, 3, 15), NEW_YORK)
URL = reverse("reports:calls")
QUERY = {"client": None, "period": "month", "day": "2026-03-15"}


def local(*parts) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


def audit(call, auditor, scores, scored_at):
    names = QualityAudit.SCORE_FIELDS
    return QualityAuditFactory(
        call=call, auditor=auditor, scored_at=scored_at, **dict(zip(names, scores, strict=True))
    )


@pytest.fixture
def march(world):
    """Calls of Acme (New York) around March 2026, with known answers (see each test)."""
    client = world.client_a
    client.timezone = "America/New_York"
    client.save()
    calls = {}
    calls["a"] = CallFactory(
        client=client,
        assignee=world.agent,
        team=world.team_a1,
        queue="Billing",
        occurred_at=local(2026, 3, 1, 0, 0),  # the first moment of the period
        talk_seconds=240,
        wait_seconds=20,
        customer_name="Ursula Privatename",
        caller_number="+1 212 555 0199",
    )
    missed_at = local(2026, 3, 8, 3, 30)  # an hour after the clocks went forward
    calls["b"] = CallFactory(
        client=client,
        assignee=world.agent,
        team=world.team_a1,
        queue="Billing",
        occurred_at=missed_at,
        answered_at=None,
        ended_at=None,
        outcome="missed",
        talk_seconds=None,
        wait_seconds=100,
        follow_up_due=missed_at + timedelta(hours=2),
    )
    calls["c"] = CallFactory(  # the call-back of b, in time
        client=client,
        assignee=world.agent,
        team=world.team_a1,
        queue="Billing",
        direction="outbound",
        occurred_at=missed_at + timedelta(hours=1),
        talk_seconds=120,
        wait_seconds=None,
        follow_up_of=calls["b"],
    )
    dropped_at = local(2026, 3, 20, 10, 0)
    calls["d"] = CallFactory(  # its call-back was due and never made
        client=client,
        assignee=world.lead,
        team=world.team_a2,
        queue="Retention",
        occurred_at=dropped_at,
        answered_at=None,
        ended_at=None,
        outcome="dropped",
        talk_seconds=None,
        wait_seconds=60,
        follow_up_due=dropped_at + timedelta(hours=1),
    )
    calls["e"] = CallFactory(  # the last second of the period
        client=client,
        queue="",
        occurred_at=local(2026, 3, 31, 23, 59, 59),
        answered_at=local(2026, 3, 31, 23, 59, 59),
        outcome="escalated",
        talk_seconds=360,
        wait_seconds=40,
    )
    calls["i"] = CallFactory(  # its call-back is not due yet: left out
        client=client,
        assignee=world.lead,
        team=world.team_a2,
        queue="Retention",
        occurred_at=local(2026, 3, 25, 9, 0),
        answered_at=None,
        ended_at=None,
        outcome="missed",
        talk_seconds=None,
        wait_seconds=80,
        follow_up_due=timezone.now() + timedelta(days=1),
    )
    # Outside the period, or of the other client.
    calls["g"] = CallFactory(
        client=client,
        assignee=world.agent,
        queue="Billing",
        occurred_at=local(2026, 2, 28, 23, 59, 59),
        answered_at=local(2026, 2, 28, 23, 59, 59),
        talk_seconds=100,
    )
    CallFactory(client=client, assignee=world.agent, occurred_at=local(2026, 4, 1, 0, 0))
    CallFactory(
        client=world.client_b,
        assignee=world.agent_b,
        team=world.team_b1,
        queue="Globex secret queue",
        occurred_at=local(2026, 3, 10, 12, 0),
        customer_name="Bertha Otherclient",
    )
    audit(calls["a"], world.auditor, (5, 4, 5, 3, 4, 3), local(2026, 3, 2, 9, 0))
    audit(calls["c"], world.lead, (2, 2, 2, 2, 2, 2), local(2026, 3, 9, 9, 0))
    audit(calls["e"], world.auditor, (5, 5, 5, 5, 5, 5), local(2026, 3, 31, 23, 0))
    audit(calls["a"], world.auditor, (0, 0, 0, 0, 0, 0), local(2026, 4, 1, 0, 0))
    QualityAuditFactory(
        call=CallFactory(client=world.client_b, occurred_at=local(2026, 3, 3, 12, 0)),
        auditor=world.auditor,
        scored_at=local(2026, 3, 3, 13, 0),
    )
    return calls


def breakdown(world):
    return calls_breakdown(world.client_a.pk, MARCH.start, MARCH.end, timezone.now())


@pytest.mark.django_db
@pytest.mark.parametrize("folded", [False, True])
def test_known_answers_overall(world, march, folded):
    if folded:
        fold_deltas()
    overall = breakdown(world).overall
    assert overall.calls == 6
    assert overall.fcr == pytest.approx(50.0)  # a of the answered inbound a and e
    assert overall.handle_seconds == pytest.approx(240.0)  # a 240, c 120, e 360
    assert overall.handle_minutes == pytest.approx(4.0)
    assert overall.wait_seconds == pytest.approx(60.0)  # 20, 100, 60, 40, 80
    assert (overall.inbound, overall.abandoned) == (5, 3)
    assert overall.abandonment == pytest.approx(60.0)
    # b called back in time, d never: i is not due yet.
    assert (overall.call_backs_settled, overall.call_backs_kept) == (2, 1)
    assert overall.call_back_compliance == pytest.approx(50.0)


@pytest.mark.django_db
def test_known_answers_per_agent_team_and_queue(world, march):
    found = breakdown(world)
    agent, lead, nobody = (
        found.by_agent[world.agent.pk],
        found.by_agent[world.lead.pk],
        found.by_agent[None],
    )
    assert set(found.by_agent) == {world.agent.pk, world.lead.pk, None}
    assert (agent.calls, agent.fcr, agent.handle_seconds, agent.wait_seconds) == (3, 100, 180, 60)
    assert (agent.abandonment, agent.call_back_compliance) == (50, 100)
    assert (lead.calls, lead.fcr, lead.handle_seconds, lead.wait_seconds) == (2, None, None, 70)
    assert (lead.abandonment, lead.call_back_compliance, lead.call_backs_settled) == (100, 0, 1)
    assert (nobody.calls, nobody.fcr, nobody.handle_seconds, nobody.abandonment) == (
        1,
        0,
        360,
        0,
    )
    assert nobody.call_back_compliance is None
    assert found.by_team.keys() == {world.team_a1.pk, world.team_a2.pk, None}
    assert found.by_team[world.team_a1.pk] == agent
    assert found.by_team[world.team_a2.pk] == lead
    assert found.by_queue.keys() == {"Billing", "Retention", ""}
    assert found.by_queue["Billing"] == agent
    assert found.by_queue["Retention"] == lead
    assert found.by_queue[""] == nobody


@pytest.mark.django_db
def test_known_answers_trend_and_quality(world, march):
    trend = calls_trend(world.client_a.pk, MARCH.trend(6))
    assert [period.short_label for period, _ in trend][-2:] == ["Feb 2026", "Mar 2026"]
    assert [figures.calls for _, figures in trend] == [0, 0, 0, 0, 1, 6]
    assert trend[-2][1].fcr == 100.0
    assert trend[0][1].fcr is None

    quality = quality_breakdown(world.client_a.pk, MARCH.start, MARCH.end)
    overall = quality.overall.averages()
    assert overall.audits == 3
    assert overall.total == pytest.approx((80 + 40 + 100) / 3)
    assert overall.means["greeting"] == pytest.approx(4.0)
    assert overall.means["compliance"] == pytest.approx(10 / 3)
    assert quality.by_agent[world.agent.pk].averages().total == pytest.approx(60.0)
    assert quality.by_agent[None].averages().total == pytest.approx(100.0)
    assert quality.by_auditor[world.auditor.pk].averages().total == pytest.approx(90.0)
    assert quality.by_auditor[world.lead.pk].audits == 1


# The property test: random calls of a short custom period, against the definitions.
call_rows = st.lists(
    st.tuples(
        st.integers(-30, 24 * 9 + 30),  # hours after the period's start
        st.integers(0, 2),  # agent (0: none)
        st.integers(0, 2),  # queue
        st.sampled_from(["resolved", "missed", "dropped", "escalated", "follow_up", ""]),
        st.booleans(),  # inbound
        st.sampled_from([None, 0, 45, 400]),  # talk seconds
        st.sampled_from([None, 3, 90]),  # wait seconds
        st.sampled_from([None, -2, 3, 24 * 400]),  # call-back due, hours after the start
        st.sampled_from([None, 1, 5]),  # a follow-up call, hours after the start
    ),
    max_size=8,
)
QUEUES = ["Billing", "", "Retention"]


def reference(calls: list[Call], start, end, now) -> dict:
    """(dimension, key) → figures, straight from domain.md's definitions, call by call."""
    groups: dict = {}
    for call in calls:
        if not start <= call.occurred_at < end:
            continue
        keys = [
            ("all", None),
            ("agent", call.assignee_id),
            ("team", call.team_id),
            ("queue", call.queue),
        ]
        for key in keys:
            groups.setdefault(key, []).append(call)

    def mean(values):
        return sum(values) / len(values) if values else None

    def share(part, whole):
        return 100.0 * len(part) / len(whole) if whole else None

    result = {}
    for key, members in groups.items():
        inbound = [c for c in members if c.direction == "inbound"]
        answered = [c for c in inbound if c.answered_at is not None]
        owed = [
            c
            for c in inbound
            if c.outcome in ("missed", "dropped")
            and c.follow_up_due is not None
            and c.status != "cancelled"
        ]
        follow_ups = {c.pk: list(Call.objects.filter(follow_up_of=c)) for c in owed}
        settled = [c for c in owed if c.follow_up_due <= now or follow_ups[c.pk]]
        kept = [
            c for c in settled if any(f.occurred_at <= c.follow_up_due for f in follow_ups[c.pk])
        ]
        result[key] = {
            "calls": len(members),
            "fcr": share(
                [c for c in answered if c.outcome == "resolved" and c.follow_up_of_id is None],
                answered,
            ),
            "handle": mean(
                [c.talk_seconds for c in members if c.answered_at and c.talk_seconds is not None]
            ),
            "wait": mean([c.wait_seconds for c in inbound if c.wait_seconds is not None]),
            "abandonment": share(
                [c for c in inbound if c.outcome in ("missed", "dropped")], inbound
            ),
            "call_backs": len(settled),
            "compliance": share(kept, settled),
        }
    return result


def as_dict(figures) -> dict:
    return {
        "calls": figures.calls,
        "fcr": figures.fcr,
        "handle": figures.handle_seconds,
        "wait": figures.wait_seconds,
        "abandonment": figures.abandonment,
        "call_backs": figures.call_backs_settled,
        "compliance": figures.call_back_compliance,
    }


def close(left: dict, right: dict) -> bool:
    for name, value in left.items():
        other = right[name]
        if value is None or other is None:
            if value is not other:
                return False
        elif other != pytest.approx(value):
            return False
    return True


@pytest.mark.django_db
@settings(
    max_examples=report_examples(),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=call_rows, fold=st.booleans(), zone=st.sampled_from(["America/New_York", "Asia/Manila"])
)
def test_the_report_equals_a_slow_reference(world, rows, fold, zone):
    Call.objects.filter(follow_up_of__isnull=False).delete()
    Call.objects.all().delete()
    period = period_containing("week", date(2026, 3, 4), ZoneInfo(zone))
    now = period.start + timedelta(days=4)
    agents = [None, world.agent, world.lead]
    teams = [None, world.team_a1, world.team_a2]
    for hours, agent, queue, outcome, inbound, talk, wait, due, follow_up in rows:
        occurred = period.start + timedelta(hours=hours)
        answered = None if outcome == "missed" or talk is None else occurred
        call = CallFactory(
            client=world.client_a,
            assignee=agents[agent],
            team=teams[agent],
            queue=QUEUES[queue],
            direction="inbound" if inbound else "outbound",
            outcome=outcome,
            occurred_at=occurred,
            answered_at=answered,
            ended_at=None,
            talk_seconds=None if outcome == "missed" else talk,
            wait_seconds=wait,
            follow_up_due=None if due is None else occurred + timedelta(hours=max(due, 0)),
        )
        if follow_up is not None:
            CallFactory(
                client=world.client_a,
                occurred_at=occurred + timedelta(hours=follow_up),
                follow_up_of=call,
            )
    CallFactory(client=world.client_b, assignee=world.agent_b, occurred_at=period.start)
    if fold:
        fold_deltas()
    found = calls_breakdown(world.client_a.pk, period.start, period.end, now)
    expected = reference(
        list(Call.objects.filter(client=world.client_a)), period.start, period.end, now
    )
    read = {("all", None): as_dict(found.overall)} if found.overall.calls else {}
    for dimension, groups in (
        ("agent", found.by_agent),
        ("team", found.by_team),
        ("queue", found.by_queue),
    ):
        read.update({(dimension, key): as_dict(figures) for key, figures in groups.items()})
    assert read.keys() == expected.keys()
    for key, figures in expected.items():
        assert close(figures, read[key]), (key, figures, read[key])


# The page, its exports and its links.
def _query(world, **more) -> dict:
    return {**QUERY, "client": world.client_a.pk, **more}


def _table(report, key):
    return next(table for table in report.tables if table.key == key)


@pytest.mark.django_db
def test_the_page_shows_the_figures_to_a_lead(world, march, client):
    client.force_login(world.lead)
    response = client.get(URL, _query(world))
    assert response.status_code == 200
    page = response.content.decode()
    report = response.context["report"]
    for text in ("Calls and agents", "50.0 %", "60.0 %", "4.0 min", "Handle time is talk time"):
        assert text in page
    agents = _table(report, "agents")
    assert [row[0].value for row in agents.rows] == [
        world.agent.get_full_name() or world.agent.username,
        world.lead.get_full_name() or world.lead.username,
        "No agent",
    ]
    assert _table(report, "trend").chart.kind == "line"
    assert len(_table(report, "trend").rows) == 6


@pytest.mark.django_db
def test_csv_and_xlsx_carry_the_numbers_of_the_page(world, march, client):
    client.force_login(world.lead)
    report = client.get(URL, _query(world)).context["report"]
    text = client.get(URL, _query(world, _export="csv")).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(URL, _query(world, _export="xlsx")).content), read_only=True
    )
    sheets = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book
    }
    for table in report.tables:
        start = rows.index([table.title])
        assert rows[start + 1] == table.columns
        written = rows[start + 2 : start + 2 + len(table.rows)]
        sheet = sheets[table.title][1:]
        for row, csv_row, xlsx_row in zip(table.rows, written, sheet, strict=True):
            for cell, csv_value, xlsx_value in zip(row, csv_row, xlsx_row, strict=True):
                if cell.value is None:
                    assert csv_value == "" and xlsx_value in ("", None)
                elif isinstance(cell.value, str):
                    assert csv_value == xlsx_value == cell.value
                else:
                    assert float(csv_value) == pytest.approx(float(cell.value), abs=0.05)
                    assert float(xlsx_value) == pytest.approx(float(cell.value), abs=0.05)
    figures = {row[1]: row[2] for row in rows if len(row) == 6 and row[0] == "Calls"}
    assert float(figures["First-call resolution"]) == 50.0
    assert float(figures["Call-back compliance"]) == 50.0


@pytest.mark.django_db
def test_neither_personal_data_nor_the_other_client_appears(world, march, client):
    client.force_login(world.lead)
    outputs = [
        client.get(URL, _query(world)).content.decode(),
        client.get(URL, _query(world, _export="csv")).content.decode(),
    ]
    for output in outputs:
        for secret in ("Ursula Privatename", "555 0199", "Bertha Otherclient"):
            assert secret not in output
        for other in ("Globex secret queue", world.agent_b.username, world.team_b1.name):
            assert other not in output
    # The other client's report is not offered to a lead who does not work for it.
    response = client.get(URL, {**QUERY, "client": world.client_b.pk})
    assert response.context["report"] is None
    assert "Globex secret queue" not in response.content.decode()


def _listed(client, url: str) -> int:
    """The row count of the list a figure links to (counted live, as the list does)."""
    response = client.get(url + "&_figures=1")
    assert response.status_code == 200
    return response.context["row_count"]


@pytest.mark.django_db
def test_each_figure_links_to_exactly_its_rows(world, march, client):
    client.force_login(world.lead)
    report = client.get(URL, _query(world)).context["report"]
    headline = {figure.label: figure for figure in report.sections[0].figures}
    assert _listed(client, headline["Calls"].url) == 6
    assert _listed(client, headline["Abandonment"].url) == 3
    assert _listed(client, headline["Call-back compliance"].url) == 2
    for key in ("agents", "teams", "queues"):
        for row in _table(report, key).rows:
            calls, abandoned, call_backs = row[1], row[5], row[7]
            if calls.url:
                assert _listed(client, calls.url) == calls.value, (key, row[0].value)
                assert _listed(client, abandoned.url) == abandoned.value, (key, row[0].value)
                assert _listed(client, call_backs.url) == call_backs.value, (key, row[0].value)
            else:
                assert row[0].value == "No team"
    for key in ("qa-agents", "qa-auditors"):
        for row in _table(report, key).rows:
            if row[1].url:
                response = client.get(row[1].url)
                assert response.context["row_count"] == row[1].value
                assert response.context["averages"].total == pytest.approx(row[2].value)
