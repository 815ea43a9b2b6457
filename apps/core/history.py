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


def _display(model, name: str, value, related_names: dict) -> str:
    if value in (None, ""):
        return "—"
    model_field = model._meta.get_field(name)
    if isinstance(value, list):  # many-to-many rows
        ids = [row.get(model_field.m2m_reverse_field_name()) for row in value]
        names = related_names.get(name, {})
        return ", ".join(names.get(pk, f"#{pk}") for pk in ids) or "—"
    if model_field.is_relation:
        return related_names.get(name, {}).get(value, f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def _related_names(model, diffs) -> dict[str, dict]:
    """One query per related field: the names of every id the diffs mention."""
    wanted: dict[str, set] = {}
    for diff in diffs:
        for change in diff.changes:
            model_field = model._meta.get_field(change.field)
            if not model_field.is_relation:
                continue
            for value in (change.old, change.new):
                if isinstance(value, list):
                    key = model_field.m2m_reverse_field_name()
                    wanted.setdefault(change.field, set()).update(row.get(key) for row in value)
                elif value is not None:
                    wanted.setdefault(change.field, set()).add(value)
    names = {}
    for name, ids in wanted.items():
        related = model._meta.get_field(name).related_model
        names[name] = {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=ids)}
    return names


def record_history(record: models.Model) -> list[HistoryEntry]:
    """Every saved version of `record`, newest first, with the fields each one changed."""
    versions = list(record.history.select_related("history_user").order_by("history_date", "pk"))
    model = type(record)
    diffs = [
        newer.diff_against(older) for older, newer in zip(versions, versions[1:], strict=False)
    ]
    names = _related_names(model, diffs)
    entries = []
    for index, version in enumerate(versions):
        user = version.history_user
        entry = HistoryEntry(
            when=version.history_date,
            who=(user.get_full_name() or user.username) if user else "Portal (automatic)",
            action=version.get_history_type_display(),
            reason=version.history_change_reason or "",
        )
        if index:
            for change in diffs[index - 1].changes:
                if change.field in HIDDEN_FIELDS:
                    continue
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
