"""The home page's open counters of every log, from the summaries in one query."""

from django.db import connection

from ..choices import Severity
from ..models.summaries import ALL_TIME
from ..scoping import accessible_client_ids, sees_every_client
from .reads import OPEN
from .spec import SUMMARY_TABLE


def open_counts(models, user) -> dict[str, tuple[int, int]]:
    """label_lower → (open, SEV1/SEV2 open) over the clients `user` works for."""
    kinds = [model._meta.label_lower for model in models]
    if not kinds:
        return {}
    severe = sorted(Severity.alerting())
    where = [
        f"kind IN ({', '.join(['%s'] * len(kinds))})",
        f"status IN ({', '.join(['%s'] * len(OPEN))})",
        "((folded AND day = %s) OR NOT folded)",
    ]
    params = [*kinds, *OPEN, ALL_TIME]
    if not sees_every_client(user):
        clients = sorted(accessible_client_ids(user))
        if not clients:
            return {}
        where.append(f"client_id IN ({', '.join(['%s'] * len(clients))})")
        params.extend(clients)
    sql = (
        f"SELECT kind, COALESCE(SUM(n), 0), COALESCE(SUM(CASE WHEN severity IN "
        f"({', '.join(['%s'] * len(severe))}) THEN n ELSE 0 END), 0) "
        f"FROM {SUMMARY_TABLE} WHERE {' AND '.join(where)} GROUP BY kind"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*severe, *params])
        return {kind: (int(opened), int(severe_open)) for kind, opened, severe_open in cursor}
