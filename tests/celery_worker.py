"""A real Celery worker process for tests where delivery matters, and helpers to watch it."""

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app


def _database_url() -> str:
    config = connection.settings_dict
    user = config.get("USER") or "postgres"
    return f"postgres://{user}@{config['HOST']}:{config['PORT'] or 5432}/{config['NAME']}"


def require_broker_and_postgres() -> None:
    """Skip without Redis and PostgreSQL, except under CI, where that is a failure."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the worker tests on PostgreSQL with REDIS_URL set")
        pytest.skip("needs REDIS_URL and PostgreSQL (a worker cannot share SQLite in memory)")


@contextmanager
def running_worker(tmp_path: Path):
    """A worker on its own queue, sharing this test's database; mail goes to files."""
    require_broker_and_postgres()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    log_file = tmp_path / "worker.log"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
        # Tasks the worker queues itself (a webhook's next delivery) stay on its queue.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool",
        "solo",
        "--queues",
        queue,
        "--loglevel",
        "INFO",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--logfile",
        str(log_file),
    ]
    log = log_file.open("w")
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    # Publish to the configured broker, whatever an earlier test pointed the app at.
    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.conf.broker_transport_options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    _reset_broker_pools()
    try:
        yield {"queue": queue, "mail_dir": mail_dir, "log_file": log_file}
    finally:
        app.conf.task_default_queue = previous_queue
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        print(log_file.read_text()[-4000:])


def _reset_broker_pools() -> None:
    """Forget pooled broker connections so the next publish uses the configured URL."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app at another Redis URL, with the project's options."""
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = url
    app.conf.broker_transport_options = dict(settings.REDIS_BROKER_TRANSPORT_OPTIONS)
    _reset_broker_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        _reset_broker_pools()


def closed_port_url() -> str:
    """A Redis URL on a local port nobody listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def wait_for(condition, timeout: float = 45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError("timed out waiting for the worker")


def mails(mail_dir: Path) -> list[str]:
    if not mail_dir.exists():
        return []
    return [path.read_text() for path in sorted(mail_dir.iterdir())]


def finished_tasks(log_file: Path) -> int:
    """How many tasks the worker has finished, from its log."""
    return log_file.read_text().count("succeeded in") if log_file.exists() else 0
