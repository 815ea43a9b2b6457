"""The demo batch of interruptions, each with the timeline and history the portal writes.

Every record's story is told the way the services would have recorded it: created, assigned,
moved along the workflow, edited, notes; one history version per change. Bulk volume for
benchmarks is in `demo_volume`.
"""

import copy
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from apps.core.choices import Severity, Status, TimelineKind
from apps.core.demo import DEMO_DAYS, DemoOrganisation, timestamps_as_given
from apps.core.models import TimelineEntry
from apps.core.services.references import format_reference, reserve_reference_numbers

from . import demo_text as text
from .demo_drafts import Draft, InterruptionDrafter, occurred_times
from .models import Interruption

DEMO_ROWS = 400
WINDOW = timedelta(days=DEMO_DAYS - 5)
# Rows per INSERT statement (SQLite caps this lower by itself: 999 parameters a statement).
INSERT_BATCH = 1000

# What a record looks like before anyone worked on it: these fields are filled by later steps.
EDITABLE_BLANKS = {
    "ended_at": None,
    "resolution": "",
    "root_cause_category": "",
    "root_cause_analysis": "",
    "corrective_actions": "",
}


def through_model():
    return Interruption.affected_services.through


def history_m2m_model():
    return apps.get_model("interruptions", "HistoricalInterruption_affected_services")


def demo_batch_exists(organisation: DemoOrganisation) -> bool:
    """Whether the demo clients have any interruptions yet.

    The demo batch goes in before anything else for them; once they have records it is not
    added again, so a second run neither doubles it nor touches what people logged since.
    """
    client_ids = [demo.client.pk for demo in organisation.clients]
    return Interruption.objects.filter(client_id__in=client_ids).exists()


def references_for(created: list[datetime]) -> list[str]:
    """A reference for each creation time: one block of numbers per year, in list order."""
    prefix = Interruption.reference_prefix
    references = []
    for year, group in groupby(created, key=lambda moment: moment.year):
        count = len(list(group))
        numbers = reserve_reference_numbers(prefix, year, count)
        references += [format_reference(prefix, year, number) for number in numbers]
    return references


@dataclass
class _Step:
    """One thing that happened to a record: a change (with history) or just a note."""

    at: datetime
    actor_id: int | None
    kind: str
    message: str
    changes: dict | None = None  # None: a timeline note, no new version
    reason: str = ""
    data: dict | None = None


def _status_step(
    at: datetime, actor_id, current: str, target: str, extra: dict, reason=""
) -> _Step:
    label = f"{Status(current).label} → {Status(target).label}"
    return _Step(
        at=at,
        actor_id=actor_id,
        kind=TimelineKind.STATUS,
        message=label + (f": {reason}" if reason else "."),
        changes={"status": target, **extra},
        reason=label,
        data={"from": current, "to": target},
    )


class _Storyteller:
    """Turns a draft into the steps the portal would have recorded for it."""

    def __init__(self, organisation: DemoOrganisation, rng: random.Random, now: datetime):
        self.rng = rng
        self.latest = now
        self.names = {
            user.pk: user.get_full_name() or user.get_username()
            for user in organisation.users.values()
        }
        self.team_names = {
            team.pk: team.name for demo in organisation.clients for team in demo.teams.values()
        }

    def initial_values(self, draft: Draft) -> dict:
        values = dict(draft.values)
        values.update(
            status=Status.NEW,
            resolved_at=None,
            closed_at=None,
            cancel_reason="",
            version=1,
            updated_at=values["created_at"],
        )
        if "assigned" in draft.moments:
            values.update(assignee_id=None, team_id=None)
        if draft.edited_fields:
            values.update({name: EDITABLE_BLANKS[name] for name in draft.edited_fields})
        return values

    def steps(self, draft: Draft) -> list[_Step]:
        values, moments = draft.values, draft.moments
        assignee = values.get("assignee_id")
        worker = assignee or values["reported_by_id"]
        severity = Severity(values["severity"]).label
        created = _Step(
            moments["created"],
            values["reported_by_id"],
            TimelineKind.CREATED,
            f"Logged as {severity}.",
        )
        steps = [created]
        if "assigned" in moments:
            message = (
                f"Assigned to {self.names[assignee]} "
                f"and to team {self.team_names[values['team_id']]}."
            )
            steps.append(
                _Step(
                    moments["assigned"],
                    draft.assigned_by,
                    TimelineKind.ASSIGNMENT,
                    message,
                    changes={"assignee_id": assignee, "team_id": values["team_id"]},
                    reason=message,
                )
            )
        current = Status.NEW
        for target in draft.status_path:
            if target == Status.RESOLVED and draft.edited_fields:
                steps.append(self._edit_step(draft, worker))
            extra, reason, actor = {}, "", worker
            if target == Status.RESOLVED:
                extra = {"resolved_at": values["resolved_at"]}
            elif target == Status.CLOSED:
                extra, actor = {"closed_at": values["closed_at"]}, draft.assigned_by or worker
            elif target == Status.CANCELLED:
                reason = values["cancel_reason"]
                extra, actor = {"cancel_reason": reason}, draft.assigned_by or worker
            steps.append(_status_step(moments[target], actor, current, target, extra, reason))
            current = target
        if draft.edited_fields and Status.RESOLVED not in draft.status_path:
            steps.append(self._edit_step(draft, worker))
        steps.sort(key=lambda step: step.at)
        steps.extend(self._notes(draft, steps, worker))
        return steps

    def _edit_step(self, draft: Draft, actor_id: int) -> _Step:
        labels = [
            str(Interruption._meta.get_field(name).verbose_name) for name in draft.edited_fields
        ]
        return _Step(
            draft.moments["edited"],
            actor_id,
            TimelineKind.EDIT,
            "Changed " + ", ".join(labels) + ".",
            changes={name: draft.values[name] for name in draft.edited_fields},
            reason="Edited: " + ", ".join(labels),
            data={"fields": sorted(draft.edited_fields)},
        )

    def _notes(self, draft: Draft, steps: list[_Step], actor_id: int) -> list[_Step]:
        rng = self.rng
        start = steps[0].at
        closed = draft.values["status"] in (Status.CLOSED, Status.CANCELLED)
        end = steps[-1].at if closed else self.latest
        notes = []
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            at = start + (end - start) * rng.random()
            message = rng.choice(text.NOTES).format(site=rng.choice(text.SITES))
            notes.append(_Step(at, actor_id, TimelineKind.NOTE, message))
        return notes


def seed_demo_interruptions(
    organisation: DemoOrganisation, *, count: int = DEMO_ROWS, rng: random.Random, now: datetime
) -> int:
    """Add the demo batch (`count` records over the last six months), unless it is there already.

    Returns how many records were created.
    """
    if count <= 0 or demo_batch_exists(organisation):
        return 0
    drafter = InterruptionDrafter(organisation, rng=rng, now=now)
    times = occurred_times(rng, count, start=now - WINDOW, end=now - timedelta(minutes=10))
    drafts = [drafter.draft(moment) for moment in times]
    teller = _Storyteller(organisation, rng, now)
    users = {user.pk: user for user in organisation.users.values()}
    with transaction.atomic(), timestamps_as_given(Interruption, TimelineEntry):
        records = [Interruption(**teller.initial_values(draft)) for draft in drafts]
        references = references_for([record.created_at for record in records])
        for record, reference in zip(records, references, strict=True):
            record.reference = reference
        for record in records:
            record._history_user = users[record.reported_by_id]
            record._history_date = record.created_at
        bulk_create_with_history(
            records, Interruption, batch_size=INSERT_BATCH, default_user=organisation.admin
        )
        through_rows = _link_services(records, drafts)
        stories = [teller.steps(draft) for draft in drafts]
        history_rows = _history_versions(records, stories, users, organisation)
        _history_services(history_rows, through_rows)
        _apply_final_states(records, drafts)
        _write_timelines(records, stories)
    return len(records)


def _link_services(records: list[Interruption], drafts) -> list:
    through = through_model()
    rows = [
        through(interruption_id=record.pk, service_id=service_id)
        for record, draft in zip(records, drafts, strict=True)
        for service_id in draft.service_ids
    ]
    return through.objects.bulk_create(rows, batch_size=INSERT_BATCH)


def _history_versions(records, stories, users, organisation) -> list:
    """Every version after creation: one history row per change, as the portal saves them."""
    versions = []
    for record, steps in zip(records, stories, strict=True):
        snapshot = record
        for step in steps:
            if step.changes is None:
                continue
            snapshot = copy.copy(snapshot)
            for name, value in step.changes.items():
                setattr(snapshot, name, value)
            snapshot.version += 1
            snapshot.updated_at = step.at
            snapshot._history_date = step.at
            snapshot._history_user = users.get(step.actor_id)
            snapshot._change_reason = step.reason
            versions.append(snapshot)
    Interruption.history.bulk_history_create(
        versions, update=True, default_user=organisation.admin, batch_size=INSERT_BATCH
    )
    pks = [record.pk for record in records]
    return list(Interruption.history.filter(id__in=pks).only("history_id", "id"))


def _history_services(history_rows, through_rows) -> None:
    """Which services each version listed: the same set all along for demo records."""
    by_record: dict[int, list] = {}
    for row in through_rows:
        by_record.setdefault(row.interruption_id, []).append(row)
    model = history_m2m_model()
    model.objects.bulk_create(
        [
            model(
                id=row.pk,
                history_id=version.history_id,
                interruption_id=row.interruption_id,
                service_id=row.service_id,
            )
            for version in history_rows
            for row in by_record.get(version.id, ())
        ],
        batch_size=INSERT_BATCH,
    )


FINAL_FIELDS = (
    "status",
    "assignee",
    "team",
    "resolved_at",
    "closed_at",
    "cancel_reason",
    *EDITABLE_BLANKS,
    "version",
    "updated_at",
)


def _apply_final_states(records: list[Interruption], drafts: list[Draft]) -> None:
    for record, draft in zip(records, drafts, strict=True):
        for name in FINAL_FIELDS:
            attname = Interruption._meta.get_field(name).attname
            setattr(record, attname, draft.values.get(attname, Interruption.blank_value(name)))
    Interruption.objects.bulk_update(records, FINAL_FIELDS, batch_size=100)


def _write_timelines(records: list[Interruption], stories: list[list[_Step]]) -> None:
    content_type = ContentType.objects.get_for_model(Interruption)
    entries = [
        TimelineEntry(
            client_id=record.client_id,
            content_type=content_type,
            object_id=record.pk,
            kind=step.kind,
            actor_id=step.actor_id,
            message=step.message,
            data=step.data or {},
            created_at=step.at,
        )
        for record, steps in zip(records, stories, strict=True)
        for step in sorted(steps, key=lambda step: step.at)
    ]
    TimelineEntry.objects.bulk_create(entries, batch_size=INSERT_BATCH)
