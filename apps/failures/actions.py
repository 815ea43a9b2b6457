"""The states of a corrective action, each one condition, shared by the failure list's filter
and the root-cause report's counts."""

from datetime import date

from django.db.models import Q

OPEN, OVERDUE, DONE, WAIVED = "open", "overdue", "done", "waived"
ACTION_STATES = [
    (OPEN, "Open"),
    (OVERDUE, "Overdue"),
    (DONE, "Done"),
    (WAIVED, "Waived"),
]


def action_condition(state: str, today: date) -> Q:
    """Open: neither done nor waived. Overdue: open, and its due date is before `today` (the
    portal's local date). Done: done at a recorded time. Waived: waived with a reason."""
    still_open = Q(done_at__isnull=True, waived=False)
    conditions = {
        OPEN: still_open,
        OVERDUE: still_open & Q(due_date__lt=today),
        DONE: Q(done_at__isnull=False),
        WAIVED: Q(waived=True),
    }
    return conditions[state]
