"""What happens to records, passed to whoever listens, inside the transaction of the change.

The portal writes what happens to a record on its timeline; the timeline's writers pass each
entry here, and so do the writers that set a breach stamp without a timeline entry of its own
(a record saved after its due time). A listener (the outgoing webhooks) therefore sees every
creation, status change, tier move and breach once, and whatever it writes commits or rolls
back with the change itself.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class RecordEvent:
    """One event on one record: `kind` is a `TimelineKind` value, `data` its timeline data."""

    model: type[models.Model]
    pk: int
    client_id: int
    kind: str
    data: dict = field(default_factory=dict)


Listener = Callable[[list[RecordEvent]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Call `listener` with every batch of events from now on (once, however often asked)."""
    if listener not in _listeners:
        _listeners.append(listener)


def announce(events: Iterable[RecordEvent]) -> None:
    """Pass `events` to every listener, in the caller's transaction."""
    batch = list(events)
    if not batch:
        return
    for listener in _listeners:
        listener(batch)


def event_of(record, kind: str, data: dict | None = None) -> RecordEvent:
    return RecordEvent(type(record), record.pk, record.client_id, str(kind), data or {})
