"""For any sequence of firing and resolved alerts: one interruption per group opening, and
every request kept with an outcome."""

import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.intake.models import IntakeRequest, Outcome
from apps.intake.processing import intake_process_pending
from apps.intake.receiving import intake_receive
from apps.interruptions.models import Interruption
from tests.factories_intake import IntegrationFactory

from .payloads import alertmanager, alertmanager_alert

pytestmark = pytest.mark.django_db

# Fingerprints and the group their labels put them in (grouping by the label "cluster").
GROUP_OF = {"a": "east", "b": "east", "c": "west", "d": "west"}
alert = st.tuples(st.sampled_from(sorted(GROUP_OF)), st.booleans())  # (fingerprint, firing)
requests = st.lists(st.lists(alert, min_size=1, max_size=3), min_size=1, max_size=6)


def _openings(sequence, auto_resolve: bool) -> int:
    """The groups opened, by the rule: a firing alert of a group not open opens it; the
    group closes when its last firing alert resolves, if the integration resolves."""
    firing: dict[str, set] = {}
    opened = 0
    for alerts in sequence:
        for fingerprint, is_firing in alerts:
            group = GROUP_OF[fingerprint]
            if is_firing:
                if group not in firing:
                    opened += 1
                    firing[group] = set()
                firing[group].add(fingerprint)
            elif group in firing and fingerprint in firing[group]:
                firing[group].discard(fingerprint)
                if not firing[group] and auto_resolve:
                    del firing[group]
    return opened


def _body(alerts) -> bytes:
    return json.dumps(
        alertmanager(
            *(
                alertmanager_alert(
                    fingerprint=fingerprint,
                    status="firing" if is_firing else "resolved",
                    cluster=GROUP_OF[fingerprint],
                )
                for fingerprint, is_firing in alerts
            )
        )
    ).encode()


# Each example opens interruptions through the full services: a fixed budget of examples
# keeps the property to a few seconds, in CI too.
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=requests, auto_resolve=st.booleans())
def test_one_interruption_per_group_opening_and_no_request_lost(world, sequence, auto_resolve):
    with transaction.atomic():
        source = IntegrationFactory(
            client=world.client_a, group_by="cluster", auto_resolve=auto_resolve
        )
        for alerts in sequence:
            body = _body(alerts)
            answer = intake_receive(
                source,
                token=source.token,
                content_length=len(body),
                read_body=lambda body=body: body,
                remote_addr=None,
            )
            assert answer.status == 202
        intake_process_pending(source.pk)
        assert Interruption.objects.count() == _openings(sequence, auto_resolve)
        outcomes = list(IntakeRequest.objects.values_list("outcome", flat=True))
        assert len(outcomes) == len(sequence)
        assert Outcome.RECEIVED not in outcomes and Outcome.FAILED not in outcomes
        transaction.set_rollback(True)
