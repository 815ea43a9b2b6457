"""The calls and agents report's figures: one client, one period, per agent, team and queue.

FCR, handle time, wait and abandonment are the call list's own figures
(apps.calls.measures.CALL_MEASURES), read from the summaries' totals: the calls' own summary
per team and overall, the calls per agent and queue summary per agent and per queue. A call
counts in the period its start (`occurred_at`) falls in. Call-back compliance is counted live
over the period's missed and dropped inbound calls (apps.calls.callbacks), a share of a
month's calls read from their own covering index (`call_callback_owed`, PostgreSQL). QA
averages are those of the audits scored in the period (apps.calls.quality).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from apps.calls.callbacks import called_back_in_time, settled_call_backs
from apps.calls.measures import CALL_MEASURES
from apps.calls.models import Call
from apps.calls.quality import ScoreSums, scores_by_agent_and_auditor
from apps.core.humanize import person_name
from apps.core.models import Team
from apps.core.summaries.kinds import AGENT_QUEUE_COLUMNS, CALLS_BY_AGENT_QUEUE

from .periods import Period
from .summaries import period_totals

_MEASURES = {measure.label: measure for measure in CALL_MEASURES}
FCR = _MEASURES["First-call resolution"]
HANDLE = _MEASURES["Average handle time"]
WAIT = _MEASURES["Average wait"]
ABANDONMENT = _MEASURES["Abandonment"]


@dataclass(frozen=True)
class CallFigures:
    """The figures of some calls. Seconds are means; None where nothing was counted."""

    calls: int = 0
    fcr: float | None = None
    handle_seconds: float | None = None
    wait_seconds: float | None = None
    inbound: int = 0
    abandoned: int = 0
    abandonment: float | None = None
    call_backs_settled: int = 0
    call_backs_kept: int = 0

    @property
    def call_back_compliance(self) -> float | None:
        if not self.call_backs_settled:
            return None
        return 100.0 * self.call_backs_kept / self.call_backs_settled

    @property
    def handle_minutes(self) -> float | None:
        return None if self.handle_seconds is None else self.handle_seconds / 60

    @property
    def wait_minutes(self) -> float | None:
        return None if self.wait_seconds is None else self.wait_seconds / 60


def figures_from_totals(totals: dict, call_backs: tuple[int, int] = (0, 0)) -> CallFigures:
    """The figures of a summaries' totals (and the (settled, kept) call-backs counted live)."""
    if not totals or not totals["rows"]:
        return CallFigures(call_backs_settled=call_backs[0], call_backs_kept=call_backs[1])
    return CallFigures(
        calls=int(totals["rows"]),
        fcr=FCR.from_totals(totals),
        handle_seconds=HANDLE.from_totals(totals),
        wait_seconds=WAIT.from_totals(totals),
        inbound=int(totals["inbound"]),
        abandoned=int(totals["abandoned"]),
        abandonment=ABANDONMENT.from_totals(totals),
        call_backs_settled=call_backs[0],
        call_backs_kept=call_backs[1],
    )


@dataclass(frozen=True)
class CallBackCounts:
    """Settled and kept call-backs of the period's calls, per agent, team, queue and overall."""

    by_agent: dict[int | None, tuple[int, int]] = field(default_factory=dict)
    by_team: dict[int | None, tuple[int, int]] = field(default_factory=dict)
    by_queue: dict[str, tuple[int, int]] = field(default_factory=dict)
    overall: tuple[int, int] = (0, 0)


def call_back_counts(client_id: int, start: datetime, end: datetime, now: datetime):
    """One grouped query over the missed and dropped inbound calls started in [start, end)."""
    calls = Call.objects.filter(client_id=client_id, occurred_at__gte=start, occurred_at__lt=end)
    rows = (
        settled_call_backs(calls, now)
        .order_by()
        .values_list("assignee_id", "team_id", "queue")
        .annotate(settled=Count("pk"), kept=Count("pk", filter=Q(called_back_in_time())))
    )
    by_agent: dict = {}
    by_team: dict = {}
    by_queue: dict = {}
    overall = (0, 0)

    def add(into: dict, key, settled: int, kept: int) -> None:
        before = into.get(key, (0, 0))
        into[key] = (before[0] + settled, before[1] + kept)

    for agent, team, queue, settled, kept in rows:
        add(by_agent, agent, settled, kept)
        add(by_team, team, settled, kept)
        add(by_queue, queue, settled, kept)
        overall = (overall[0] + settled, overall[1] + kept)
    return CallBackCounts(by_agent, by_team, by_queue, overall)


@dataclass(frozen=True)
class CallsBreakdown:
    overall: CallFigures
    by_agent: dict[int | None, CallFigures]  # None: calls with no agent
    by_team: dict[int | None, CallFigures]  # None: calls with no team
    by_queue: dict[str, CallFigures]  # "": calls with no queue


def _nonzero(found: dict) -> dict:
    return {key: totals for key, totals in found.items() if totals["rows"]}


def calls_breakdown(client_id: int, start: datetime, end: datetime, now: datetime):
    """The figures of the client's calls started in [start, end): five queries at any volume."""
    overall = period_totals(Call, client_id, start, end).get((), None)
    teams = _nonzero(period_totals(Call, client_id, start, end, group_by=("team_id",)))
    agents = _nonzero(
        period_totals(
            Call,
            client_id,
            start,
            end,
            group_by=(AGENT_QUEUE_COLUMNS["agent"],),
            kind=CALLS_BY_AGENT_QUEUE,
        )
    )
    queues = _nonzero(
        period_totals(
            Call,
            client_id,
            start,
            end,
            group_by=(AGENT_QUEUE_COLUMNS["queue"],),
            kind=CALLS_BY_AGENT_QUEUE,
        )
    )
    call_backs = call_back_counts(client_id, start, end, now)

    def none_for_zero(value: int) -> int | None:
        return value or None

    return CallsBreakdown(
        overall=figures_from_totals(overall, call_backs.overall),
        by_agent={
            none_for_zero(key[0]): figures_from_totals(
                totals, call_backs.by_agent.get(none_for_zero(key[0]), (0, 0))
            )
            for key, totals in agents.items()
        },
        by_team={
            none_for_zero(key[0]): figures_from_totals(
                totals, call_backs.by_team.get(none_for_zero(key[0]), (0, 0))
            )
            for key, totals in teams.items()
        },
        by_queue={
            key[0]: figures_from_totals(totals, call_backs.by_queue.get(key[0], (0, 0)))
            for key, totals in queues.items()
        },
    )


def calls_trend(client_id: int, periods: list[Period]) -> list[tuple[Period, CallFigures]]:
    """The figures of each period (summaries only: one query each)."""
    return [
        (
            period,
            figures_from_totals(period_totals(Call, client_id, period.start, period.end).get(())),
        )
        for period in periods
    ]


@dataclass(frozen=True)
class QualityBreakdown:
    overall: ScoreSums
    by_agent: dict[int | None, ScoreSums]
    by_auditor: dict[int, ScoreSums]


def quality_breakdown(client_id: int, start: datetime, end: datetime) -> QualityBreakdown:
    """QA audit sums of the audits scored in [start, end): overall, per agent, per auditor."""
    overall, by_agent, by_auditor = ScoreSums(), {}, {}
    for (agent, auditor), sums in scores_by_agent_and_auditor(client_id, start, end).items():
        overall.add(sums)
        by_agent.setdefault(agent, ScoreSums()).add(sums)
        by_auditor.setdefault(auditor, ScoreSums()).add(sums)
    return QualityBreakdown(overall, by_agent, by_auditor)


def names_of_people(ids) -> dict[int, str]:
    ids = {pk for pk in ids if pk}
    if not ids:
        return {}
    return {user.pk: person_name(user) for user in get_user_model().objects.filter(pk__in=ids)}


def names_of_teams(ids) -> dict[int, str]:
    ids = {pk for pk in ids if pk}
    if not ids:
        return {}
    return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
