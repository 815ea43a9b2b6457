"""Running a live query within a time budget: past it the query is cancelled, not waited for."""

import time
from collections.abc import Callable
from typing import TypeVar

from django.db import DatabaseError, connection, transaction

T = TypeVar("T")


class Budget:
    """Seconds shared by the queries run through `run`; each gets what is left of them."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def run(self, work: Callable[[], T]) -> T | None:
        """`work()`, or None if its queries ran past the budget (or none was left)."""
        left = self.left()
        if left <= 0:
            return None
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT set_config('statement_timeout', %s, true)",
                            [str(max(1, int(left * 1000)))],
                        )
                    return work()
                return self._run_on_sqlite(work)
        except DatabaseError as error:
            if self.left() > 0 and not _cancelled(error):
                raise
            return None

    def _run_on_sqlite(self, work: Callable[[], T]) -> T:
        connection.ensure_connection()
        raw = connection.connection
        deadline = self.deadline
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
        try:
            return work()
        finally:
            raw.set_progress_handler(None, 0)


def _cancelled(error: DatabaseError) -> bool:
    """Was the query stopped by the budget (the server's timer may fire a hair early)?"""
    cause = error.__cause__
    if connection.vendor == "postgresql":
        from psycopg.errors import QueryCanceled

        return isinstance(cause, QueryCanceled)
    return "interrupted" in str(cause or error)
