"""Reading a record's change history (django-simple-history) as who / when / old → new."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models

HIDDEN_FIELDS = {"version", "updated_at", "created_at"}


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


@dataclass
class _Change:
    field: str
    old: object
    new: object


def _display(model, name: str, value, related_names: dict) -> str:
    if value in (None, "", []):
        return "—"
    model_field = model._meta.get_field(name)
    if isinstance(value, list):  # many-to-many: ids of the related rows
        names = related_names.get(name, {})
        return ", ".join(sorted(names.get(pk, f"#{pk}") for pk in value))
    if model_field.is_relation:
        return related_names.get(name, {}).get(value, f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


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
        names[name] = {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=ids)}
    return names


def _m2m_ids_per_version(model, versions: list) -> dict[str, dict[int, list]]:
    """For each tracked many-to-many field, version pk → related ids; one query per field."""
    result: dict[str, dict[int, list]] = {}
    if not versions:
        return result
    for m2m_field in versions[0]._history_m2m_fields:
        through = getattr(versions[0], m2m_field.name).model
        target = m2m_field.m2m_reverse_field_name()
        ids: dict[int, list] = {version.pk: [] for version in versions}
        rows = through.objects.filter(history__in=[v.pk for v in versions]).values_list(
            "history_id", f"{target}_id"
        )
        for history_id, related_id in rows:
            ids[history_id].append(related_id)
        result[m2m_field.name] = ids
    return result


def _version_changes(model, versions: list) -> list[list[_Change]]:
    """What each version changed compared with the one before it (none for the first)."""
    m2m = _m2m_ids_per_version(model, versions)
    per_version: list[list[_Change]] = [[]]
    for older, newer in zip(versions, versions[1:], strict=False):
        delta = newer.diff_against(older, excluded_fields=[*HIDDEN_FIELDS, *m2m])
        changes = [_Change(change.field, change.old, change.new) for change in delta.changes]
        for name, ids in m2m.items():
            if sorted(ids[older.pk]) != sorted(ids[newer.pk]):
                changes.append(_Change(name, ids[older.pk], ids[newer.pk]))
        per_version.append(changes)
    return per_version


def record_history(record: models.Model) -> list[HistoryEntry]:
    """Every saved version of `record`, newest first, with the fields each one changed.

    A fixed number of queries whatever the number of versions.
    """
    versions = list(record.history.select_related("history_user").order_by("history_date", "pk"))
    model = type(record)
    changes_per_version = _version_changes(model, versions)
    names = _related_names(model, changes_per_version)
    entries = []
    for version, changes in zip(versions, changes_per_version, strict=True):
        user = version.history_user
        entry = HistoryEntry(
            when=version.history_date,
            who=(user.get_full_name() or user.username) if user else "Portal (automatic)",
            action=version.get_history_type_display(),
            reason=version.history_change_reason or "",
        )
        for change in changes:
            label = str(model._meta.get_field(change.field).verbose_name)
            entry.changes.append(
                FieldChange(
                    label.capitalize(),
                    _display(model, change.field, change.old, names),
                    _display(model, change.field, change.new, names),
                )
            )
        entries.append(entry)
    entries.reverse()
    return entries
