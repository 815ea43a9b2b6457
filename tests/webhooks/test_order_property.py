"""For any sequence of changes to a few records, with deliveries running in between, each
subscription receives each of its events exactly once, in each record's order."""

import json
from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.choices import Status
from apps.core.services.records import record_change_status
from apps.core.workflow import is_allowed
from apps.interruptions.models import Interruption
from apps.interruptions.services import interruption_create
from apps.webhooks.models import Delivery, EventKind, WebhookEvent

from .driving import run_queued

pytestmark = pytest.mark.django_db

TARGETS = [Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.just(0)),
        st.tuples(st.just("move"), st.integers(0, 2), st.sampled_from(TARGETS)),
        st.tuples(st.just("deliver"), st.just(0)),
    ),
    min_size=1,
    max_size=8,
)


def _apply(world, step, records) -> None:
    if step[0] == "create":
        records.append(
            interruption_create(
                actor=world.agent,
                values={
                    "client": world.client_a,
                    "kind": "incident",
                    "title": f"Outage {len(records)}",
                    "severity": "SEV3",
                    "occurred_at": timezone.now() - timedelta(minutes=5),
                },
            )
        )
    elif step[0] == "move" and records:
        record = Interruption.objects.get(pk=records[step[1] % len(records)].pk)
        if is_allowed(record.status, step[2]):
            record_change_status(record, target=step[2], actor=world.agent)
    elif step[0] == "deliver":
        run_queued()


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_each_event_once_in_record_order(world, subscribe, receiver, plan):
    with transaction.atomic():
        receiver.requests.clear()
        everything = subscribe(name="All events", url=receiver.url + "?all")
        statuses = subscribe(
            name="Status only", url=receiver.url + "?status", events=[EventKind.STATUS_CHANGED]
        )
        records = []
        for step in plan:
            _apply(world, step, records)
        run_queued()

        assert not Delivery.objects.filter(state="pending").exists()
        for subscription, query in ((everything, "?all"), (statuses, "?status")):
            got = [
                json.loads(request.body)
                for request in receiver.requests
                if request.path.endswith(query)
            ]
            expected = WebhookEvent.objects.filter(deliveries__subscription=subscription)
            assert sorted(body["id"] for body in got) == sorted(
                str(pk) for pk in expected.values_list("pk", flat=True)
            )
            by_record = defaultdict(list)
            for body in got:
                by_record[body["record"]["reference"]].append(body["sequence"])
            assert all(numbers == sorted(numbers) for numbers in by_record.values())
        transaction.set_rollback(True)
