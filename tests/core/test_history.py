"""A record's change history read back as who / when / old → new."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.choices import Status
from apps.core.history import (
    FieldChange,
    moment_text,
    record_history,
    shorten,
)
from apps.core.humanize import duration_text
from apps.core.services.records import (
    record_assign,
    record_change_status,
    records_bulk_assign,
    records_bulk_change_status,
)
from apps.interruptions.models import Interruption
from apps.interruptions.services import interruption_create, interruption_update
from tests.factories import ClientAssignmentFactory, UserFactory
from tests.factories_calls import CallFactory, DispositionFactory
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory

pytestmark = pytest.mark.django_db

AUTOMATIC = "Portal (automatic)"


def _create(world, **values):
    return interruption_create(
        actor=world.agent,
        values={
            "client": world.client_a,
            "kind": "incident",
            "title": "Headsets dropping calls",
            "occurred_at": timezone.now() - timedelta(hours=1),
            **values,
        },
    )


def _changes(entry) -> dict[str, tuple[str, str]]:
    return {change.label: (change.old, change.new) for change in entry.changes}


def test_creation_is_the_only_entry_of_a_new_record(world):
    before = timezone.now()
    record = _create(world)
    (entry,) = record_history(record)
    assert entry.action == "Created"
    assert entry.who == world.agent.get_full_name()
    assert before <= entry.when <= timezone.now()
    assert entry.changes == []


def test_an_edit_shows_who_when_and_old_to_new(world):
    record = _create(world)
    interruption_update(
        record,
        actor=world.lead,
        changes={"title": "Headsets dead on floor 2", "severity": "SEV2"},
        expected_version=1,
    )
    newest, oldest = record_history(record)
    assert oldest.action == "Created"
    assert newest.action == "Changed"
    assert newest.who == world.lead.get_full_name()
    assert newest.when >= oldest.when
    # The resolution due time follows the severity, and the history says so.
    assert newest.reason == "Edited: title, severity, resolution due"
    changes = _changes(newest)
    assert changes["Title"] == ("Headsets dropping calls", "Headsets dead on floor 2")
    assert changes["Severity"] == ("SEV3 · Medium", "SEV2 · High")
    assert set(changes) == {"Title", "Severity", "Resolution due"}


def test_bookkeeping_fields_are_not_listed(world):
    record = _create(world)
    interruption_update(record, actor=world.lead, changes={"title": "X"}, expected_version=1)
    labels = {change.label for entry in record_history(record) for change in entry.changes}
    assert labels == {"Title"}


def test_foreign_keys_show_names_and_empty_values_a_dash(world):
    record = _create(world)
    record_assign(record, actor=world.lead, assignee=world.agent, team=world.team_a2)
    record_assign(record, actor=world.lead, team=world.team_a1)
    newest, assigned, _created = record_history(record)
    assert _changes(assigned) == {
        "Assignee": ("—", world.agent.get_full_name()),
        "Team": ("—", "Acme Technical (T2)"),
    }
    assert _changes(newest) == {"Team": ("Acme Technical (T2)", "Acme Frontline (T1)")}


def test_a_person_on_a_record_cannot_be_deleted_behind_the_history(world):
    temp = UserFactory(username="temp")
    ClientAssignmentFactory(client=world.client_a, user=temp)
    record = _create(world)
    record_assign(record, actor=world.lead, assignee=temp)

    with pytest.raises(ProtectedError):
        temp.delete()

    record.refresh_from_db()
    assert record.assignee == temp
    assigned = record_history(record)[0]
    assert _changes(assigned) == {"Assignee": ("—", temp.get_full_name())}


def test_affected_services_show_their_names(world):
    record = _create(world)
    interruption_update(
        record,
        actor=world.lead,
        changes={},
        expected_version=1,
        affected_services=[world.service_a],
    )
    interruption_update(
        record,
        actor=world.lead,
        changes={},
        expected_version=2,
        affected_services=[world.service_a, world.service_a2],
    )
    services = [
        _changes(entry)["Affected services"]
        for entry in record_history(record)
        if "Affected services" in _changes(entry)
    ]
    assert services == [("CRM", "CRM, Telephony platform"), ("—", "CRM")]
    for entry in record_history(record)[:2]:
        assert entry.who == world.lead.get_full_name()


def test_removing_a_service_shows_the_shorter_list(world):
    record = _create(world)
    interruption_update(
        record,
        actor=world.lead,
        changes={},
        expected_version=1,
        affected_services=[world.service_a, world.service_a2],
    )
    interruption_update(
        record,
        actor=world.lead,
        changes={},
        expected_version=2,
        affected_services=[world.service_a2],
    )
    newest = record_history(record)[0]
    assert _changes(newest) == {
        "Affected services": ("CRM, Telephony platform", "Telephony platform")
    }


def test_status_changes_show_labels_and_the_reason(world):
    record = _create(world)
    record_change_status(record, target=Status.IN_PROGRESS, actor=world.lead)
    newest = record_history(record)[0]
    assert newest.reason == "New → In progress"
    assert _changes(newest) == {"Status": ("New", "In progress")}


def test_changes_without_a_person_show_as_automatic(world):
    record = _create(world)
    record_change_status(record, target=Status.IN_PROGRESS, actor=None)
    record_assign(record, actor=None, assignee=world.lead)
    newest, moved, created = record_history(record)
    assert created.who == world.agent.get_full_name()
    assert moved.who == newest.who == AUTOMATIC
    assert _changes(newest) == {"Assignee": ("—", world.lead.get_full_name())}


def test_a_user_without_full_name_shows_the_username(world):
    nameless = UserFactory(username="nameless", first_name="", last_name="")
    ClientAssignmentFactory(client=world.client_a, user=nameless)
    record = _create(world)
    record_change_status(record, target=Status.IN_PROGRESS, actor=nameless)
    assert record_history(record)[0].who == "nameless"


def test_bulk_changes_are_in_each_records_history(world):
    records = [_create(world, title=f"Queue {number}") for number in range(3)]
    pks = [record.pk for record in records]
    records_bulk_assign(Interruption, actor=world.lead, pks=pks, assignee=world.agent)
    records_bulk_change_status(Interruption, actor=world.lead, pks=pks, target="in_progress")
    for record in records:
        newest, assigned, created = record_history(record)
        assert (newest.who, assigned.who) == (world.lead.get_full_name(),) * 2
        assert _changes(assigned) == {"Assignee": ("—", world.agent.get_full_name())}
        assert _changes(newest) == {"Status": ("New", "In progress")}
        assert created.action == "Created"


def test_history_is_newest_first_and_complete(world):
    record = _create(world)
    record_change_status(record, target=Status.IN_PROGRESS, actor=world.lead)
    record_change_status(record, target=Status.ON_HOLD, actor=world.lead)
    record_change_status(record, target=Status.IN_PROGRESS, actor=world.agent)
    entries = record_history(record)
    assert [entry.when for entry in entries] == sorted(
        (entry.when for entry in entries), reverse=True
    )
    # Time on hold does not count: the due time pauses, then comes back later.
    resumed_due = Interruption.objects.get(pk=record.pk).resolution_due
    assert resumed_due > record.resolution_due
    assert [entry.changes for entry in entries[:3]] == [
        [
            FieldChange("Resolution due", "—", moment_text(resumed_due)),
            FieldChange("Status", "On hold", "In progress"),
        ],
        [
            FieldChange("Resolution due", moment_text(record.resolution_due), "—"),
            FieldChange("Status", "In progress", "On hold"),
        ],
        [FieldChange("Status", "New", "In progress")],
    ]
    assert [entry.who for entry in entries] == [
        world.agent.get_full_name(),
        world.lead.get_full_name(),
        world.lead.get_full_name(),
        world.agent.get_full_name(),
    ]


def test_history_of_one_record_does_not_mix_in_another(world):
    first = _create(world)
    second = _create(world)
    record_change_status(second, target=Status.IN_PROGRESS, actor=world.lead)
    assert len(record_history(first)) == 1
    assert len(record_history(second)) == 2


def test_one_change_with_services_is_one_version(world):
    record = interruption_create(
        actor=world.agent,
        values={
            "client": world.client_a,
            "kind": "incident",
            "title": "CRM slow",
            "occurred_at": timezone.now() - timedelta(hours=1),
        },
        affected_services=[world.service_a],
    )
    created = record.history.get()
    assert created.history_type == "+"
    assert created.history_user == world.agent
    assert list(created.affected_services.values_list("service_id", flat=True)) == [
        world.service_a.pk
    ]

    record = interruption_update(
        record,
        actor=world.lead,
        changes={"title": "CRM and telephony slow"},
        expected_version=record.version,
        affected_services=[world.service_a, world.service_a2],
    )

    assert record.history.count() == 2
    (edit, first) = record_history(record)
    assert (edit.who, edit.action) == (world.lead.get_full_name(), "Changed")
    assert edit.reason == "Edited: title, affected services"
    assert _changes(edit) == {
        "Title": ("CRM slow", "CRM and telephony slow"),
        "Affected services": ("CRM", "CRM, Telephony platform"),
    }
    assert first.action == "Created"


@pytest.mark.parametrize(
    ("delta", "said"),
    [
        (timedelta(hours=5, minutes=52, seconds=37, microseconds=521556), "5 h 52 min"),
        (timedelta(days=2, hours=3, minutes=40), "2 d 3 h"),
        (timedelta(days=2, minutes=5), "2 d"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(minutes=3, seconds=20), "3 min 20 s"),
        (timedelta(seconds=40), "40 s"),
        (timedelta(0), "0 s"),
        (-timedelta(minutes=90), "−1 h 30 min"),
    ],
)
def test_durations_read_as_people_say_them(delta, said):
    assert duration_text(delta) == said


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("Headsets dropping calls", "Headsets dropping calls"),
        ("First line\nsecond line", "First line…"),
        ("word " * 30, ("word " * 15).strip() + "…"),
        ("x" * 100, "x" * 79 + "…"),
    ],
)
def test_long_texts_are_cut_at_a_word(text, short):
    assert shorten(text) == short


def test_times_show_in_the_active_time_zone_to_the_minute(world):
    record = _create(world)
    due = record.resolution_due
    with timezone.override(ZoneInfo("Asia/Kolkata")):
        record_change_status(record, target=Status.IN_PROGRESS, actor=world.lead)
        record_change_status(record, target=Status.ON_HOLD, actor=world.lead)
        held = record_history(record)[0]
    local = timezone.localtime(due, ZoneInfo("Asia/Kolkata"))
    assert _changes(held)["Resolution due"] == (local.strftime("%Y-%m-%d %H:%M"), "—")


def test_a_change_within_the_minute_shows_the_seconds(world):
    record = _create(world)
    first = record.occurred_at.replace(second=10, microsecond=0)
    record = interruption_update(
        record, actor=world.lead, changes={"occurred_at": first}, expected_version=1
    )
    interruption_update(
        record,
        actor=world.lead,
        changes={"occurred_at": first + timedelta(seconds=30)},
        expected_version=2,
    )
    old, new = _changes(record_history(record)[0])["Occurred at"]
    assert (old[-3:], new[-3:]) == (":10", ":40")


def test_choices_by_label_and_booleans_as_yes_or_no(world):
    record = _create(world)
    interruption_update(
        record,
        actor=world.lead,
        changes={"kind": "outage", "scheduled": True},
        expected_version=1,
    )
    changes = _changes(record_history(record)[0])
    assert changes["Kind"] == ("Incident", "Outage")
    assert changes["Scheduled"] == ("No", "Yes")


def test_a_recompute_version_without_its_services_changes_no_service(world):
    """Set-based recomputes once wrote their versions without the many-to-many rows."""
    record = _create(world)
    record = interruption_update(
        record,
        actor=world.lead,
        changes={},
        expected_version=1,
        affected_services=[world.service_a],
    )
    Interruption.objects.filter(pk=record.pk).update(
        resolution_due=record.resolution_due + timedelta(hours=2), version=3
    )
    record = Interruption.objects.get(pk=record.pk)
    Interruption.history.bulk_history_create(
        [record], update=True, default_change_reason="Due times recomputed: SLA policy changed"
    )
    interruption_update(
        record, actor=world.lead, changes={"title": "Later"}, expected_version=record.version
    )
    edited, recomputed, services, _created = record_history(record)
    assert set(_changes(recomputed)) == {"Resolution due"}
    assert set(_changes(edited)) == {"Title"}
    assert _changes(services) == {"Affected services": ("—", "CRM")}


def test_the_rows_of_a_record_have_their_history_among_its_own(world):
    report = FailureReportFactory(client=world.client_a)
    action = CorrectiveActionFactory(
        report=report, owner=world.lead, due_date=date(2026, 12, 10), action="Swap headsets"
    )
    with timezone.override(ZoneInfo("Europe/Dublin")):
        action.done_at = datetime(2026, 12, 1, 1, 18, 16, 456212, tzinfo=UTC)
        action.waived = False
        action.save()
        entries = record_history(report)
    done, added = (entry for entry in entries if entry.subject)
    assert (added.subject, added.action) == ("Corrective action 1", "Created")
    assert _changes(added) == {
        "Action": ("—", "Swap headsets"),
        "Owner": ("—", world.lead.get_full_name()),
        "Due date": ("—", "2026-12-10"),
        "Waived": ("—", "No"),
    }
    assert (done.subject, _changes(done)) == (
        "Corrective action 1",
        {"Done at": ("—", "2026-12-01 01:18")},
    )


def test_the_record_page_shows_values_as_people_read_them(world, client):
    record = _create(world)
    long_text = "The CRM froze for every agent on floor 2. " * 5 + "\n<b>Second</b> paragraph."
    record = interruption_update(
        record,
        actor=world.lead,
        changes={"description": long_text},
        expected_version=1,
    )
    record_change_status(record, target=Status.IN_PROGRESS, actor=world.lead)
    record_change_status(record, target=Status.ON_HOLD, actor=world.lead)
    client.force_login(world.lead)

    page = client.get(f"/interruptions/{record.reference}/").content.decode()
    history = page.split("Change history", 1)[1]

    assert "When <span" in history and "(UTC)" in history
    assert not re.search(r"\d\d:\d\d:\d\d", history)  # to the minute, no seconds
    assert "+00:00" not in history
    assert "<details" in history and "<summary>The CRM froze for every agent" in history
    assert "&lt;b&gt;Second&lt;/b&gt; paragraph." in history  # the whole text, one click away
    assert "<b>Second</b>" not in history
    assert world.lead.get_full_name() in history


def test_a_record_page_costs_the_same_however_many_rows_changed(world, client):
    def report_with(actions: int):
        report = FailureReportFactory(client=world.client_a)
        for number in range(actions):
            action = CorrectiveActionFactory(report=report, owner=world.lead)
            action.owner = world.agent
            action.done_at = timezone.now() - timedelta(minutes=number)
            action.save()
        return report

    few, many = report_with(1), report_with(6)
    client.force_login(world.lead)
    client.get(f"/failures/{few.reference}/")

    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/failures/{few.reference}/").status_code == 200
    with CaptureQueriesContext(connection) as large:
        page = client.get(f"/failures/{many.reference}/").content.decode()

    assert len(small.captured_queries) == len(large.captured_queries)
    assert page.count("Corrective action 6") == 2  # added, then done


def test_an_interruption_page_says_how_long_it_lasted(world, client):
    record = _create(world, occurred_at=timezone.now() - timedelta(hours=6))
    interruption_update(
        record,
        actor=world.lead,
        changes={"ended_at": record.occurred_at + timedelta(hours=5, minutes=52, seconds=37)},
        expected_version=1,
    )
    client.force_login(world.lead)

    page = client.get(f"/interruptions/{record.reference}/").content.decode()

    assert "(5 h 52 min)" in page
    assert "5:52:37" not in page


def test_counted_seconds_read_as_a_duration_and_codes_by_label(world):
    call = CallFactory(client=world.client_a, talk_seconds=300, wait_seconds=30)
    call.talk_seconds = 400
    call.wait_seconds = 3725
    call.disposition = DispositionFactory(code="callback", label="Callback promised")
    call.save()

    changes = _changes(record_history(call)[0])

    assert changes["Talk seconds"] == ("5 min", "6 min 40 s")
    assert changes["Wait seconds"] == ("30 s", "1 h 2 min")
    assert changes["Disposition code"][1] == "Callback promised"
