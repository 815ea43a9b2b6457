"""The interruption form over HTTP: /interruptions/new/ and /interruptions/<reference>/edit/."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.forms import STALE_FORM
from apps.core.models import OutboxMessage, ReferenceSequence
from apps.interruptions.models import Interruption
from apps.interruptions.services import interruption_update
from apps.interruptions.tasks import send_interruption_alert
from tests.factories import InterruptionFactory, ServiceFactory
from tests.roundtrip.browser import page_post

pytestmark = pytest.mark.django_db

FORM_TIME = "%Y-%m-%dT%H:%M"


def select_options(content: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of every option of the <select name=...> in the page."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', content, re.S)
    assert match, f"no <select name={name!r}> on the page"
    options = re.findall(
        r'<option value="([^"]*)"( selected)?>([^<]*)</option>', match.group(1), re.S
    )
    return [
        (value, html.unescape(label.strip()), bool(selected)) for value, selected, label in options
    ]


def selected_value(content: str, name: str) -> str | None:
    """The value of the option chosen in the <select name=...>, if any."""
    chosen = [value for value, _, selected in select_options(content, name) if selected]
    return chosen[0] if chosen else None


def local(moment) -> str:
    return timezone.localtime(moment).strftime(FORM_TIME)


@pytest.fixture
def started():
    return (timezone.now() - timedelta(hours=3)).replace(second=0, microsecond=0)


@pytest.fixture
def new_data(world, started):
    """A valid POST for a new incident of client A."""
    return {
        "client": world.client_a.pk,
        "kind": "incident",
        "title": "CRM unreachable from the Leeds floor",
        "severity": "SEV3",
        "affected_services": [world.service_a.pk, world.service_a2.pk],
        "occurred_at": local(started),
        "ended_at": local(started + timedelta(minutes=45)),
        "description": "Agents could not open customer records.",
        "impact_assessment": "Callbacks promised to 30 customers.",
        "customers_affected": "30",
        "agents_affected": "12",
        "assignee": world.agent.pk,
        "team": world.team_a1.pk,
        "root_cause_category": "",
    }


def edit_data(record: Interruption, **overrides) -> dict:
    """The edit form as the browser would post it back, with `overrides` typed in."""
    data = {
        "version": record.version,
        "kind": record.kind,
        "title": record.title,
        "severity": record.severity,
        "affected_services": [service.pk for service in record.affected_services.all()],
        "occurred_at": local(record.occurred_at),
        "ended_at": local(record.ended_at) if record.ended_at else "",
        "description": record.description,
        "impact_assessment": record.impact_assessment,
        "assignee": record.assignee_id or "",
        "team": record.team_id or "",
        "root_cause_category": record.root_cause_category,
        "root_cause_analysis": record.root_cause_analysis,
        "corrective_actions": record.corrective_actions,
        "resolution": record.resolution,
    }
    data.update(overrides)
    return data


# --- the empty form ----------------------------------------------------------------------


def test_new_form_offers_drop_downs_scoped_to_the_agents_clients(world, client):
    ServiceFactory(client=world.client_a, name="Retired dialler", active=False)
    client.force_login(world.agent)

    response = client.get("/interruptions/new/")

    assert response.status_code == 200
    content = response.content.decode()
    assert [value for value, _, _ in select_options(content, "kind")] == [
        "",
        "incident",
        "outage",
        "degradation",
        "error",
        "communication",
        "maintenance",
        "third_party",
    ]
    assert [label for _, label, _ in select_options(content, "severity")] == [
        "SEV1 · Critical",
        "SEV2 · High",
        "SEV3 · Medium",
        "SEV4 · Low",
    ]
    assert selected_value(content, "severity") == "SEV3"
    assert select_options(content, "affected_services") == [
        (str(world.service_a.pk), "CRM", False),
        (str(world.service_a2.pk), "Telephony platform", False),
    ]
    assert [label for _, label, _ in select_options(content, "root_cause_category")] == [
        "---------",
        "People",
        "Process",
        "Technology",
        "Third party / vendor",
        "Facility / environment",
        "Customer",
        "Unknown",
    ]
    # The agent works for one client only: it is offered, and already chosen.
    assert select_options(content, "client")[1:] == [(str(world.client_a.pk), "Acme Retail", True)]
    assert [label for _, label, _ in select_options(content, "team")] == [
        "---------",
        "Acme Frontline (T1)",
        "Acme Technical (T2)",
    ]
    assert "agent_b" not in " ".join(label for _, label, _ in select_options(content, "assignee"))


def test_every_kind_has_its_own_section_of_fields(world, client):
    client.force_login(world.agent)

    content = client.get("/interruptions/new/").content.decode()

    for kind, field in [
        ("outage", "scheduled"),
        ("degradation", "observed_value"),
        ("error", "error_code"),
        ("communication", "carrier"),
        ("maintenance", "planned_start"),
        ("third_party", "vendor_ticket_reference"),
    ]:
        section = re.search(rf'data-kind-section="{kind}">(.*?)</fieldset>', content, re.S)
        assert section, kind
        assert f'name="{field}"' in section.group(1), kind


@pytest.mark.parametrize(
    ("query", "expected"),
    [("?kind=maintenance", "maintenance"), ("?kind=outage", "outage"), ("?kind=bogus", "")],
)
def test_kind_in_the_query_string_preselects_the_kind(world, client, query, expected):
    client.force_login(world.agent)

    content = client.get(f"/interruptions/new/{query}").content.decode()

    assert selected_value(content, "kind") == expected


def test_auditor_may_not_open_the_new_form(world, client):
    client.force_login(world.auditor)

    assert client.get("/interruptions/new/").status_code == 403
    assert client.post("/interruptions/new/", {"title": "x"}).status_code == 403
    assert Interruption.objects.count() == 0


# --- creating ------------------------------------------------------------------------------


def test_valid_post_logs_the_interruption_and_opens_its_page(world, client, new_data, started):
    client.force_login(world.agent)

    response = client.post("/interruptions/new/", new_data)

    record = Interruption.objects.get()
    year = timezone.now().year
    assert record.reference == f"INT-{year}-000001"
    assert response.status_code == 302
    assert response.url == f"/interruptions/INT-{year}-000001/"
    assert record.client == world.client_a
    assert record.kind == "incident"
    assert record.title == "CRM unreachable from the Leeds floor"
    assert record.status == "new"
    assert record.version == 1
    assert record.reported_by == world.agent
    assert record.assignee == world.agent
    assert record.team == world.team_a1
    assert record.occurred_at == started
    assert record.ended_at == started + timedelta(minutes=45)
    assert record.customers_affected == 30
    assert set(record.affected_services.all()) == {world.service_a, world.service_a2}
    assert {version.history_user for version in record.history.all()} == {world.agent}

    page = client.get(response.url)
    assert page.status_code == 200
    assert f"INT-{year}-000001 logged." in page.content.decode()


def test_references_follow_each_other(world, client, new_data):
    client.force_login(world.agent)

    first = client.post("/interruptions/new/", new_data)
    second = client.post("/interruptions/new/", new_data | {"title": "Again"})

    year = timezone.now().year
    assert first.url == f"/interruptions/INT-{year}-000001/"
    assert second.url == f"/interruptions/INT-{year}-000002/"
    assert Interruption.objects.get(reference=f"INT-{year}-000002").title == "Again"


def test_kind_specific_fields_of_another_kind_are_not_kept(world, client, new_data):
    client.force_login(world.agent)

    client.post(
        "/interruptions/new/",
        new_data | {"kind": "error", "error_code": "E500", "vendor": "Typed by mistake"},
    )

    record = Interruption.objects.get()
    assert record.error_code == "E500"
    assert record.vendor == ""


def test_maintenance_with_its_window_is_saved(world, client, new_data, started):
    client.force_login(world.agent)

    response = client.post(
        "/interruptions/new/",
        new_data
        | {
            "kind": "maintenance",
            "planned_start": local(started),
            "planned_end": local(started + timedelta(minutes=30)),
        },
    )

    assert response.status_code == 302
    record = Interruption.objects.get()
    assert record.planned_end == started + timedelta(minutes=30)
    assert record.overran is True


def _assert_refused(response, *messages: str) -> None:
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    for message in messages:
        assert message in content
    assert Interruption.objects.count() == 0
    assert not ReferenceSequence.objects.filter(last_value__gt=0).exists()


def test_end_before_start_is_refused_and_nothing_saved(world, client, new_data, started):
    client.force_login(world.agent)

    response = client.post(
        "/interruptions/new/", new_data | {"ended_at": local(started - timedelta(minutes=5))}
    )

    _assert_refused(response, "The end cannot be before the start.")


def test_maintenance_without_a_window_is_refused(world, client, new_data):
    client.force_login(world.agent)

    response = client.post("/interruptions/new/", new_data | {"kind": "maintenance"})

    _assert_refused(
        response,
        "Planned maintenance needs the window's start.",
        "Planned maintenance needs the window's end.",
    )


def test_missing_title_and_services_are_refused(world, client, new_data):
    client.force_login(world.agent)

    response = client.post("/interruptions/new/", new_data | {"title": "", "affected_services": []})

    _assert_refused(response, "This field is required.")
    errors = response.context["form"].errors
    assert set(errors) == {"title", "affected_services"}


def test_another_clients_service_or_client_cannot_be_chosen(world, client, new_data):
    client.force_login(world.agent)

    foreign_service = client.post(
        "/interruptions/new/", new_data | {"affected_services": [world.service_b.pk]}
    )
    foreign_client = client.post("/interruptions/new/", new_data | {"client": world.client_b.pk})

    _assert_refused(foreign_service, "Select a valid choice.")
    _assert_refused(foreign_client, "Select a valid choice.")
    assert "affected_services" in foreign_service.context["form"].errors
    assert "client" in foreign_client.context["form"].errors


# --- editing -------------------------------------------------------------------------------


@pytest.fixture
def record(world, started):
    return InterruptionFactory(
        client=world.client_a,
        title="Telephony platform dropping calls",
        occurred_at=started,
        affected_services=[world.service_a2],
    )


def test_edit_form_carries_the_version_and_fixes_the_client(world, client, record):
    client.force_login(world.agent)

    response = client.get(f"/interruptions/{record.reference}/edit/")

    assert response.status_code == 200
    content = response.content.decode()
    assert f"Edit {record.reference}" in content
    assert re.search(r'<input type="hidden" name="version" value="1"', content)
    assert re.search(r'<select name="client"[^>]*disabled', content)


def test_edit_saves_the_change_and_raises_the_version(world, client, record):
    client.force_login(world.agent)

    response = client.post(
        f"/interruptions/{record.reference}/edit/",
        edit_data(record, title="Telephony platform down", severity="SEV2"),
    )

    assert response.status_code == 302
    assert response.url == f"/interruptions/{record.reference}/"
    record.refresh_from_db()
    assert record.title == "Telephony platform down"
    assert record.severity == "SEV2"
    assert record.version == 2
    assert record.client == world.client_a
    latest = record.history.latest()
    assert latest.history_user == world.agent
    assert latest.title == "Telephony platform down"


def test_edit_with_a_stale_version_is_refused_and_overwrites_nothing(world, client, record):
    client.force_login(world.agent)
    opened = client.get(f"/interruptions/{record.reference}/edit/")
    assert opened.context["form"]["version"].value() == 1
    # Someone else saves first.
    interruption_update(
        record, actor=world.lead, changes={"title": "Lead's wording"}, expected_version=1
    )
    versions_before = record.history.count()

    response = client.post(
        f"/interruptions/{record.reference}/edit/",
        edit_data(record, version=1, title="Agent's wording", severity="SEV1"),
    )

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "changed by someone else" in content
    assert "Nothing was saved" in content
    record.refresh_from_db()
    assert record.title == "Lead's wording"
    assert record.severity == "SEV3"
    assert record.version == 2
    assert record.history.count() == versions_before


def test_edit_that_breaks_a_rule_is_refused(world, client, record, started):
    client.force_login(world.agent)

    response = client.post(
        f"/interruptions/{record.reference}/edit/",
        edit_data(record, ended_at=local(started - timedelta(hours=1))),
    )

    assert response.status_code == 200
    assert "The end cannot be before the start." in response.content.decode()
    record.refresh_from_db()
    assert record.ended_at is None
    assert record.version == 1


def test_auditor_may_not_edit(world, client, record):
    client.force_login(world.auditor)

    assert client.get(f"/interruptions/{record.reference}/edit/").status_code == 403
    response = client.post(
        f"/interruptions/{record.reference}/edit/", edit_data(record, title="Auditor was here")
    )

    assert response.status_code == 403
    record.refresh_from_db()
    assert record.title == "Telephony platform dropping calls"


@pytest.fixture
def severe(world):
    """A SEV2 record stored with seconds and microseconds, as the service and imports store."""
    return InterruptionFactory(
        client=world.client_a,
        severity="SEV2",
        affected_services=[world.service_a],
        resolution_due=timezone.now() + timedelta(hours=3, seconds=17, microseconds=250),
    )


def test_edit_form_shows_the_stored_severity_and_kind(world, client, severe):
    client.force_login(world.agent)

    response = client.get(f"/interruptions/{severe.reference}/edit/?kind=outage")

    content = response.content.decode()
    assert selected_value(content, "severity") == "SEV2"
    assert selected_value(content, "kind") == "incident"


def test_changing_only_the_title_changes_only_the_title(world, client, severe):
    client.force_login(world.agent)
    path = f"/interruptions/{severe.reference}/edit/"
    stored = Interruption.objects.values().get(pk=severe.pk)

    response = client.post(path, page_post(client, path, title="CRM slow, not down"))

    assert response.status_code == 302
    after = Interruption.objects.values().get(pk=severe.pk)
    changed = {name for name in stored if stored[name] != after[name]}
    assert changed == {"title", "version", "updated_at"}
    assert severe.history.latest().history_change_reason == "Edited: title"


def test_raising_the_severity_through_the_edit_form_alerts_the_leads(world, client, record):
    client.force_login(world.agent)
    path = f"/interruptions/{record.reference}/edit/"

    response = client.post(path, page_post(client, path, severity="SEV2"))

    assert response.status_code == 302
    queued = OutboxMessage.objects.filter(task_name=send_interruption_alert.name)
    assert list(queued.values_list("args", flat=True)) == [[record.pk]]


def test_editing_an_already_severe_record_sends_no_second_alert(world, client, severe):
    client.force_login(world.agent)
    path = f"/interruptions/{severe.reference}/edit/"

    client.post(path, page_post(client, path, severity="SEV1"))

    assert severe.history.latest().severity == "SEV1"
    assert not OutboxMessage.objects.filter(task_name=send_interruption_alert.name).exists()


@pytest.mark.parametrize("version", ["abc", "", "-1"])
def test_a_tampered_version_is_refused_with_a_message_and_keeps_the_input(
    world, client, record, version
):
    client.force_login(world.agent)
    path = f"/interruptions/{record.reference}/edit/"
    data = page_post(client, path, title="My careful new wording", version=version)

    response = client.post(path, data)

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert STALE_FORM in content
    assert 'value="My careful new wording"' in content
    record.refresh_from_db()
    assert (record.title, record.version) == ("Telephony platform dropping calls", 1)
