"""The one status workflow shared by every log: which move is allowed from where."""

from .choices import Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.ON_HOLD, Status.RESOLVED, Status.CANCELLED}),
    Status.ON_HOLD: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}


def allowed_targets(current: str) -> list[str]:
    """The statuses a record in `current` may move to, in workflow order."""
    targets = TRANSITIONS.get(current, frozenset())
    return [value for value in Status.values if value in targets]


def is_allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
