"""Reading a record's change history (django-simple-history) as who / when / old → new.

Values read as people talk: times in the active time zone to the minute, durations as
"5 h 52 min", choices by their label, yes/no, people by full name, records by reference.
The versions of the record's own rows (corrective actions, interactions, quality audits…)
are read the same way and shown among the record's.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from .humanize import duration_text, person_name

HIDDEN_FIELDS = {"version", "updated_at", "created_at"}
AUTOMATIC = "Portal (automatic)"
EMPTY = "—"
# Due-time recomputes change due times only: whatever many-to-many rows their versions lack
# (set-based writes copy the row alone), the record's related rows stayed as they were.
RECOMPUTE_PREFIX = "Due times recomputed"
# Whole numbers that count time, by the unit their field name ends with.
DURATION_UNITS = {"_seconds": "seconds", "_minutes": "minutes", "_hours": "hours"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    subject: str = ""  # which of the record's own rows changed ("Corrective action 2")


@dataclass
class _Change:
    field: str
    old: object
    new: object


def moment_text(value: datetime, *, seconds: bool = False) -> str:
    """A date and time in the active time zone, to the minute (or the second)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def shorten(text: str, limit: int = 80) -> str:
    """The first line of `text`, cut at a word before `limit` characters, with "…" if cut."""
    first_line = text.strip().split("\n", 1)[0].rstrip()
    if len(first_line) <= limit and first_line == text.strip():
        return first_line
    if len(first_line) > limit:
        cut = first_line[: limit - 1]
        space = cut.rfind(" ")
        first_line = cut[:space] if space > limit // 2 else cut
    return first_line.rstrip(" ,.;:") + "…"


def related_name(obj) -> str:
    """A related row by what people call it: a person's name, a record's reference."""
    if isinstance(obj, get_user_model()):
        return person_name(obj)
    reference = getattr(obj, "reference", None)
    return reference if isinstance(reference, str) and reference else str(obj)


def _duration_unit(model_field) -> str | None:
    if not isinstance(model_field, models.IntegerField) or model_field.choices:
        return None
    for suffix, unit in DURATION_UNITS.items():
        if model_field.name.endswith(suffix):
            return unit
    return None


def _display(model_field, value, names: dict, *, seconds: bool = False, empty=EMPTY) -> str:
    if value is None or value == "" or value == []:
        return empty
    if isinstance(value, list) and model_field.many_to_many:
        known = names.get(model_field.name, {})
        return ", ".join(sorted(known.get(pk, f"#{pk}") for pk in value))
    if model_field.is_relation:
        return names.get(model_field.name, {}).get(value, f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return moment_text(value, seconds=seconds)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if seconds or value.second else "%H:%M")
    if isinstance(value, timedelta):
        return duration_text(value)
    unit = _duration_unit(model_field)
    if unit and isinstance(value, int):
        return duration_text(timedelta(**{unit: value}))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _field_change(
    model, change: _Change, names: dict, *, exact: bool = False, empty: str = EMPTY
) -> FieldChange:
    """The change as people read it; `exact` gives times to the second, `empty` stands for
    no value."""
    model_field = model._meta.get_field(change.field)
    old = _display(model_field, change.old, names, seconds=exact, empty=empty)
    new = _display(model_field, change.new, names, seconds=exact, empty=empty)
    if old == new and change.old != change.new:  # a change within the minute: say it
        old = _display(model_field, change.old, names, seconds=True, empty=empty)
        new = _display(model_field, change.new, names, seconds=True, empty=empty)
    label = str(model_field.verbose_name)
    return FieldChange(label[:1].upper() + label[1:], old, new)


def _related_names(model, changes_per_version: list[list[_Change]]) -> dict[str, dict]:
    """One query per related field: the names of every id the changes mention."""
    wanted: dict[str, set] = {}
    for changes in changes_per_version:
        for change in changes:
            if not model._meta.get_field(change.field).is_relation:
                continue
            for value in (change.old, change.new):
                if isinstance(value, list):
                    wanted.setdefault(change.field, set()).update(value)
                elif value is not None:
                    wanted.setdefault(change.field, set()).add(value)
    names = {}
    for name, ids in wanted.items():
        related = model._meta.get_field(name).related_model
        names[name] = {
            obj.pk: related_name(obj) for obj in related._default_manager.filter(pk__in=ids)
        }
    return names


def _m2m_ids_per_version(versions: list) -> dict[str, dict[int, list]]:
    """For each tracked many-to-many field, version pk → related ids; one query per field,
    whatever the number of rows the versions belong to.

    A due-time recompute's version takes them from the same row's version before it.
    """
    result: dict[str, dict[int, list]] = {}
    if not versions:
        return result
    row_of = versions[0].instance_type._meta.pk.attname
    for m2m_field in getattr(versions[0], "_history_m2m_fields", []):
        through = getattr(versions[0], m2m_field.name).model
        target = m2m_field.m2m_reverse_field_name()
        ids: dict[int, list] = {version.pk: [] for version in versions}
        rows = through.objects.filter(history__in=[v.pk for v in versions]).values_list(
            "history_id", f"{target}_id"
        )
        for history_id, related_id in rows:
            ids[history_id].append(related_id)
        before: dict = {}  # row → its version seen last
        for version in versions:
            row = getattr(version, row_of)
            older = before.get(row)
            if older is not None and (version.history_change_reason or "").startswith(
                RECOMPUTE_PREFIX
            ):
                ids[version.pk] = ids[older.pk]
            before[row] = version
        result[m2m_field.name] = ids
    return result


def _version_changes(versions: list, hidden: set[str], m2m: dict) -> list[list[_Change]]:
    """What each version of one row changed compared with the one before it (none for the
    first); `m2m` is `_m2m_ids_per_version` of these versions (or of more)."""
    per_version: list[list[_Change]] = [[]]
    for older, newer in zip(versions, versions[1:], strict=False):
        delta = newer.diff_against(older, excluded_fields=[*hidden, *m2m])
        changes = [_Change(change.field, change.old, change.new) for change in delta.changes]
        for name, ids in m2m.items():
            if sorted(ids[older.pk]) != sorted(ids[newer.pk]):
                changes.append(_Change(name, ids[older.pk], ids[newer.pk]))
        per_version.append(changes)
    return per_version


def _first_values(version, hidden: set[str]) -> list[_Change]:
    """A new row's filled-in fields, as changes from nothing."""
    changes = []
    for tracked in version.instance_type._meta.concrete_fields:
        if tracked.name in hidden or tracked.primary_key:
            continue
        value = getattr(version, tracked.attname)
        if value is None or value == "":
            continue
        changes.append(_Change(tracked.name, None, value))
    return changes


def version_author(version) -> str:
    """Who saved `version`: a person's name, or the portal for automatic changes."""
    user = version.history_user
    return person_name(user) if user else AUTOMATIC


def changes_by_version(
    model, versions: list, hidden: set[str], *, first_values: bool
) -> dict[int, list[_Change]]:
    """Version pk → what it changed, for `versions` of one or more rows of `model` (each
    row's oldest first). A row's first version lists its filled-in fields when
    `first_values`, nothing otherwise. One query per many-to-many field."""
    per_row: dict[int, list] = {}
    for version in versions:
        per_row.setdefault(getattr(version, model._meta.pk.attname), []).append(version)
    m2m = _m2m_ids_per_version(versions)
    changes_of: dict[int, list[_Change]] = {}
    for row_versions in per_row.values():
        for version, changes in zip(
            row_versions, _version_changes(row_versions, hidden, m2m), strict=True
        ):
            if first_values and version.history_type == "+":
                changes = _first_values(version, hidden) + [
                    _Change(name, [], ids[version.pk])
                    for name, ids in m2m.items()
                    if ids[version.pk] and name not in hidden
                ]
            changes_of[version.pk] = changes
    return changes_of


def _entries(model, versions: list, hidden: set[str], subjects: dict | None = None) -> list:
    """History entries of `versions` (of one or more rows of `model`, oldest first)."""
    changes_of = changes_by_version(model, versions, hidden, first_values=subjects is not None)
    names = _related_names(model, list(changes_of.values()))
    entries = []
    for version in versions:
        row = getattr(version, model._meta.pk.attname)
        entries.append(
            HistoryEntry(
                when=version.history_date,
                who=version_author(version),
                action=version.get_history_type_display(),
                reason=version.history_change_reason or "",
                changes=[_field_change(model, c, names) for c in changes_of[version.pk]],
                subject=subjects[row] if subjects is not None else "",
            )
        )
    return entries


def _own_rows(model) -> list:
    """Reverse relations to rows that belong to a record and keep their own history."""
    from .models import LogRecord

    return [
        relation
        for relation in model._meta.related_objects
        if (relation.one_to_many or relation.one_to_one)
        and hasattr(relation.related_model, "history")
        and not issubclass(relation.related_model, LogRecord)
    ]


def _own_row_entries(record) -> list[HistoryEntry]:
    """The versions of the record's own rows, one query per kind of row (plus names)."""
    entries = []
    for relation in _own_rows(type(record)):
        child = relation.related_model
        parent_field = relation.field
        versions = list(
            child.history.filter(**{parent_field.attname: record.pk})
            .select_related("history_user")
            .order_by("history_date", "pk")
        )
        label = str(child._meta.verbose_name)
        subjects: dict = {}
        for version in versions:
            row = getattr(version, child._meta.pk.attname)
            if row not in subjects:
                subjects[row] = f"{label[:1].upper()}{label[1:]} {len(subjects) + 1}"
        hidden = {*HIDDEN_FIELDS, parent_field.name}
        entries.extend(_entries(child, versions, hidden, subjects))
    return entries


def record_history(record: models.Model) -> list[HistoryEntry]:
    """Every saved version of `record` and of its own rows, newest first, with what each
    one changed. A fixed number of queries whatever the number of versions.
    """
    model = type(record)
    versions = list(record.history.select_related("history_user").order_by("history_date", "pk"))
    entries = _entries(model, versions, HIDDEN_FIELDS) + _own_row_entries(record)
    entries.sort(key=lambda entry: entry.when)  # stable: each source is in order already
    entries.reverse()
    return entries
