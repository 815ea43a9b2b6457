"""Writing checked calls: reference numbers, then the calls, a creation version of each and
a timeline entry each, straight to the driver (COPY on PostgreSQL) through core's BulkTable.

The rows were checked against the model's rules already, and Django's per-value
preparation in `bulk_create` would cost more than the whole import may take.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from django.utils import timezone

from apps.core.bulk_insert import BulkTable
from apps.core.choices import Severity, TimelineKind
from apps.core.models import ReferenceSequence, TimelineEntry
from apps.core.record_events import RecordEvent, announce
from apps.core.services.references import format_reference, reserve_reference_numbers

from ..models import Call

PREFIX = Call.reference_prefix
SEVERITY_LABELS = dict(Severity.choices)


class ReferenceNumbers:
    """Reference numbers for an import, taken in one short step before its transaction (so
    people logging calls meanwhile never wait for the import's lock on the sequence), for as
    many calls as the file can hold.

    The numbers the import did not use are given back afterwards, unless someone has taken a
    number since; then they are lost, which leaves a gap but never reuses a number. An import
    that dies before giving them back loses them too.
    """

    def __init__(self, year: int, count: int):
        self.year = year
        self.numbers = reserve_reference_numbers(PREFIX, year, count) if count else range(0)
        self.used = 0

    def take(self, count: int) -> list[str]:
        taken = self.numbers[self.used : self.used + count]
        if len(taken) < count:
            raise ValueError(f"the file holds more rows than the {len(self.numbers)} counted")
        self.used += count
        return [format_reference(PREFIX, self.year, number) for number in taken]

    def give_back(self, kept: int) -> None:
        """Release every number after the first `kept`, when no one has taken one since."""
        unused = len(self.numbers) - kept
        if unused <= 0:
            return
        ReferenceSequence.objects.filter(
            prefix=PREFIX, year=self.year, last_value=self.numbers[-1]
        ).update(last_value=F("last_value") - unused)


class CallWriter:
    """Writes batches of (line, checked row) as `actor`'s import of `filename`."""

    def __init__(self, *, actor, filename: str, references: ReferenceNumbers):
        self.actor_id = actor.pk
        self.source = f"Imported from {filename}"
        self.references = references
        self.calls = BulkTable(Call)
        self.versions = BulkTable(Call.history.model, with_pk=False)  # numbered by the table
        self.timeline = BulkTable(TimelineEntry, with_pk=False)
        self.content_type_id = ContentType.objects.get_for_model(Call).pk
        self.written = 0

    def write(self, batch: list[tuple[int, dict]]) -> None:
        # BulkTable talks to the driver: its errors are raised as Django's (IntegrityError…).
        with connection.wrap_database_errors:
            self._write(batch)

    def _write(self, batch: list[tuple[int, dict]]) -> None:
        now = timezone.now()
        rows = [row for _, row in batch]
        ids = self.calls.reserve_ids(len(rows))
        references = self.references.take(len(rows))
        for row, pk, reference in zip(rows, ids, references, strict=True):
            row.update(id=pk, reference=reference, created_at=now, updated_at=now, version=1)
        self.calls.insert(rows)
        self.versions.insert(
            row
            | {
                "history_date": now,
                "history_type": "+",
                "history_user_id": self.actor_id,
                "history_change_reason": f"{self.source}, line {line}",
            }
            for line, row in batch
        )
        self.timeline.insert(
            {
                "client_id": row["client_id"],
                "content_type_id": self.content_type_id,
                "object_id": row["id"],
                "kind": TimelineKind.CREATED.value,
                "actor_id": self.actor_id,
                "message": f"{self.source} (line {line}); "
                f"logged as {SEVERITY_LABELS[row['severity']]}.",
                "data": "{}",
                "created_at": now,
            }
            for line, row in batch
        )
        announce(
            RecordEvent(Call, row["id"], row["client_id"], TimelineKind.CREATED.value)
            for row in rows
        )
        self.written += len(rows)
