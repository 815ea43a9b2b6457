"""The call import of a telephony file, in this process, on the volume database; what it
wrote is rolled back, so every run imports into the same database."""

import csv
import io
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.calls.importing import COLUMNS, ImportMode, import_calls
from apps.core.models import CodeListEntry

OUTCOMES = ("resolved", "resolved", "resolved", "escalated", "follow_up", "missed", "dropped")
UNANSWERED = ("missed", "dropped")
TIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class ImportRun:
    rows: int
    created: int
    seconds: float
    problem: str


def telephony_file(*, rows: int, client_code: str, agent: str, seed: int = 2026) -> bytes:
    """A valid call export of `rows` calls of one client, with fresh external ids."""
    rng = random.Random(seed)
    categories = list(
        CodeListEntry.objects.filter(list_name=CodeListEntry.ListName.QUERY_CATEGORY).values_list(
            "code", flat=True
        )
    )
    dispositions = list(
        CodeListEntry.objects.filter(list_name=CodeListEntry.ListName.DISPOSITION).values_list(
            "code", flat=True
        )
    )
    run = timezone.now().strftime("%Y%m%d%H%M%S")
    start = timezone.now().replace(microsecond=0) - timedelta(days=30)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.name for column in COLUMNS])
    for index in range(rows):
        began = start + timedelta(seconds=index * 20)
        outcome = rng.choice(OUTCOMES)
        # A missed or dropped call was never answered: it ends in the queue.
        answered = None if outcome in UNANSWERED else began + timedelta(seconds=rng.randint(5, 99))
        ended = (answered or began) + timedelta(seconds=rng.randint(30, 900))
        values = {
            "external_call_id": f"BENCH-{run}-{index:07d}",
            "client": client_code,
            "direction": rng.choice(("inbound", "outbound")),
            "started_at": began.strftime(TIME),
            "answered_at": answered.strftime(TIME) if answered else "",
            "ended_at": ended.strftime(TIME),
            "caller_number": f"+44 20 7946 {rng.randint(0, 9999):04d}",
            "customer_name": f"Customer {index}",
            "account_reference": f"AC-{rng.randint(100000, 999999)}",
            "agent": agent,
            "queue": "Billing",
            "query_category": rng.choice(categories),
            "disposition": rng.choice(dispositions),
            "outcome": outcome,
            "sentiment": rng.choice(("positive", "neutral", "negative")),
            "severity": "SEV4",
            "description": "Asked about an invoice line.",
            "resolution": "Explained it.",
            "follow_up_due": (began + timedelta(days=2)).strftime(TIME)
            if outcome == "follow_up"
            else "",
        }
        writer.writerow([values.get(column.name, "") for column in COLUMNS])
    return buffer.getvalue().encode()


class _RollBack(Exception):
    pass


def time_import(content: bytes, *, username: str) -> ImportRun:
    """Import `content` as `username` with every check, then roll it back."""
    actor = get_user_model().objects.get(username=username)
    report = None
    began = time.perf_counter()
    try:
        with transaction.atomic():
            report = import_calls(
                io.BytesIO(content),
                actor=actor,
                filename="bench.csv",
                mode=ImportMode.ALL_OR_NOTHING,
            )
            seconds = time.perf_counter() - began
            raise _RollBack
    except _RollBack:
        pass
    problem = report.file_error
    if report.failed and not problem:
        line, reason = report.errors[0]
        problem = f"{report.error_count:,} rows refused, e.g. line {line}: {reason}"
    return ImportRun(
        rows=content.count(b"\n") - 1, created=report.created, seconds=seconds, problem=problem
    )
