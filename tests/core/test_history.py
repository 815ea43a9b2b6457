"""A record's change history read back as who / when / old → new."""

from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from apps.core.choices import Status
from apps.core.history import FieldChange, record_history
from apps.core.services.records import (
    record_assign,
    record_change_status,
    records_bulk_assign,
    records_bulk_change_status,
)
from apps.interruptions.models import Interruption
from apps.interruptions.services import interruption_create, interruption_update
from tests.factories import ClientAssignmentFactory, UserFactory

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
        "Assignee": ("—", "agent"),
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
    assert _changes(assigned) == {"Assignee": ("—", "temp")}


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
    assert _changes(newest) == {"Assignee": ("—", "lead")}


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
        assert _changes(assigned) == {"Assignee": ("—", "agent")}
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
            FieldChange("Resolution due", "—", str(resumed_due)),
            FieldChange("Status", "On hold", "In progress"),
        ],
        [
            FieldChange("Resolution due", str(record.resolution_due), "—"),
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
