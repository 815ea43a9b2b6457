"""What availability measures: which kinds of interruption each measure merges, and which
records count at all (domain.md, "Figures and reports")."""

from apps.core.choices import Status
from apps.interruptions.models import InterruptionKind

DOWN, DEGRADED, MAINTENANCE = "down", "degraded", "maintenance"
# The kinds whose intervals each measure merges.
KINDS: dict[str, tuple[str, ...]] = {
    DOWN: (
        InterruptionKind.OUTAGE,
        InterruptionKind.INCIDENT,
        InterruptionKind.COMMUNICATION,
        InterruptionKind.THIRD_PARTY,
        InterruptionKind.ERROR,
    ),
    DEGRADED: (InterruptionKind.DEGRADATION,),
    MAINTENANCE: (InterruptionKind.MAINTENANCE,),
}
COUNTED_STATUSES = tuple(status for status in Status.values if status != Status.CANCELLED)
OVERALL = 0  # the service key of the client as a whole


def measure_case(column: str) -> str:
    """SQL naming the measure of the kind in `column` (NULL for none); values are inlined,
    as they are fixed choices, so trigger-free statements and migrations share it."""
    parts = [
        f"WHEN {column} IN ({', '.join(repr(str(kind)) for kind in kinds)}) THEN '{measure}'"
        for measure, kinds in KINDS.items()
    ]
    return f"CASE {' '.join(parts)} END"


def counted(column: str) -> str:
    return f"{column} IN ({', '.join(repr(str(status)) for status in COUNTED_STATUSES)})"
