"""The recovery report's figures over one client's cases that occurred in a period.

A case belongs to the period in which its issue occurred (`occurred_at`), whatever happened
later; cancelled cases (logged by mistake or twice) are left out of every figure, as the
list's own measures leave them out. The rate, the averages and their trend are the list's
measures (`apps.recovery.selectors.recovery_measures`) read from the daily summaries; what
the summaries do not hold (score distributions, the median hours, money per currency and
action type) is one grouped query each over the client's cases of the period.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Sum, Window
from django.db.models.functions import RowNumber

from apps.core.choices import Status
from apps.recovery.models import MONEY_ACTION_CODES, RecoveryAction, RecoveryCase
from apps.recovery.selectors import hours_to_recover, recovery_measures

from .periods import Period
from .summaries import period_totals

SATISFACTION_SCALE = tuple(range(1, 6))
RETURN_SCALE = tuple(range(0, 11))
# Every status but cancelled: the cases a figure counts.
COUNTED_STATUSES = tuple(status for status in Status.values if status != Status.CANCELLED)

_MEASURES = {measure.label: measure for measure in recovery_measures()}
_RATE = _MEASURES["Recovery rate"].from_totals
_SATISFACTION = _MEASURES["Avg. satisfaction"].from_totals
_RETURN = _MEASURES["Avg. likelihood to return"].from_totals
_HOURS = _MEASURES["Avg. hours to recover"].from_totals


@dataclass(frozen=True)
class Outcomes:
    """The list's recovery measures over a set of cases (cancelled ones left out)."""

    cases: int = 0
    recovered: int = 0
    rate: float | None = None  # percent recovered: confirmed, and the latest word satisfied
    with_satisfaction: int = 0
    satisfaction: float | None = None  # mean latest satisfaction, 1–5
    with_return: int = 0
    likelihood_to_return: float | None = None  # mean latest answer, 0–10
    confirmed: int = 0
    mean_hours: float | None = None  # occurred → confirmed, calendar hours

    @classmethod
    def from_totals(cls, totals: dict | None) -> "Outcomes":
        if not totals:
            return cls()
        return cls(
            cases=int(totals["counted"]),
            recovered=int(totals["recovered"]),
            rate=_RATE(totals),
            with_satisfaction=int(totals["satisfaction_count"]),
            satisfaction=_SATISFACTION(totals),
            with_return=int(totals["return_count"]),
            likelihood_to_return=_RETURN(totals),
            confirmed=int(totals["recover_count"]),
            mean_hours=_HOURS(totals),
        )


def outcomes(client_id: int, start: datetime, end: datetime) -> Outcomes:
    totals = period_totals(RecoveryCase, client_id, start, end)
    return Outcomes.from_totals(totals.get(()))


def outcomes_by_nature(client_id: int, start: datetime, end: datetime) -> dict[str, Outcomes]:
    """Nature of issue → its outcomes, for the natures with counted cases."""
    totals = period_totals(RecoveryCase, client_id, start, end, group_by=("variant",))
    found = {key[0]: Outcomes.from_totals(row) for key, row in totals.items()}
    return {nature: values for nature, values in found.items() if values.cases}


def outcome_trend(client_id: int, periods: list[Period]) -> list[tuple[Period, Outcomes]]:
    """The outcomes of each period, in the order given (one summary read per period)."""
    return [(period, outcomes(client_id, period.start, period.end)) for period in periods]


def counted_cases(client_id: int, start: datetime, end: datetime):
    """The cases every figure counts: the client's, occurred in `[start, end)`, not cancelled."""
    return RecoveryCase.objects.filter(
        client_id=client_id,
        occurred_at__gte=start,
        occurred_at__lt=end,
        status__in=COUNTED_STATUSES,
    )


@dataclass(frozen=True)
class Distributions:
    """How many counted cases gave each latest answer."""

    satisfaction: dict[int, int]  # 1–5 → cases, every score present
    likelihood_to_return: dict[int, int]  # 0–10 → cases, every answer present


def score_distributions(client_id: int, start: datetime, end: datetime) -> Distributions:
    """Both scales from one grouped query (at most 6 × 12 groups)."""
    groups = (
        counted_cases(client_id, start, end)
        .order_by()
        .values_list("latest_satisfaction", "latest_likelihood_to_return")
        .annotate(total=Count("pk"))
    )
    satisfaction = dict.fromkeys(SATISFACTION_SCALE, 0)
    returning = dict.fromkeys(RETURN_SCALE, 0)
    for score, answer, total in groups:
        if score is not None:
            satisfaction[score] += total
        if answer is not None:
            returning[answer] += total
    return Distributions(satisfaction, returning)


def median_hours_to_recover(client_id: int, start: datetime, end: datetime) -> float | None:
    """The median of occurred → confirmed, in calendar hours, over the confirmed cases: the
    middle one, or the mean of the two middle ones. The database ranks them and returns at
    most those two."""
    ranked = (
        counted_cases(client_id, start, end)
        .filter(confirmed_at__isnull=False)
        .annotate(
            hours=hours_to_recover(),
            position=Window(RowNumber(), order_by=[F("hours").asc(), F("pk").asc()]),
            confirmed=Window(Count("pk")),
        )
        .order_by()
    )
    middle = ranked.filter(
        position__gte=(F("confirmed") + 1) / 2, position__lte=(F("confirmed") + 2) / 2
    ).values_list("hours", flat=True)
    values = list(middle)
    if not values:
        return None
    return sum(values) / len(values)


def _counted_actions(client_id: int, start: datetime, end: datetime):
    """The actions taken on the counted cases, whenever they were taken."""
    return RecoveryAction.objects.filter(
        case__client_id=client_id,
        case__occurred_at__gte=start,
        case__occurred_at__lt=end,
        case__status__in=COUNTED_STATUSES,
    ).order_by()


@dataclass(frozen=True)
class MoneyGroup:
    """Refunds or credits in one currency on the counted cases of one nature."""

    nature: str
    code: str  # refund or credit
    currency: str
    actions: int
    cases: int
    amount: Decimal


def money_groups(client_id: int, start: datetime, end: datetime) -> list[MoneyGroup]:
    """The money given back on the counted cases, per nature, action type and currency: one
    query. Only refunds and credits carry an amount (the model's constraint)."""
    rows = (
        _counted_actions(client_id, start, end)
        .filter(amount__isnull=False, action_type__code__in=MONEY_ACTION_CODES)
        .values_list("case__nature", "action_type__code", "currency")
        .annotate(actions=Count("pk"), cases=Count("case", distinct=True), amount=Sum("amount"))
    )
    return sorted(
        (MoneyGroup(*row) for row in rows),
        key=lambda group: (group.nature, group.currency, group.code),
    )


@dataclass(frozen=True)
class MoneyTotal:
    """Refunds and credits in one currency (never added across currencies)."""

    currency: str
    refund: Decimal = Decimal("0")
    refund_actions: int = 0
    credit: Decimal = Decimal("0")
    credit_actions: int = 0

    @property
    def total(self) -> Decimal:
        return self.refund + self.credit


def money_totals(groups: list[MoneyGroup], nature: str | None = None) -> list[MoneyTotal]:
    """Refunds and credits per currency (of one nature, if given), by currency code."""
    found: dict[str, dict] = {}
    for group in groups:
        if nature is not None and group.nature != nature:
            continue
        sums = found.setdefault(group.currency, {})
        sums[group.code] = sums.get(group.code, Decimal("0")) + group.amount
        sums[f"{group.code}_actions"] = sums.get(f"{group.code}_actions", 0) + group.actions
    return [MoneyTotal(currency, **found[currency]) for currency in sorted(found)]


@dataclass(frozen=True)
class ActionCount:
    """Actions of one type taken on the counted cases, and how many cases had one."""

    code: str
    label: str
    actions: int
    cases: int


def action_counts(client_id: int, start: datetime, end: datetime) -> list[ActionCount]:
    """Actions taken per type, most taken first: one query (a case counts once per type,
    whatever the currencies of its actions)."""
    rows = (
        _counted_actions(client_id, start, end)
        .values_list("action_type__code", "action_type__label")
        .annotate(actions=Count("pk"), cases=Count("case", distinct=True))
    )
    return sorted((ActionCount(*row) for row in rows), key=lambda row: (-row.actions, row.label))
