"""The summaries stay equal to a live count whatever writes happen, folded or not."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from apps.audits.models import AuditFinding, FindingKind
from apps.calls.models import Call
from apps.core.choices import Severity, Status
from apps.core.services.records import records_bulk_assign, records_bulk_change_status
from apps.core.summaries.fold import fold_deltas
from apps.escalations.models import Escalation
from apps.failures.models import FailureReport
from apps.interruptions.models import Interruption
from apps.recovery.models import RecoveryCase
from tests.factories import next_reference
from tests.log_kinds import LOG_FACTORIES

from .figures import assert_figures_match, from_summaries

MODELS = {
    "interruptions": Interruption,
    "failures": FailureReport,
    "escalations": Escalation,
    "calls": Call,
    "recovery": RecoveryCase,
}
# Each example checks every figure of every kind many ways: a few dozen examples suffice.
PROPERTY = settings(
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
)
STATUSES = [Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED]
KIND_VALUES = {
    "interruptions": ("kind", ["incident", "outage", "degradation"]),
    "failures": ("category", ["technical", "delivery"]),
    "escalations": ("tier", [1, 2, 3]),
    "calls": ("direction", ["inbound", "outbound"]),
    "recovery": ("nature", ["delivery_problem", "service_error"]),
}
# Fields a raw UPDATE may set, per kind, beyond the standard ones.
OWN_FIELDS = {
    "calls": {
        "outcome": ["resolved", "missed", "dropped", "escalated", ""],
        "talk_seconds": [None, 0, 45, 600],
        "wait_seconds": [None, 5, 120],
        "qa_score": [None, Decimal("80.50"), Decimal("100.00")],
        "answered_at": [None, timezone.now() - timedelta(days=1)],
    },
    "recovery": {
        "customer_satisfied": [True, False],
        "latest_satisfaction": [None, 1, 5],
        "latest_likelihood_to_return": [None, 0, 9],
        "confirmed_at": [None, timezone.now() - timedelta(hours=1)],
    },
}

kinds = st.sampled_from(sorted(MODELS))
creations = st.tuples(
    st.just("create"),
    kinds,
    st.sampled_from(list(Severity.values)),
    st.sampled_from(STATUSES),
    st.integers(0, 2),  # which team (0: none)
    st.integers(-40, 0),  # occurred, days from now
    st.integers(-30, 30),  # resolution due, hours from occurred + 1 day (None when 0)
    st.booleans(),  # on client A (else B)
    st.integers(0, 5),  # a pick among the kind's own values
)
raw_updates = st.tuples(
    st.just("update"),
    kinds,
    st.integers(0, 2),  # which rows: by id modulo 3
    st.sampled_from(
        ["severity", "status", "team", "stamp", "occurred_at", "resolved_at", "variant", "own"]
    ),
    st.integers(0, 9),
)
steps = st.one_of(
    creations,
    raw_updates,
    st.tuples(st.just("bulk_create"), kinds, st.integers(1, 3)),
    st.tuples(st.just("bulk_status"), kinds, st.sampled_from(STATUSES)),
    st.tuples(st.just("bulk_assign"), kinds, st.integers(0, 2)),
    st.tuples(st.just("save"), kinds, st.sampled_from(list(Severity.values))),
    st.tuples(st.just("delete"), kinds, st.integers(0, 2)),
    st.tuples(st.just("finding"), st.sampled_from(list(FindingKind.values)), st.booleans()),
    st.tuples(st.just("acknowledge"), st.integers(0, 1)),
    st.tuples(st.just("fold"), st.integers(1, 5)),
)


def _team(world, on_a: bool, pick: int):
    teams = [world.team_a1, world.team_a2] if on_a else [world.team_b1]
    return None if pick == 0 else teams[(pick - 1) % len(teams)]


def _values(world, step) -> dict:
    _, kind, severity, status, team, days, due_hours, on_a, own = step
    now = timezone.now()
    occurred = now + timedelta(days=days, hours=-1)
    values = {
        "client": world.client_a if on_a else world.client_b,
        "severity": severity,
        "status": status,
        "team": _team(world, on_a, team),
        "occurred_at": occurred,
        "resolution_due": None if due_hours == 0 else occurred + timedelta(hours=24 + due_hours),
    }
    if status in (Status.RESOLVED, Status.CLOSED):
        values["resolved_at"] = occurred + timedelta(hours=own * 6)
    if status == Status.CLOSED:
        values["closed_at"] = occurred + timedelta(hours=own * 6 + 1)
    field, choices = KIND_VALUES[kind]
    values[field] = choices[own % len(choices)]
    for name, options in OWN_FIELDS.get(kind, {}).items():
        values[name] = options[own % len(options)]
    return values


ACTIONS_ON_A_KIND = (
    "create",
    "update",
    "bulk_create",
    "bulk_status",
    "bulk_assign",
    "save",
    "delete",
)


def _apply(world, step, kinds: set[str]) -> None:
    action = step[0]
    if action == "create":
        LOG_FACTORIES[step[1]](**_values(world, step))
    elif action == "bulk_create":
        model = MODELS[step[1]]
        template = LOG_FACTORIES[step[1]](client=world.client_a, severity="SEV2")
        copies = []
        for _ in range(step[2]):
            copy = model.objects.get(pk=template.pk)
            copy.pk, copy.reference = None, next_reference(model.reference_prefix)
            if model is Call:
                copy.external_call_id = copy.reference
            copies.append(copy)
        model.objects.bulk_create(copies)
    elif action == "update":
        _raw_update(world, *step[1:])
    elif action == "bulk_status":
        model = MODELS[step[1]]
        records_bulk_change_status(
            model,
            actor=world.admin,
            pks=list(model.objects.values_list("pk", flat=True)),
            target=step[2],
            reason="Logged twice",
        )
    elif action == "bulk_assign":
        model = MODELS[step[1]]
        records_bulk_assign(
            model,
            actor=world.admin,
            pks=list(model.objects.filter(client=world.client_a).values_list("pk", flat=True)),
            team=_team(world, True, step[2]),
        )
    elif action == "save":
        record = MODELS[step[1]].objects.order_by("?").first()
        if record is not None:
            record.severity = step[2]
            record.save()
    elif action == "delete":
        MODELS[step[1]].objects.filter(pk__in=_every_third(MODELS[step[1]], step[2])).delete()
    elif action == "finding":
        AuditFinding.objects.create(
            kind=step[1],
            client=world.client_a if step[2] else world.client_b,
            severity="SEV2",
            summary="Found",
            found_at=timezone.now() - timedelta(days=3),
            fingerprint=f"test:{AuditFinding.objects.count()}:{step}",
        )
    elif action == "acknowledge":
        AuditFinding.objects.filter(pk__in=_every_third(AuditFinding, step[1])).update(
            acknowledged_at=timezone.now(), acknowledged_by=world.lead
        )
    elif action == "fold":
        before = _all_figures(world, kinds)
        fold_deltas(batch_size=step[1])
        assert _all_figures(world, kinds) == before


def _every_third(model, remainder: int) -> list[int]:
    return [pk for pk in model.objects.values_list("pk", flat=True) if pk % 3 == remainder]


def _raw_update(world, kind: str, remainder: int, field: str, pick: int) -> None:
    model = MODELS[kind]
    rows = model.objects.filter(pk__in=_every_third(model, remainder))
    now = timezone.now()
    if field == "severity":
        rows.update(severity=list(Severity.values)[pick % 4])
    elif field == "status":
        # Open statuses only: closed and cancelled need their own fields.
        rows.update(status=list(Status.open_values())[pick % 3])
    elif field == "team":
        rows.filter(client=world.client_a).update(team=_team(world, True, pick % 3))
    elif field == "stamp":
        rows.filter(resolution_due__isnull=False).update(resolution_breached_at=now)
    elif field == "occurred_at":
        rows.update(occurred_at=now - timedelta(days=pick * 3, hours=pick))
    elif field == "resolved_at":
        rows.update(resolved_at=None if pick % 2 else now - timedelta(hours=pick))
    elif field == "variant":
        name, choices = KIND_VALUES[kind]
        rows.update(**{name: choices[pick % len(choices)]})
    elif kind in OWN_FIELDS:
        name = sorted(OWN_FIELDS[kind])[pick % len(OWN_FIELDS[kind])]
        options = OWN_FIELDS[kind][name]
        rows.update(**{name: options[pick % len(options)]})


def _queries(world) -> list[str]:
    day = (timezone.localdate() - timedelta(days=10)).isoformat()
    return [
        "",
        "severity=SEV1&severity=SEV2",
        "status=new&status=in_progress",
        "breached=true",
        "breached=false",
        f"client={world.client_a.pk}&team={world.team_a1.pk}",
        f"occurred_from={day}",
        f"occurred_to={day}&breached=true",
    ]


def _touched(sequence) -> set[str]:
    kinds = {step[1] for step in sequence if step[0] in ACTIONS_ON_A_KIND}
    if any(step[0] in ("finding", "acknowledge") for step in sequence):
        kinds.add("audits")
    return kinds


def _all_figures(world, kinds: set[str]) -> dict:
    return {
        (label, query): from_summaries(model, world.admin, query)
        for label, model in MODELS.items()
        if label in kinds
        for query in ("", "breached=true")
    }


def _assert_in_step(world, kinds: set[str], picks: list[int]) -> None:
    for kind, model in MODELS.items():
        if kind not in kinds:
            continue
        name, choices = KIND_VALUES[kind]
        queries = [*_queries(world), f"{name}={choices[0]}"]
        for pick in picks:
            assert_figures_match(model, world.admin, queries[pick % len(queries)])
        assert_figures_match(model, world.lead, "breached=false")
    if "audits" in kinds:
        queries = ["", "acknowledged=false", "severity=SEV2", f"client={world.client_a.pk}"]
        for pick in picks:
            assert_figures_match(AuditFinding, world.admin, queries[pick % len(queries)])
        assert_figures_match(AuditFinding, world.lead, "kind=stale")


@pytest.mark.django_db
def test_summaries_equal_a_live_count_after_any_writes(world):
    @PROPERTY
    @given(st.lists(steps, min_size=1, max_size=8), st.lists(st.integers(0, 8), max_size=3))
    def check(sequence, picks):
        kinds = _touched(sequence)
        with transaction.atomic():
            for step in sequence:
                _apply(world, step, kinds)
            _assert_in_step(world, kinds, picks)
            transaction.set_rollback(True)

    check()
