"""Reads of recovery cases that lists, exports, measures and pages share.

The outcome of a case (confirmed when, latest satisfaction, latest likelihood to return,
satisfied or not) is kept in columns of the case by the services, so measures over any number
of cases are plain aggregates. What is counted per case (actions, interactions) or looked up
through links (the origin) is a correlated subquery: a page of cases or an export of any size
costs one query, never one per case. "Latest" is by the moment an entry happened, then by id.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce

from apps.core.choices import LinkRelation, Status
from apps.core.listing.measures import Measure, average_of, percent_of, ratio
from apps.core.models import RecordLink

from .apps import RECOVERY_ORIGINS
from .models import RecoveryAction, RecoveryCase, RecoveryResolution, outcome_values


def case_outcome(case: RecoveryCase) -> dict:
    """The outcome columns of `case` as its children say them now (see `outcome_values`)."""
    confirmed_at = (
        RecoveryResolution.objects.filter(case=case, customer_confirmed=True)
        .values_list("confirmed_at", flat=True)
        .first()
    )
    latest = case.feedback.order_by("-at", "-id")
    return outcome_values(
        confirmed_at=confirmed_at,
        latest_satisfaction=latest.values_list("satisfaction", flat=True).first(),
        latest_likelihood_to_return=latest.filter(likelihood_to_return__isnull=False)
        .values_list("likelihood_to_return", flat=True)
        .first(),
        latest_interaction_answer=case.interactions.order_by("-at", "-id")
        .values_list("customer_satisfied", flat=True)
        .first(),
    )


def child_count(model) -> Coalesce:
    """A per-case subquery: how many rows of the child `model` the case has."""
    counts = (
        model.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def recovered_condition() -> Q:
    """Recovered: the customer confirmed the resolution, and their latest word is satisfied."""
    return Q(confirmed_at__isnull=False, customer_satisfied=True)


class DurationSeconds(Func):
    """A duration (difference of two timestamps) as seconds, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        # SQLite subtracts timestamps into microseconds.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) / 1000000.0)", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"EXTRACT(EPOCH FROM ({sql}))", params


def hours_to_recover():
    """From when the issue occurred to the customer's confirmation (NULL until confirmed)."""
    elapsed = ExpressionWrapper(F("confirmed_at") - F("occurred_at"), output_field=DurationField())
    return DurationSeconds(elapsed) / 3600.0


def recovery_measures() -> tuple[Measure, ...]:
    """The figures above the list, over the filtered cases less the cancelled ones (logged
    by mistake or twice: nobody was recovered or failed there). See the list page's notes."""
    counted = ~Q(status=Status.CANCELLED)
    return (
        Measure(
            "Recovery rate",
            percent_of(recovered_condition(), counted),
            unit="percent",
            help_text="Cases whose resolution the customer confirmed and whose latest word is "
            "satisfied (latest feedback 4 or 5 out of 5; without feedback, latest interaction "
            "marked satisfied), out of all cases shown.",
            narrows_to={"recovered": ["true"]},
            from_totals=ratio("recovered", "counted", 100.0),
        ),
        Measure(
            "Avg. satisfaction",
            average_of("latest_satisfaction", counted),
            unit="number",
            help_text="Mean of each case's latest feedback score (1–5), cases with feedback.",
            from_totals=ratio("satisfaction_total", "satisfaction_count"),
        ),
        Measure(
            "Avg. likelihood to return",
            average_of("latest_likelihood_to_return", counted),
            unit="number",
            help_text="Mean of each case's latest answer (0–10), cases where the customer "
            "answered.",
            from_totals=ratio("return_total", "return_count"),
        ),
        Measure(
            "Avg. hours to recover",
            average_of(hours_to_recover(), counted),
            unit="number",
            help_text="From when the issue occurred to the customer's confirmation of the "
            "resolution, in hours, confirmed cases only.",
            from_totals=ratio("recover_seconds_total", "recover_count", 1 / 3600),
        ),
    )


def origin_models() -> list:
    """The installed kinds a recovery case can be caused by."""
    found = []
    for label in RECOVERY_ORIGINS:
        try:
            found.append(apps.get_model(label))
        except LookupError:
            continue
    return found


def origin_reference() -> Coalesce | Subquery:
    """Reference of the record the case was caused by (the first such link if several)."""
    own_type = ContentType.objects.get_for_model(RecoveryCase)
    per_kind = []
    for model in origin_models():
        links = RecordLink.objects.filter(
            source_type=own_type,
            source_id=OuterRef(OuterRef("pk")),
            target_type=ContentType.objects.get_for_model(model),
            relation=LinkRelation.CAUSED_BY,
        ).values("target_id")
        rows = model.objects.filter(pk__in=links).order_by("pk").values("reference")[:1]
        per_kind.append(Subquery(rows))
    if len(per_kind) == 1:
        return per_kind[0]
    return Coalesce(*per_kind)


def attach_action_counts(cases: list[RecoveryCase]) -> None:
    """Set `action_count` on a page of cases, in one query.

    Not annotated on the list's own query: its count and measures would carry the subquery
    for every matching row, where only the page's rows need it.
    """
    if not cases:
        return
    counts = dict(
        RecoveryAction.objects.filter(case__in=[case.pk for case in cases])
        .order_by()
        .values("case")
        .annotate(total=Count("pk"))
        .values_list("case", "total")
    )
    for case in cases:
        case.action_count = counts.get(case.pk, 0)


def case_children(case: RecoveryCase) -> dict:
    """The case's interactions, actions, resolution and feedback with the people who recorded
    them: one query each, however many there are."""
    return {
        "interactions": list(case.interactions.select_related("recorded_by")),
        "actions": list(case.actions.select_related("recorded_by", "action_type")),
        "resolution": RecoveryResolution.objects.filter(case=case)
        .select_related("recorded_by", "updated_by")
        .first(),
        "feedback": list(case.feedback.select_related("recorded_by")),
    }
