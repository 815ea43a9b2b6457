"""The home page's panels per role: hand-built records with known counts, each counter's
link listing exactly its rows, htmx refreshing the panels alone, and a constant query count."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audits.models import FindingKind
from apps.audits.services import finding_acknowledge, finding_file
from apps.core.choices import Severity, Status
from apps.reports.dashboard import agent as agent_panel
from apps.reports.dashboard import lead as lead_panel
from apps.reports.dashboard.agent import SHOWN
from apps.reports.dashboard.lead import today_bounds
from apps.reports.periods import MONTH, period_containing, today_in
from tests.factories import ClientFactory, InterruptionFactory, TeamFactory, UserFactory
from tests.log_kinds import LOG_FACTORIES

pytestmark = pytest.mark.django_db


def pinned(record, **fields):
    """Set fields the services and auto_now would otherwise decide (due, stamps, updates)."""
    type(record).objects.filter(pk=record.pk).update(**fields)
    record.refresh_from_db()
    return record


def listed_count(client, url: str) -> int:
    """How many rows the list at `url` holds, as its page says."""
    url = url.replace("&amp;", "&")
    page = client.get(url)
    assert page.status_code == 200, url
    content = page.content.decode()
    if 'id="row-count"><strong>…' in content:
        # Counted after the table when the summaries cannot answer the filters.
        content = client.get(f"{url}&_figures=1").content.decode()
    found = re.search(r'id="row-count"><strong>([\d,]+)</strong>', content)
    assert found, url
    return int(found.group(1).replace(",", ""))


def cells(content: str, table_id: str) -> dict[str, list[tuple[str, str]]]:
    """Row heading → [(text, link)] of the table inside the element `table_id`."""
    block = content.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", block, re.S)[1:]:
        heading = re.search(r'<th scope="row">(.*?)</th>', row, re.S).group(1).strip()
        values = []
        for cell in re.findall(r'<td class="text-end">(.*?)</td>', row, re.S):
            link = re.search(r'<a href="([^"]+)">([^<]*)</a>', cell)
            values.append((link.group(2), link.group(1)) if link else (cell.strip(), ""))
        rows[heading] = values
    return rows


# An agent's open work


@pytest.fixture
def agent_work(world):
    now = timezone.now()
    a = world.client_a
    later = InterruptionFactory(client=a, assignee=world.agent, title="Later one")
    pinned(later, resolution_due=now + timedelta(hours=5))
    late = LOG_FACTORIES["calls"](client=a, assignee=world.agent, title="Late one")
    pinned(late, resolution_due=now - timedelta(hours=1))
    soon = LOG_FACTORIES["escalations"](client=a, assignee=world.agent, title="Soon one")
    pinned(soon, resolution_due=now + timedelta(minutes=20))
    undated = LOG_FACTORIES["recovery"](client=a, assignee=world.agent, title="Undated one")
    pinned(undated, resolution_due=None)
    # Not theirs, not open, or another client's: never shown.
    InterruptionFactory(client=a, assignee=world.lead, title="The lead's")
    InterruptionFactory(client=a, assignee=world.agent, status=Status.RESOLVED, title="Done")
    InterruptionFactory(client=world.client_b, assignee=world.agent_b, title="Globex work")
    return [late, soon, later, undated]


def test_agent_sees_their_open_work_soonest_due_first_overdue_in_red(world, client, agent_work):
    client.force_login(world.agent)
    content = client.get("/").content.decode()

    table = content.split('id="my-open-work"', 1)[1].split("</table>", 1)[0]
    references = re.findall(r'<a href="[^"]+">((?:INT|FLR|ESC|CALL|REC)-[^<]+)</a>', table)
    assert references == [record.reference for record in agent_work]
    rows = re.findall(r"<tr(.*?)</tr>", table, re.S)[1:]
    assert ["data-overdue" in row for row in rows] == [True, False, False, False]
    assert 'class="text-danger fw-semibold"' in rows[0]
    assert f'href="{agent_work[0].get_absolute_url()}"' in table
    for hidden in ("The lead&#x27;s", "Done", "Globex work"):
        assert hidden not in content
    # The lead's panels are not an agent's.
    assert 'id="queue-now"' not in content and 'id="panel-compliance"' not in content


def test_agent_list_is_cut_with_links_to_every_open_record_of_theirs(world, client):
    for _ in range(SHOWN + 2):
        InterruptionFactory(client=world.client_a, assignee=world.agent)
    client.force_login(world.agent)
    content = client.get("/").content.decode()

    table = content.split('id="my-open-work"', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r"<tr", table)) == SHOWN + 1
    assert f"{SHOWN} of {SHOWN + 2} shown" in content
    link = re.search(
        r'<a href="(/interruptions/\?[^"]+)" class="text-nowrap">Interruptions '
        r"\((\d+)\)</a>",
        content,
    )
    assert int(link.group(2)) == SHOWN + 2
    assert listed_count(client, link.group(1)) == SHOWN + 2


# A lead's queues


@pytest.fixture
def queue(world):
    now = timezone.now()
    start, end = today_bounds(now)
    a, b = world.client_a, world.client_b
    due_soon = InterruptionFactory(client=a, severity=Severity.SEV3, assignee=world.agent)
    pinned(due_soon, resolution_due=now + timedelta(minutes=30))
    due_later = InterruptionFactory(client=a, severity=Severity.SEV3, assignee=world.agent)
    pinned(due_later, resolution_due=now + timedelta(hours=3))
    stamped = InterruptionFactory(client=a, status=Status.RESOLVED, assignee=world.agent)
    pinned(stamped, resolution_breached_at=start + (now - start) / 2)
    stamped_yesterday = InterruptionFactory(client=a, assignee=world.agent)
    pinned(stamped_yesterday, resolution_breached_at=start - timedelta(hours=2))
    # Open, unassigned and stale: SEV1 untouched for five hours (its limit is four).
    stale = InterruptionFactory(client=a, severity=Severity.SEV1)
    pinned(stale, updated_at=now - timedelta(hours=5))
    fresh = InterruptionFactory(client=a, severity=Severity.SEV1, assignee=world.agent)
    pinned(fresh, updated_at=now - timedelta(hours=3))
    stale_call = LOG_FACTORIES["calls"](client=a, severity=Severity.SEV4, assignee=world.agent)
    pinned(stale_call, updated_at=now - timedelta(days=8))
    # Another client's: the same of everything, never counted for this lead.
    other = InterruptionFactory(client=b, severity=Severity.SEV1)
    pinned(
        other,
        resolution_due=now + timedelta(minutes=10),
        updated_at=now - timedelta(days=2),
        resolution_breached_at=now - timedelta(seconds=1),
    )
    assert end > now


def test_lead_counters_and_their_links(world, client, queue):
    client.force_login(world.lead)
    content = client.get("/").content.decode()

    counters = cells(content, "queue-now")
    assert [text for text, _ in counters["Interruptions"]] == ["1", "1", "1", "1"]
    assert [text for text, _ in counters["Call logs"]] == ["0", "0", "0", "1"]
    for row in counters.values():
        for text, url in row:
            assert url, "every counter links to its list"
            assert listed_count(client, url) == int(text), url


def test_lead_trend_of_eight_weeks_opened_and_resolved(world, client):
    now = timezone.now()
    a = world.client_a
    InterruptionFactory(client=a, occurred_at=now - timedelta(minutes=5))
    InterruptionFactory(client=a, occurred_at=now - timedelta(days=14), status=Status.RESOLVED)
    LOG_FACTORIES["calls"](
        client=a, occurred_at=now - timedelta(days=14), status=Status.CLOSED, closed_at=now
    )
    InterruptionFactory(client=a, occurred_at=now - timedelta(days=14))
    InterruptionFactory(client=a, occurred_at=now - timedelta(days=70))  # before the 8 weeks
    InterruptionFactory(client=world.client_b, occurred_at=now - timedelta(minutes=5))
    client.force_login(world.lead)
    content = client.get("/").content.decode()

    rows = list(cells(content, "trend-weeks").values())
    assert len(rows) == 8
    numbers = [[int(text) for text, _ in row] for row in rows]
    assert numbers[-1] == [1, 0]
    assert numbers[-3] == [3, 2]
    assert sum(opened for opened, _ in numbers) == 4
    assert 'data-chart="trend-weeks-chart"' in content
    assert 'data-chart-json="{&quot;kind&quot;: &quot;line&quot;' in content


def test_administrator_sees_every_clients_queues_and_the_admin(world, client, queue):
    client.force_login(world.admin)
    content = client.get("/").content.decode()

    counters = cells(content, "queue-now")
    assert [text for text, _ in counters["Interruptions"]] == ["2", "2", "2", "2"]
    assert "Every client&#x27;s queues" in content
    assert 'href="/admin/"' in content


# An auditor's glance


def test_auditor_sees_compliance_per_client_and_log_and_open_findings(world, client):
    a, b = world.client_a, world.client_b
    zone = ZoneInfo(a.timezone)
    now = timezone.now()
    this = period_containing(MONTH, today_in(zone, now), zone)
    last = this.previous()
    moment = last.start + timedelta(days=3)
    for late in (False, False, False, True):
        record = InterruptionFactory(client=a, occurred_at=moment, status=Status.RESOLVED)
        pinned(
            record,
            resolved_at=moment + timedelta(hours=2),
            resolution_due=moment + timedelta(hours=1 if late else 4),
        )
    InterruptionFactory(client=a, occurred_at=moment)  # open: left out
    stamped = InterruptionFactory(
        client=a, occurred_at=this.start, status=Status.CLOSED, closed_at=now
    )
    pinned(stamped, resolution_breached_at=this.start + timedelta(minutes=5))
    InterruptionFactory(client=b, occurred_at=moment, status=Status.RESOLVED)
    for index in range(3):
        finding = finding_file(
            kind=FindingKind.RECURRING,
            fingerprint=f"test:{index}",
            severity=Severity.SEV2,
            summary="Recurring",
            client_id=a.pk,
        )
    finding_acknowledge(finding, actor=world.lead)
    finding_file(
        kind=FindingKind.RECURRING, fingerprint="b", severity="SEV2", summary="B", client_id=b.pk
    )
    client.force_login(world.auditor)
    content = client.get("/").content.decode()

    assert "Globex" not in content
    glance = cells(content, f"compliance-{a.pk}")
    assert [text for text, _ in glance["Interruptions"]] == ["75.0 %", "4", "0.0 %", "1"]
    assert [text for text, _ in glance["Call logs"]] == ["—", "0", "—", "0"]
    assert listed_count(client, glance["Interruptions"][0][1]) == 3
    assert listed_count(client, glance["Interruptions"][1][1]) == 4
    assert listed_count(client, glance["Interruptions"][3][1]) == 1
    findings = re.search(
        r'<a href="([^"]+)" class="small">Open findings not acknowledged: '
        r"<strong>(\d+)</strong>",
        content,
    )
    assert findings.group(2) == "2"
    listed = client.get(findings.group(1).replace("&amp;", "&")).content.decode()
    assert len(re.findall(r"<tr", listed.split("<tbody", 1)[1].split("</tbody>")[0])) == 2
    assert 'id="queue-now"' not in content


# htmx, without JavaScript, and cost


def test_htmx_gets_the_panels_alone_and_the_page_works_without_it(world, client, queue):
    client.force_login(world.lead)
    page = client.get("/").content.decode()
    assert "<html" in page and 'id="home-panels"' in page
    assert 'hx-trigger="every 60s"' in page
    refresh = re.search(r'<a [^>]*id="panels-refresh"[^>]*>', page).group(0)
    assert 'href="/"' in refresh and 'hx-get="/home/panels/"' in refresh

    for response in (
        client.get("/home/panels/", headers={"HX-Request": "true"}),
        client.get("/", headers={"HX-Request": "true"}),
    ):
        partial = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in partial and "<nav" not in partial
        assert 'id="home-panels"' in partial and 'id="queue-now"' in partial
    assert client.post("/home/panels/").status_code == 405


def test_panels_need_a_login(client):
    assert client.get("/home/panels/").status_code == 302


def _queries(client, path="/") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["agent", "lead", "auditor", "admin"])
def test_query_count_per_role_does_not_grow_with_records_or_clients(
    world, client, role, django_assert_max_num_queries
):
    user = getattr(world, role)
    client.force_login(user)
    client.get("/")
    before = _queries(client)
    # More records of every log, more clients for the user, findings: the same queries.
    extra = ClientFactory()
    team = TeamFactory(clients=[extra])
    team.memberships.create(user=user)
    for kind, factory in LOG_FACTORIES.items():
        for owner in (world.client_a, extra):
            for _ in range(3):
                factory(client=owner, assignee=world.agent if kind != "recovery" else None)
    finding_file(
        kind="recurring", fingerprint="x", severity="SEV3", summary="x", client_id=extra.pk
    )
    client.get("/")
    assert _queries(client) == before
    with django_assert_max_num_queries(14):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/home/panels/").status_code == 200


def test_someone_of_no_client_sees_empty_panels(client):
    loner = UserFactory(username="loner", role="Team lead")
    client.force_login(loner)
    content = client.get("/").content.decode()
    assert 'id="queue-now"' in content
    assert all(text == "0" for row in cells(content, "queue-now").values() for text, _ in row)


def test_counts_beyond_the_cap_say_so_and_link_to_the_full_list(world, client, monkeypatch):
    monkeypatch.setattr(agent_panel, "CAP", 2)
    monkeypatch.setattr(lead_panel, "CAP", 2)
    for title in ("One", "Two", "Three"):
        InterruptionFactory(client=world.client_a, assignee=world.agent, title=title)
        InterruptionFactory(client=world.client_a, assignee=None, title=f"Nobody's {title}")

    client.force_login(world.agent)
    mine = client.get("/").content.decode()
    assert "Interruptions (2+)" in mine

    client.force_login(world.lead)
    unassigned_text, unassigned_url = cells(client.get("/").content.decode(), "queue-now")[
        "Interruptions"
    ][2]
    assert unassigned_text == "2+"
    assert listed_count(client, unassigned_url) == 3
