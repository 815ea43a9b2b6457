"""Every admin change form, opened and submitted unchanged, changes nothing.

No column of the row or of its inline rows, no history version, no timeline event, no
notification, no admin log entry. The admins come from the admin site's registry, so a new
one joins the test, or fails it until it is placed in a table below.
"""

import pytest
from django.contrib import admin
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .builders import FIXED, VARIED
from .harness import examples, round_trip

pytestmark = pytest.mark.django_db

# Saving these recomputes open records' due times: their round trip is tested together with
# that rule (an unchanged save recomputes nothing), beside the recompute's own tests.
LEFT_TO_RECOMPUTE_TESTS = {
    "sla.BusinessCalendar",
    "sla.WorkingHours",
    "sla.Holiday",
    "sla.SlaPolicy",
    "escalations.EscalationMatrix",
}


def test_every_admin_change_form_is_under_the_rule():
    registered = {model._meta.label for model in admin.site._registry}
    covered = VARIED.keys() | FIXED.keys()
    assert registered - covered - LEFT_TO_RECOMPUTE_TESTS == set(), "admins not round-tripped"
    assert (covered | LEFT_TO_RECOMPUTE_TESTS) - registered == set(), "no such admin any more"
    assert VARIED.keys() & FIXED.keys() == set()


@pytest.fixture
def administrator(client, django_user_model):
    person = django_user_model.objects.create_superuser("root", "root@example.test", "x")
    client.force_login(person)
    return client


def _unchanged(client, obj) -> None:
    before, after = round_trip(client, obj)
    for part, rows in before["rows"].items():
        changed = [
            {key: (old[key], new.get(key)) for key in old if old[key] != new.get(key)}
            for old, new in zip(rows, after["rows"][part], strict=False)
        ]
        assert after["rows"][part] == rows, (part, [columns for columns in changed if columns])
    assert after["effects"] == before["effects"]


@pytest.mark.parametrize("label", sorted(VARIED))
def test_an_unchanged_varied_form_changes_nothing(administrator, label):
    build = VARIED[label]
    wanted, ran = examples(), []

    @settings(
        max_examples=wanted,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.data())
    def round_trips(data):
        with transaction.atomic():
            _unchanged(administrator, build(data.draw))
            transaction.set_rollback(True)
        ran.append(label)

    round_trips()
    assert len(ran) >= wanted


@pytest.mark.parametrize("label", sorted(FIXED))
def test_an_unchanged_form_changes_nothing(administrator, label):
    _unchanged(administrator, FIXED[label]())
