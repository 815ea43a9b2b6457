"""List pages over HTTP: first-page latency per kind, 100 rows per page, and the requests per
second several clients get at once."""

import threading
import time
from collections.abc import Callable

from .http import PortalClient
from .report import percentile


def latencies(client: PortalClient, path: str, *, requests: int, warm_up: int = 2) -> list[float]:
    """Seconds for each of `requests` loads of `path`, after `warm_up` unmeasured ones."""
    for _ in range(warm_up):
        _checked(client.get(path), path)
    return [_checked(client.get(path), path) for _ in range(requests)]


def _checked(answer: tuple[int, bytes, float], path: str) -> float:
    status, _, seconds = answer
    if status != 200:
        raise RuntimeError(f"{path} answered {status}.")
    return seconds


def p50_p95(samples: list[float]) -> tuple[float, float]:
    return percentile(samples, 0.5), percentile(samples, 0.95)


def throughput(new_client: Callable[[], PortalClient], path: str, *, clients: int, seconds: float):
    """Requests per second answered to `clients` clients asking for `path` back to back."""
    sessions = [new_client() for _ in range(clients)]
    for session in sessions:
        _checked(session.get(path), path)
    done = [0] * clients
    failures: list[str] = []
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def run(index: int) -> None:
        start.wait()
        while time.perf_counter() < stop_at[0]:
            status, _, _ = sessions[index].get(path)
            if status != 200:
                failures.append(f"{path} answered {status}")
                return
            done[index] += 1

    threads = [threading.Thread(target=run, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for session in sessions:
        session.close()
    if failures:
        raise RuntimeError(failures[0])
    return sum(done) / elapsed
