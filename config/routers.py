"""Database routing: writes, and reads that must see them, go to `default`; exports and
reports may read from a replica.

A replica lags its primary by a moment, so only reads that can live with that go there: the
rows of an export, the figures of a report. They ask for it with `replica_reads()` (a block of
code) or `on_replica()` (one queryset, pinned, for a response streamed after the view has
returned). Without `READ_REPLICA` (no `DATABASE_REPLICA_URL`), everything stays on `default`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import QuerySet

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_alias() -> str | None:
    """The alias reads may go to when they accept a lag, or None without a replica."""
    return getattr(settings, "READ_REPLICA", None) or None


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside this block, reads go to the replica when there is one; writes never do."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def on_replica(queryset: QuerySet) -> QuerySet:
    """`queryset` bound to the database its reads go to inside `replica_reads()`.

    Bound, not routed when evaluated: an export streams after the view has returned, outside
    any block the view could open.
    """
    with replica_reads():
        return queryset.using(router.db_for_read(queryset.model))


class ReadReplicaRouter:
    """Sends the reads made inside `replica_reads()` to the replica, everything else to
    `default`; migrations run on `default` only (the replica copies them)."""

    def db_for_read(self, model, **hints) -> str:
        alias = replica_alias()
        if alias and _replica_reads.get():
            return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the same rows as default: a row read from one may point to a row
        # read from the other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db != REPLICA
