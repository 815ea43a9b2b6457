"""The masking rule, written once: Python and SQL must agree value for value."""

import pytest

from apps.calls.masking import (
    MASKED_FIELDS,
    can_view_personal_data,
    mask_for,
    mask_value,
    masked_expression,
)
from apps.calls.models import Call
from tests.factories_calls import CallFactory

pytestmark = pytest.mark.django_db

SAMPLES = [
    "",
    "1",
    "123456",
    "1234567",
    "+44 20 7946 0958",
    "0044-20-7946-0958 ext 12",
    "Jane Doe",
    "Zoë Ångström-Łukasiewicz",
    "J",
]


@pytest.mark.parametrize(
    ("value", "keep", "masked"),
    [
        ("+44 20 7946 0958", 4, "•••• 0958"),
        ("1234567", 4, "•••• 4567"),
        ("123456", 4, "••••"),  # four of six digits would give most of it away
        ("", 4, ""),
        (None, 4, ""),
        ("Jane Doe", 0, "••••"),
        ("Zoë Ångström", 0, "••••"),
    ],
)
def test_mask_value(value, keep, masked):
    assert mask_value(value, keep) == masked


def test_the_database_masks_exactly_as_python_does(world):
    calls = [
        CallFactory(client=world.client_a, caller_number=sample, customer_name=sample)
        for sample in SAMPLES
    ]

    rows = Call.objects.filter(pk__in=[call.pk for call in calls]).annotate(
        **{f"masked_{name}": masked_expression(name, keep) for name, keep in MASKED_FIELDS.items()}
    )

    for row in rows:
        for name, keep in MASKED_FIELDS.items():
            assert getattr(row, f"masked_{name}") == mask_value(getattr(row, name), keep), (
                name,
                getattr(row, name),
            )


def test_who_holds_the_permission(world):
    holders = {
        role: can_view_personal_data(getattr(world, role))
        for role in ("agent", "lead", "auditor", "admin", "agent_b")
    }

    assert holders == {
        "agent": True,
        "lead": True,
        "auditor": False,
        "admin": True,
        "agent_b": True,
    }


def test_annotations_follow_the_permission(world):
    call = CallFactory(
        client=world.client_a, caller_number="+44 20 7946 0958", customer_name="Jane Doe"
    )

    seen_by = {
        role: Call.objects.with_personal_data(getattr(world, role))
        .values_list("shown_caller_number", "shown_customer_name")
        .get(pk=call.pk)
        for role in ("lead", "auditor")
    }

    assert seen_by["lead"] == ("+44 20 7946 0958", "Jane Doe")
    assert seen_by["auditor"] == ("•••• 0958", "••••")


def test_mask_for_leaves_other_fields_alone(world):
    assert mask_for(world.auditor, "account_reference", "AC-1") == "AC-1"
    assert mask_for(world.auditor, "customer_name", "Jane") == "••••"
    assert mask_for(world.lead, "customer_name", "Jane") == "Jane"
