"""The interruption list over HTTP: filters, sorting, keyset pages, HTMX, bulk actions, scoping."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.db.models import F

from apps.core.choices import Status
from apps.interruptions.models import Interruption
from tests.factories import InterruptionFactory

pytestmark = pytest.mark.django_db

REFERENCE_LINK = re.compile(r'<td ><a href="/interruptions/(INT-\d{4}-\d{6})/">')
# The table's orderable columns and the database path each one sorts by.
SORT_PATHS = {
    "reference": "reference",
    "client": "client__code",
    "kind": "kind",
    "title": "title",
    "severity": "severity",
    "status": "status",
    "assignee": "assignee__username",
    "team": "team__name",
    "occurred_at": "occurred_at",
    "ended_at": "ended_at",
}


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def listed(response) -> list[str]:
    """References of the rows shown, in table order."""
    assert response.status_code == 200
    return REFERENCE_LINK.findall(response.content.decode())


def row_count(response) -> str:
    match = re.search(r'id="row-count"><strong>([^<]*)</strong>', response.content.decode())
    return match.group(1)


def page_link(response, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return html.unescape(match.group(1)) if match else None


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def rows(world):
    """Seven interruptions of client A and two of client B, each filter picking some."""
    crm, tel, ivr = world.service_a, world.service_a2, world.service_b
    a1, a2 = world.team_a1, world.team_a2

    def make(key, **values):
        services = values.pop("services", [])
        return key, InterruptionFactory(affected_services=services, **values)

    made = dict(
        [
            make("a1", client=world.client_a, kind="incident", severity="SEV1",
                 status=Status.NEW, services=[crm], assignee=world.agent, team=a1,
                 occurred_at=at(1, 9), title="CRM login failing"),
            make("a2", client=world.client_a, kind="outage", severity="SEV2",
                 status=Status.IN_PROGRESS, services=[tel], assignee=world.lead, team=a2,
                 occurred_at=at(2), title="Telephony platform outage"),
            make("a3", client=world.client_a, kind="degradation", severity="SEV3",
                 status=Status.ON_HOLD, services=[crm, tel], team=a1,
                 occurred_at=at(3, 23, 30), title="Slow CRM searches"),
            make("a4", client=world.client_a, kind="error", severity="SEV4",
                 status=Status.RESOLVED, assignee=world.agent, occurred_at=at(4, 0),
                 ended_at=at(4, 2), title="Payment module errors"),
            make("a5", client=world.client_a, kind="maintenance", severity="SEV3",
                 status=Status.CLOSED, closed_at=at(5, 14), services=[tel],
                 occurred_at=at(5, 12), ended_at=at(5, 13), title="Planned telephony upgrade"),
            make("a6", client=world.client_a, kind="third_party", severity="SEV2",
                 status=Status.CANCELLED, cancel_reason="Duplicate", services=[crm],
                 assignee=world.lead, team=a1, occurred_at=at(6), title="Vendor API errors"),
            make("a7", client=world.client_a, kind="communication", severity="SEV1",
                 status=Status.NEW, services=[tel], assignee=world.agent, team=a2,
                 occurred_at=at(7), title="Carrier dropping calls"),
            make("b1", client=world.client_b, kind="incident", severity="SEV1",
                 status=Status.NEW, services=[ivr], assignee=world.agent_b,
                 team=world.team_b1, occurred_at=at(1), title="CRM login failing at Globex"),
            make("b2", client=world.client_b, kind="outage", severity="SEV2",
                 status=Status.IN_PROGRESS, services=[ivr], occurred_at=at(2, 11),
                 title="Globex IVR outage"),
        ]
    )  # fmt: skip
    return {key: record.reference for key, record in made.items()}


def refs(rows, keys: str) -> list[str]:
    return [rows[key] for key in keys.split()]


# --- filters -------------------------------------------------------------------------------


def test_unfiltered_list_shows_the_users_clients_newest_first(world, client, rows):
    client.force_login(world.lead)

    response = client.get("/interruptions/")

    assert listed(response) == refs(rows, "a7 a6 a5 a4 a3 a2 a1")
    assert row_count(response) == "7"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("client={client_a}", "a7 a6 a5 a4 a3 a2 a1"),
        ("kind=incident", "a1"),
        ("kind=incident&kind=outage", "a2 a1"),
        ("severity=SEV1", "a7 a1"),
        ("severity=SEV1&severity=SEV2", "a7 a6 a2 a1"),
        ("status=new&status=on_hold", "a7 a3 a1"),
        ("status=closed&status=cancelled&status=resolved", "a6 a5 a4"),
        ("service={crm}", "a6 a3 a1"),
        ("service={telephony}", "a7 a5 a3 a2"),
        ("assignee={agent}", "a7 a4 a1"),
        ("assignee={lead}", "a6 a2"),
        ("team={team_a1}", "a6 a3 a1"),
        ("team={team_a2}", "a7 a2"),
        ("occurred_from=2026-03-03", "a7 a6 a5 a4 a3"),
        ("occurred_to=2026-03-03", "a3 a2 a1"),
        ("occurred_from=2026-03-03&occurred_to=2026-03-04", "a4 a3"),
        ("occurred_from=2026-03-08", ""),
        ("q=crm", "a3 a1"),
        ("q=TELEPHONY", "a5 a2"),
        ("q={ref_a4}", "a4"),
        ("q=++{ref_a5}++", "a5"),
        ("severity=SEV1&status=new&team={team_a2}", "a7"),
        ("service={crm}&assignee={lead}&kind=third_party", "a6"),
    ],
)
def test_each_filter_shows_exactly_its_rows(world, client, rows, query, expected):
    query = query.format(
        client_a=world.client_a.pk,
        crm=world.service_a.pk,
        telephony=world.service_a2.pk,
        agent=world.agent.pk,
        lead=world.lead.pk,
        team_a1=world.team_a1.pk,
        team_a2=world.team_a2.pk,
        ref_a4=rows["a4"],
        ref_a5=rows["a5"],
    )
    client.force_login(world.lead)

    response = client.get(f"/interruptions/?{query}")

    assert listed(response) == (refs(rows, expected) if expected else [])
    count = row_count(response)
    if count == "…":  # a filter the summaries do not keep: counted in the figures' request
        figures = client.get(f"/interruptions/?{query}&_figures=1", headers={"HX-Request": "true"})
        count = row_count(figures)
    assert count == str(len(expected.split()))


def test_administrator_filters_across_clients(world, client, rows):
    client.force_login(world.admin)

    assert listed(client.get(f"/interruptions/?client={world.client_b.pk}")) == refs(rows, "b2 b1")
    assert listed(client.get("/interruptions/?q=crm+login")) == refs(rows, "b1 a1")
    assert listed(client.get("/interruptions/?severity=SEV2")) == refs(rows, "a6 b2 a2")


@pytest.mark.parametrize(
    "query",
    [
        "occurred_from=notadate",
        "occurred_to=2026-02-31",
        "severity=SEV9",
        "status=open",
        "kind=volcano",
        "client={client_b}",
        "service={ivr}",
        "assignee={agent_b}",
        "team={team_b1}",
    ],
)
def test_invalid_filter_shows_the_error_and_no_rows(world, client, rows, query):
    query = query.format(
        client_b=world.client_b.pk,
        ivr=world.service_b.pk,
        agent_b=world.agent_b.pk,
        team_b1=world.team_b1.pk,
    )
    client.force_login(world.lead)

    response = client.get(f"/interruptions/?{query}")

    assert listed(response) == []
    assert row_count(response) == "0"
    assert "These filters are not valid, so nothing is shown" in response.content.decode()


def test_htmx_request_gets_the_results_partial_only(world, client, rows):
    client.force_login(world.lead)

    response = client.get("/interruptions/?severity=SEV1", headers={"HX-Request": "true"})

    content = response.content.decode()
    assert listed(response) == refs(rows, "a7 a1")
    assert "<html" not in content
    assert "<body" not in content
    # The filters come along only to be swapped out of band, showing what was chosen.
    assert content.count('id="filter-form"') == 1
    assert '<div id="filters" class="mb-3" hx-swap-oob="true">' in content
    assert 'id="row-count"' in content
    full = client.get("/interruptions/?severity=SEV1").content.decode()
    assert "<html" in full
    assert 'id="filter-form"' in full


# --- sorting -------------------------------------------------------------------------------


def database_order(queryset, path: str, descending: bool) -> list[str]:
    """References in the database order for `path`, NULLs last, then start time and id."""
    column = F(path)
    key = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    ties = ["-occurred_at", "-id"] if descending else ["occurred_at", "id"]
    return list(queryset.order_by(key, *ties).values_list("reference", flat=True))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("column", sorted(SORT_PATHS))
def test_sorting_by_each_column_gives_the_database_order(world, client, rows, column, descending):
    client.force_login(world.admin)
    sort = f"-{column}" if descending else column

    shown = listed(client.get(f"/interruptions/?sort={sort}"))

    assert shown == database_order(Interruption.objects.all(), SORT_PATHS[column], descending)
    assert len(shown) == 9


def test_sorting_puts_rows_where_a_person_expects_them(world, client, rows):
    client.force_login(world.lead)

    by_severity = listed(client.get("/interruptions/?sort=severity"))
    by_assignee = listed(client.get("/interruptions/?sort=-assignee"))

    assert by_severity == refs(rows, "a1 a7 a2 a6 a3 a5 a4")
    # lead before agent, and the unassigned ones last either way.
    assert by_assignee == refs(rows, "a6 a2 a7 a4 a1 a5 a3")


def test_unknown_sort_falls_back_to_newest_first(world, client, rows):
    client.force_login(world.lead)

    assert listed(client.get("/interruptions/?sort=password")) == refs(rows, "a7 a6 a5 a4 a3 a2 a1")
    assert listed(client.get("/interruptions/?sort=services")) == refs(rows, "a7 a6 a5 a4 a3 a2 a1")


# --- keyset pages --------------------------------------------------------------------------


@pytest.fixture
def many(world):
    """62 rows of client A with many ties and empty values, and 5 of client B."""
    severities = ["SEV1", "SEV2", "SEV3", "SEV4"]
    assignees = [world.agent, world.lead, None]
    teams = [world.team_a1, None, world.team_a2]
    base = at(1)
    for number in range(62):
        InterruptionFactory(
            client=world.client_a,
            title=f"Batch {number % 7}",
            severity=severities[number % 4],
            status=[Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD][number % 3],
            assignee=assignees[number % 3],
            team=teams[number % 5 % 3],
            # Every third row shares its start with the one before it.
            occurred_at=base + timedelta(hours=number - number % 3 // 2),
            ended_at=None if number % 4 else base + timedelta(hours=number + 1),
        )
    for _ in range(5):
        InterruptionFactory(client=world.client_b, occurred_at=base)


def walk(client, first_url: str) -> tuple[list[list[str]], list[list[str]]]:
    """Follow Next links to the end, then Previous links back: the pages seen each way."""
    forward = []
    response = client.get(first_url)
    forward.append(listed(response))
    assert page_link(response, "prev") is None
    while (link := page_link(response, "next")) is not None:
        response = client.get(f"/interruptions/{link}")
        forward.append(listed(response))
        assert len(forward) < 20, "Next links never end"
    backward = [forward[-1]]
    while (link := page_link(response, "prev")) is not None:
        response = client.get(f"/interruptions/{link}")
        backward.append(listed(response))
        assert len(backward) < 20, "Previous links never end"
    return forward, backward


@pytest.mark.parametrize(
    "sort",
    ["", "title", "-title", "severity", "-severity", "assignee", "-assignee", "team",
     "-team", "ended_at", "-ended_at", "status", "-occurred_at", "occurred_at"],
)  # fmt: skip
def test_next_and_previous_links_walk_the_whole_list_once(world, client, many, sort):
    client.force_login(world.lead)
    path, descending = SORT_PATHS.get(sort.lstrip("-"), "occurred_at"), sort.startswith("-")
    if not sort:
        descending = True
    expected = database_order(Interruption.objects.filter(client=world.client_a), path, descending)

    forward, backward = walk(client, f"/interruptions/?per_page=25&sort={sort}")

    assert [len(page) for page in forward] == [25, 25, 12]
    assert [reference for page in forward for reference in page] == expected
    assert backward == list(reversed(forward))


def test_pages_keep_the_filters(world, client, many):
    client.force_login(world.lead)
    wanted = Interruption.objects.filter(
        client=world.client_a, status__in=[Status.NEW, Status.ON_HOLD]
    )
    expected = database_order(wanted, "severity", True)

    forward, backward = walk(
        client, "/interruptions/?per_page=25&status=new&status=on_hold&sort=-severity"
    )

    assert [len(page) for page in forward] == [25, 16]
    assert [reference for page in forward for reference in page] == expected
    assert backward == list(reversed(forward))


def test_a_full_last_page_has_no_next_link(world, client):
    for number in range(50):
        InterruptionFactory(client=world.client_a, occurred_at=at(1) + timedelta(minutes=number))
    client.force_login(world.lead)

    forward, _ = walk(client, "/interruptions/?per_page=25")

    assert [len(page) for page in forward] == [25, 25]


@pytest.mark.parametrize("per_page", [50, 100])
def test_larger_pages(world, client, many, per_page):
    client.force_login(world.lead)

    forward, _ = walk(client, f"/interruptions/?per_page={per_page}")

    assert [len(page) for page in forward] == ([50, 12] if per_page == 50 else [62])


def test_damaged_page_link_starts_again_from_the_first_page(world, client, many):
    client.force_login(world.lead)
    first = listed(client.get("/interruptions/?per_page=25"))

    response = client.get("/interruptions/?per_page=25&after=not-a-cursor")

    assert listed(response) == first
    assert "This page link is damaged" in html.unescape(response.content.decode())


def test_unsupported_page_size_falls_back_to_25(world, client, many):
    client.force_login(world.lead)

    assert len(listed(client.get("/interruptions/?per_page=1000000"))) == 25
    assert len(listed(client.get("/interruptions/?per_page=ten"))) == 25


# --- bulk actions --------------------------------------------------------------------------


def records(rows, keys: str) -> list[Interruption]:
    return [Interruption.objects.get(reference=rows[key]) for key in keys.split()]


def bulk(client, rows, keys: str, **data):
    selection = [record.pk for record in records(rows, keys)]
    data.setdefault("next", "/interruptions/?severity=SEV1")
    return client.post("/interruptions/bulk/", {"selection": selection, **data})


def test_lead_sees_the_bulk_form_and_others_do_not(world, client, rows):
    for user, shown in [(world.lead, True), (world.agent, False), (world.auditor, False)]:
        client.force_login(user)
        content = client.get("/interruptions/").content.decode()
        assert ('id="bulk-form"' in content) is shown
        assert ('name="selection"' in content) is shown


def test_lead_assigns_the_selected_rows_of_their_clients_only(world, client, rows):
    client.force_login(world.lead)

    response = bulk(
        client, rows, "a1 a3 b1", action="assign", assignee=world.lead.pk, team=world.team_a2.pk
    )

    assert response.status_code == 302
    assert response.url == "/interruptions/?severity=SEV1"
    assert messages_of(response) == [f"Updated 2: {rows['a1']}, {rows['a3']}."]
    for record in records(rows, "a1 a3"):
        assert (record.assignee, record.team, record.version) == (world.lead, world.team_a2, 2)
        latest = record.history.latest()
        assert latest.history_user == world.lead
        assert latest.assignee_id == world.lead.pk
    (b1,) = records(rows, "b1")
    assert (b1.assignee, b1.team, b1.version) == (world.agent_b, world.team_b1, 1)
    assert b1.history.count() == 2  # created, services set: nothing from the lead


def test_lead_moves_the_selected_rows_and_hears_about_refusals(world, client, rows):
    client.force_login(world.lead)

    response = bulk(client, rows, "a1 a2 a4 a7 b1", action="status", status="in_progress")

    a1, a2, a4, a7, b1 = records(rows, "a1 a2 a4 a7 b1")
    assert [a1.status, a4.status, a7.status] == [Status.IN_PROGRESS] * 3
    assert [a1.version, a2.version, a4.version, a7.version] == [2, 1, 2, 2]
    assert a4.resolved_at is None
    assert {a1.history.latest().history_user, a7.history.latest().history_user} == {world.lead}
    assert a2.status == Status.IN_PROGRESS
    assert b1.status == Status.NEW
    assert messages_of(response) == [
        f"Updated 3: {a1.reference}, {a4.reference}, {a7.reference}.",
        f"{a2.reference} not changed: {a2.reference} cannot move from In progress to In progress.",
    ]


def test_bulk_close_refuses_records_missing_their_resolution(world, client, rows):
    client.force_login(world.lead)

    response = bulk(client, rows, "a4", action="status", status="closed")

    (a4,) = records(rows, "a4")
    assert a4.status == Status.RESOLVED
    (message,) = messages_of(response)
    assert message.startswith(f"{a4.reference} not changed: ")
    assert "Describe the resolution before closing." in message


def test_bulk_cancel_needs_a_reason(world, client, rows):
    client.force_login(world.lead)

    bulk(client, rows, "a1", action="status", status="cancelled")
    (a1,) = records(rows, "a1")
    assert a1.status == Status.NEW

    bulk(client, rows, "a1", action="status", status="cancelled", reason="Logged twice")
    (a1,) = records(rows, "a1")
    assert (a1.status, a1.cancel_reason) == (Status.CANCELLED, "Logged twice")


@pytest.mark.parametrize("role", ["agent", "auditor", "agent_b"])
def test_bulk_actions_are_forbidden_without_the_permission(world, client, rows, role):
    client.force_login(getattr(world, role))

    response = bulk(client, rows, "a1 a2 b1", action="assign", assignee=world.agent.pk)

    assert response.status_code == 403
    assert [record.version for record in records(rows, "a1 a2 b1")] == [1, 1, 1]


@pytest.mark.parametrize(
    ("keys", "data", "message"),
    [
        ("", {"action": "status", "status": "new"}, "Select at least one row first."),
        ("b1 b2", {"action": "status", "status": "in_progress"},
         "None of the selected records could be found."),
        ("a1", {"action": "assign"}, "Choose a person or a team to assign to."),
        ("a1", {"action": "status"}, "Choose the status to move the records to."),
    ],
)  # fmt: skip
def test_bulk_with_nothing_usable_explains_why(world, client, rows, keys, data, message):
    client.force_login(world.lead)

    response = (
        bulk(client, rows, keys, **data) if keys else client.post("/interruptions/bulk/", data)
    )

    assert response.status_code == 302
    assert messages_of(response) == [message]
    assert [record.version for record in records(rows, "a1 b1 b2")] == [1, 1, 1]


def test_bulk_never_redirects_off_site(world, client, rows):
    client.force_login(world.lead)

    response = bulk(
        client, rows, "a1", action="status", status="in_progress", next="https://evil.test/"
    )

    assert response.url == "/interruptions/"
