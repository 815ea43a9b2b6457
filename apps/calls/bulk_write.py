"""Writing many calls at once, as the services would have left them, for demo data and
benchmark volume: numbered, each with its creation version and its timeline entries.

Straight to the driver (COPY on PostgreSQL) through core's BulkTable; the rows must already
hold to the model's rules. Use inside `transaction.atomic()`.
"""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.core.bulk_insert import BulkTable
from apps.core.choices import Severity, Status, TimelineKind
from apps.core.models import TimelineEntry
from apps.core.services.references import format_reference, reserve_reference_numbers
from apps.core.targets import default_resolution_due

from .models import Call
from .services import with_durations

SEVERITY_LABELS = dict(Severity.choices)
CLOSED_WHEN_LOGGED = "Closed when logged: dealt with on the call."


def insert_calls(
    rows: list[dict],
    *,
    year: int,
    history_reason: str = "",
    timeline: bool = True,
    history: bool = True,
) -> None:
    """Give `rows` (attribute name → value) references and ids and insert them, and unless
    told otherwise a "+" version each by their reporter and their timeline entries."""
    if not rows:
        return
    calls, versions = BulkTable(Call), BulkTable(Call.history.model)
    numbers = reserve_reference_numbers(Call.reference_prefix, year, len(rows))
    for row, number, pk in zip(rows, numbers, calls.reserve_ids(len(rows)), strict=True):
        row.update(id=pk, reference=format_reference(Call.reference_prefix, year, number))
        row.setdefault("external_call_id", f"VOL-{row['reference']}")
    calls.insert(rows)
    if history:
        _insert_versions(versions, rows, history_reason)
    if timeline:
        BulkTable(TimelineEntry, with_pk=False).insert(_timeline(rows))


def _insert_versions(versions: BulkTable, rows: list[dict], history_reason: str) -> None:
    versions.insert(
        row
        | {
            "history_id": history_id,
            "history_date": row["created_at"],
            "history_type": "+",
            "history_user_id": row["reported_by_id"],
            "history_change_reason": history_reason,
        }
        for row, history_id in zip(rows, versions.reserve_ids(len(rows)), strict=True)
    )


def _timeline(rows: list[dict]):
    content_type_id = ContentType.objects.get_for_model(Call).pk
    for row in rows:
        common = {
            "client_id": row["client_id"],
            "content_type_id": content_type_id,
            "object_id": row["id"],
            "actor_id": row["reported_by_id"],
            "data": "{}",
            "created_at": row["created_at"],
        }
        yield common | {
            "kind": TimelineKind.CREATED.value,
            "message": f"Logged as {SEVERITY_LABELS[row['severity']]}.",
        }
        if row["status"] == Status.CLOSED:
            yield common | {"kind": TimelineKind.STATUS.value, "message": CLOSED_WHEN_LOGGED}


def row_of(values: dict, *, close_now: bool, now: datetime | None = None) -> dict:
    """What `call_create(values=…, close_now=…)` by the agent would store, as a row."""
    values = with_durations(values)
    row = {}
    for name, value in values.items():
        field = Call._meta.get_field(name)
        if field.is_relation:
            row[field.attname] = value.pk if value is not None else None
        else:
            row[name] = value.value if hasattr(value, "value") else value
    logged = values.get("ended_at") or values["occurred_at"]
    row.update(
        reported_by_id=row["assignee_id"],
        status=Status.CLOSED.value if close_now else Status.NEW.value,
        resolution_due=default_resolution_due(row["severity"], row["occurred_at"]),
        created_at=min(logged, now or timezone.now()),
        updated_at=min(logged, now or timezone.now()),
        version=1,
    )
    if close_now:
        row["resolved_at"] = row["closed_at"] = logged
    return row


def insert_demo_calls(entered: list[tuple[dict, bool]], *, now: datetime) -> None:
    """Calls as their agents entered them (values, closed at once?), written in bulk."""
    insert_calls(
        [row_of(values, close_now=close, now=now) for values, close in entered], year=now.year
    )
