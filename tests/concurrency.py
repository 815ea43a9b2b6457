"""Running one piece of work in several threads at once, for tests of concurrent runners."""

import threading
from collections.abc import Callable

from django.db import connection


def run_at_once(work: Callable[[], object], *, threads: int = 3, start_together: bool = True):
    """Run `work()` in `threads` threads, each on its own database connection, and answer
    (results, errors). With `start_together`, every thread connects first and all start at
    a barrier, so their batches really interleave."""
    barrier = threading.Barrier(threads, timeout=30)
    results, errors = [], []

    def run():
        try:
            if start_together:
                connection.ensure_connection()
                barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results, errors
