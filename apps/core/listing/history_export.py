"""The change history of a list's filtered records as CSV: one row per changed field per
version (who, when, old value, new value, reason), streamed.

Records are read in batches, by id (keyset over the filtered queryset), and each batch's
versions, those of the records' own rows (corrective actions, interactions, quality
audits…) and the names they mention come in a fixed number of queries, whatever the number
of records or versions. A record's first version lists the values it was created with, so
replaying the rows from nothing gives each field's value after every version.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from config.routers import on_replica

from ..history import (
    HIDDEN_FIELDS,
    _field_change,
    _own_rows,
    _related_names,
    changes_by_version,
    moment_text,
    version_author,
)
from .exports import _LineBuffer, neutralised

HEADERS = [
    "Reference",
    "Kind",
    "Version date",
    "Who",
    "Field",
    "Old value",
    "New value",
    "Reason",
]
# Records per batch: their versions (tens each) are held in memory at once, no more.
BATCH_RECORDS = 200
# Field name, shown value → what the requester may see of it.
Mask = Callable[[str, str], str]


def unmasked(field: str, value: str) -> str:
    return value


@dataclass(frozen=True)
class HistoryRow:
    reference: str
    kind: str
    when: str
    who: str
    field: str
    old: str
    new: str
    reason: str

    @property
    def cells(self) -> list[str]:
        return [
            self.reference,
            self.kind,
            self.when,
            self.who,
            self.field,
            self.old,
            self.new,
            self.reason,
        ]


@dataclass
class _Version:
    record_id: int
    when: object
    rows: list[HistoryRow]


def _version_rows(model, versions: list, hidden: set[str], of_version: dict, mask: Mask):
    """The rows of each of `versions` of `model`'s rows (each row's oldest first).
    `of_version[version pk]` is (record id, its reference, what the row is called when it is
    one of the record's own rows, or "")."""
    changes_of = changes_by_version(model, versions, hidden, first_values=True)
    names = _related_names(model, list(changes_of.values()))
    for version in versions:
        record_id, reference, subject = of_version[version.pk]
        kind = version.get_history_type_display()
        when = moment_text(version.history_date, seconds=True)
        who = version_author(version)
        reason = version.history_change_reason or ""
        rows = []
        for change in changes_of[version.pk]:
            shown = _field_change(model, change, names, exact=True, empty="")
            label = f"{subject}: {shown.label}" if subject else shown.label
            old = mask(change.field, shown.old) if not subject else shown.old
            new = mask(change.field, shown.new) if not subject else shown.new
            rows.append(HistoryRow(reference, kind, when, who, label, old, new, reason))
        yield _Version(record_id, version.history_date, rows)


def _record_versions(model, references: dict[int, str], mask: Mask) -> list[_Version]:
    row_id = model._meta.pk.attname
    versions = list(
        on_replica(model.history.filter(**{f"{row_id}__in": list(references)}))
        .select_related("history_user")
        .order_by(row_id, "history_date", "history_id")
    )
    of_version = {
        version.pk: (getattr(version, row_id), references[getattr(version, row_id)], "")
        for version in versions
    }
    return list(_version_rows(model, versions, HIDDEN_FIELDS, of_version, mask))


def _own_row_versions(model, references: dict[int, str]) -> list[_Version]:
    """The versions of the batch's records' own rows, one query per kind of row."""
    found = []
    for relation in _own_rows(model):
        child = relation.related_model
        parent = relation.field.attname
        row_id = child._meta.pk.attname
        versions = list(
            on_replica(child.history.filter(**{f"{parent}__in": list(references)}))
            .select_related("history_user")
            .order_by(parent, "history_date", "history_id")
        )
        label = str(child._meta.verbose_name)
        label = label[:1].upper() + label[1:]
        numbers: dict[int, dict[int, int]] = {}  # record → its row → its number
        of_version = {}
        for version in versions:
            record_id = getattr(version, parent)
            rows = numbers.setdefault(record_id, {})
            number = rows.setdefault(getattr(version, row_id), len(rows) + 1)
            of_version[version.pk] = (record_id, references[record_id], f"{label} {number}")
        # Each row's versions together, oldest first, as the diff wants them.
        versions.sort(key=lambda version: (getattr(version, row_id), version.history_date))
        hidden = {*HIDDEN_FIELDS, relation.field.name}
        found += _version_rows(child, versions, hidden, of_version, unmasked)
    return found


def history_rows(
    records: QuerySet,
    *,
    mask: Mask = unmasked,
    batch_size: int = BATCH_RECORDS,
    on_records: Callable[[int], None] | None = None,
) -> Iterator[HistoryRow]:
    """The rows of the history of `records`, record by record (by id), each record's
    versions (and its own rows') oldest first. `mask(field, value)` turns a value of the
    record's own fields into what the reader may see; `on_records(n)` is told after each
    batch how many records have been written so far."""
    model = records.model
    ids = on_replica(records).order_by("pk").values_list("pk", "reference")
    last, done = None, 0
    while True:
        page = ids if last is None else ids.filter(pk__gt=last)
        batch = dict(page[:batch_size])
        if not batch:
            return
        last = max(batch)
        versions = _record_versions(model, batch, mask) + _own_row_versions(model, batch)
        # Stable: a record's own versions come before its rows' of the same moment.
        versions.sort(key=lambda version: (version.record_id, version.when))
        for version in versions:
            yield from version.rows
        done += len(batch)
        if on_records is not None:
            on_records(done)


def history_csv_lines(records: QuerySet, **options) -> Iterator[str]:
    """The CSV, line by line: a byte-order mark (so spreadsheets read UTF-8), the headers,
    then `history_rows(records, **options)`."""
    writer = csv.writer(_LineBuffer())
    yield "\ufeff" + writer.writerow(HEADERS)
    for row in history_rows(records, **options):
        yield writer.writerow([neutralised(cell) for cell in row.cells])
