"""Telephony exports to import, for benchmarks and tests at volume: the template's columns,
filled with the calls the demo volume drafts (every direction and outcome, valid times),
as a telephony system would export them."""

import csv
import random
from datetime import datetime, timedelta
from typing import TextIO

from django.contrib.auth import get_user_model

from apps.core.demo import DemoOrganisation
from apps.core.models import CodeListEntry

from ..demo_volume.drafting import CallDrafter
from .columns import COLUMN_NAMES

WINDOW = timedelta(days=90)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def write_sample_export(
    out: TextIO,
    organisation: DemoOrganisation,
    *,
    count: int,
    rng: random.Random,
    now: datetime,
    prefix: str = "SAMPLE",
) -> None:
    """Write a CSV export of `count` valid calls of the demo clients to `out` (text, opened
    with newline=""), spread over the last 90 days; external ids are `prefix`-numbered."""
    drafter = CallDrafter(organisation, rng, now)
    codes = {
        entry.pk: entry.code
        for entry in CodeListEntry.objects.filter(
            list_name__in=[
                CodeListEntry.ListName.QUERY_CATEGORY,
                CodeListEntry.ListName.DISPOSITION,
            ]
        )
    }
    agents = dict(get_user_model().objects.values_list("pk", "username"))
    client_codes = {demo.client.pk: demo.client.code for demo in organisation.clients}
    start = now - WINDOW
    slot = (WINDOW - timedelta(hours=1)) / max(count, 1)
    writer = csv.writer(out)
    writer.writerow(COLUMN_NAMES)
    for index in range(count):
        call = drafter.draft(start + slot * (index + rng.random()))
        values = {
            **{name: call.get(name) for name in COLUMN_NAMES},
            "external_call_id": f"{prefix}-{index + 1:08d}",
            "client": client_codes[call["client_id"]],
            "started_at": call["occurred_at"],
            "agent": agents[call["assignee_id"]],
            "query_category": codes.get(call["query_category_id"], ""),
            "disposition": codes.get(call["disposition_id"], ""),
        }
        writer.writerow([_text(values[name]) for name in COLUMN_NAMES])
