"""The volume database: created when missing, migrated, and seeded through `seed_demo`'s
volume options up to the size asked for (or reused when it is there already)."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass

import environ
import psycopg
from django.conf import settings
from psycopg import sql

# A database holding at least this share of the rows asked for is reused as it is (the demo
# rows and earlier runs make the counts differ a little from the round figures).
REUSE_FROM = 0.95


@dataclass(frozen=True)
class Volume:
    interruptions: int
    calls: int
    escalations: int
    failures: int = 0
    recovery: int = 0

    def scaled(self, factor: float) -> "Volume":
        return Volume(
            *(max(int(count * factor), 1) if count else 0 for count in self.counts.values())
        )

    @property
    def counts(self) -> dict[str, int]:
        return {
            "interruptions": self.interruptions,
            "calls": self.calls,
            "escalations": self.escalations,
            "failures": self.failures,
            "recovery": self.recovery,
        }


TABLES = {
    "interruptions": "interruptions_interruption",
    "calls": "calls_call",
    "escalations": "escalations_escalation",
    "failures": "failures_failurereport",
    "recovery": "recovery_recoverycase",
}
SEED_OPTIONS = {
    "interruptions": "--volume",
    "calls": "--call-volume",
    "escalations": "--escalation-volume",
    "failures": "--failure-volume",
    "recovery": "--recovery-volume",
}


def _connection_parameters(url: str) -> dict:
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError("The benchmark runs on PostgreSQL: give a postgres:// address.")
    return {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "dbname": config["NAME"],
    }


def database_name(url: str) -> str:
    return _connection_parameters(url)["dbname"]


def ensure_database(url: str) -> bool:
    """Create the database when it does not exist. True when it was created."""
    parameters = _connection_parameters(url)
    name = parameters.pop("dbname")
    with psycopg.connect(**parameters, dbname="postgres", autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(**_connection_parameters(url)) as connection:
        return {
            kind: connection.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for kind, table in TABLES.items()
        }


def missing(volume: Volume, counts: dict[str, int]) -> dict[str, int]:
    """Rows to add per kind: none for a kind that is (nearly) there already."""
    return {
        kind: target - counts.get(kind, 0)
        for kind, target in volume.counts.items()
        if counts.get(kind, 0) < target * REUSE_FROM
    }


def _manage(arguments: list[str], url: str, log) -> None:
    environment = {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    process = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=os.environ | environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        check=False,
    )
    if process.returncode:
        raise RuntimeError(f"manage.py {arguments[0]} failed; see {log.name}")


def build(url: str, volume: Volume, *, log, history: bool = True) -> dict[str, float]:
    """Migrate, then seed what is missing: the calls by themselves, so their time is theirs
    alone, then the other logs together. Seconds each seeding took ("calls", "others");
    empty when the database was reused."""
    ensure_database(url)
    _manage(["migrate", "--noinput"], url, log)
    to_add = missing(volume, row_counts(url))
    extra = [] if history else ["--no-volume-history"]
    seconds = {}
    batches = {
        "calls": {kind: count for kind, count in to_add.items() if kind == "calls"},
        "others": {kind: count for kind, count in to_add.items() if kind != "calls"},
    }
    for name, counts in batches.items():
        if not counts:
            continue
        options = [f"{SEED_OPTIONS[kind]}={count}" for kind, count in counts.items()]
        began = time.monotonic()
        _manage(["seed_demo", *options, *extra], url, log)
        seconds[name] = time.monotonic() - began
    return seconds
