"""The escalation sweep at volume: its benchmark test (tests/escalations/test_sweep_speed.py)
builds 100,000 open escalations, 10,000 of them due, in a test database of its own, and
times one sweep; this runs it and reads the time it prints."""

import os
import re
import subprocess
import sys

from django.conf import settings

TEST = "tests/escalations/test_sweep_speed.py"
PRINTED = re.compile(r"sweep of ([\d,]+) open, ([\d,]+) due: ([\d.]+) s")


def sweep_seconds(database_url: str, *, log) -> tuple[float | None, str]:
    """Seconds of the sweep and what was swept, or None and why not."""
    environment = os.environ | {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "benchmark", "-s", "-q", "-p", "no:cacheprovider",
         "--reuse-db", TEST],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    log.write(process.stdout + process.stderr)
    found = PRINTED.search(process.stdout)
    if found is None:
        return None, f"the sweep benchmark did not run (exit {process.returncode}; see the log)"
    opened, due, seconds = found.groups()
    note = f"{due} due of {opened} open"
    if process.returncode:
        note += ", test failed"
    return float(seconds), note
