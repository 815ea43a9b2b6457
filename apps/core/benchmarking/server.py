"""The portal served as in production: gunicorn, sync workers, DEBUG off, on a free port,
with a Celery worker beside it for the exports that run as background jobs."""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SETTINGS_MODULE = "config.settings.bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def resident_kib(pid: int, field: str = "VmRSS") -> int:
    """The process's resident memory (VmRSS), or its peak so far (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


@dataclass
class Server:
    host: str
    port: int
    process: subprocess.Popen
    log: Path
    job_worker: subprocess.Popen | None = None

    def job_worker_peak_mib(self) -> float:
        """The Celery worker's peak resident memory, in MiB (0 without one)."""
        if self.job_worker is None or self.job_worker.poll() is not None:
            return 0.0
        return resident_kib(self.job_worker.pid, "VmHWM") / 1024

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def worker_peak_mib(self) -> float:
        """The largest peak resident memory of the workers, in MiB."""
        return max((resident_kib(pid, "VmHWM") for pid in self.worker_pids()), default=0) / 1024

    def worker_rss_mib(self) -> float:
        return max((resident_kib(pid) for pid in self.worker_pids()), default=0) / 1024


def _wait_until_up(host: str, port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start; see {log}")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within a minute; see {log}")


@contextmanager
def served(database_url: str, *, workers: int = 2, log_dir: Path):
    """gunicorn serving the portal on `database_url` until the block ends."""
    host, port = "127.0.0.1", free_port()
    log = log_dir / "gunicorn.log"
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-" + "x" * 50),
        "DJANGO_ALLOWED_HOSTS": f"{host},localhost",
        "GUNICORN_BIND": f"{host}:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": "1",  # one thread: gunicorn's sync worker
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_CMD_ARGS": "--access-logfile=/dev/null",
    }
    # No access log: a line per request would be measured too.
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
    # One job at a time in the worker's own process (solo pool), as a worker machine would.
    worker_command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
        "--loglevel=WARNING", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with log.open("ab") as output, (log_dir / "celery.log").open("ab") as worker_output:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=environment, stdout=output, stderr=output
        )
        job_worker = subprocess.Popen(
            worker_command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=worker_output,
            stderr=worker_output,
        )
    try:
        _wait_until_up(host, port, process, log)
        yield Server(host, port, process, log, job_worker)
    finally:
        for running in (process, job_worker):
            _stop(running)


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
