"""Calls and agents: FCR, handle time, wait, abandonment and call-backs per agent, team and
queue; QA audit averages per criterion, agent and auditor; the trend of the last periods."""

from dataclasses import replace

from apps.calls.filters import NO_QUEUE
from apps.calls.models import Direction, Outcome
from apps.calls.quality import CRITERIA, ScoreSums, criterion_label

from ..calls import (
    CallFigures,
    calls_breakdown,
    calls_trend,
    names_of_people,
    names_of_teams,
    quality_breakdown,
)
from ..content import COUNT, MINUTES, PERCENT, SCORE, TEXT, Cell, Chart, Figure, Section, Table
from ..links import list_url
from ..scope import ReportScope
from .base import ReportView

CALL_COLUMNS = [
    "Calls",
    "FCR %",
    "Handle time (talk, min)",
    "Wait (min)",
    "Abandoned",
    "Abandonment %",
    "Call-backs due",
    "Call-back compliance %",
]
ABANDONED = {
    "direction": [Direction.INBOUND.value],
    "outcome": [Outcome.MISSED.value, Outcome.DROPPED.value],
}
HANDLE_NOTE = "Handle time is talk time: hold and wrap-up are not logged."


class CallsReportView(ReportView):
    title = "Calls and agents"
    definitions = (
        "Every call figure counts the client's calls that started in the period, in calendar "
        "time, with the definitions of the call list's own figures.",
        "First-call resolution (FCR): of the inbound calls an agent answered, the share "
        "resolved on the call that were not themselves a follow-up of an earlier call.",
        "Handle time: mean talk time of the answered calls, in minutes. It is talk time only: "
        "hold and wrap-up are not logged.",
        "Wait: mean time inbound callers waited in the queue before an agent answered, where "
        "the wait is known, in minutes.",
        "Abandonment: of the inbound calls, the share missed or dropped.",
        "Call-back compliance: of the missed or dropped inbound calls given a call-back due "
        "time (business minutes after the call, see the missed-call follow-up) and either "
        "called back or past that time, the share whose follow-up call started at or before "
        "it. Call-backs not due yet are left out; cancelled calls are not counted.",
        "QA averages: the mean of each criterion (0–5) and of the total % over the client's "
        "quality audits scored in the period; the agent is who handled the audited call.",
    )

    def sections(self, scope: ReportScope) -> list[Section]:
        period = scope.period
        client_id = scope.client.pk
        breakdown = calls_breakdown(client_id, period.start, period.end, scope.now)
        trend = calls_trend(client_id, scope.trend())
        quality = quality_breakdown(client_id, period.start, period.end)
        people = names_of_people([*breakdown.by_agent, *quality.by_agent, *quality.by_auditor])
        teams = names_of_teams(breakdown.by_team)
        links = _Links(scope)
        previous = trend[-2][1] if len(trend) > 1 else None
        return [
            Section(
                "Calls",
                figures=_headline(breakdown.overall, previous, links),
                note=HANDLE_NOTE,
            ),
            Section(
                "Per agent, team and queue",
                tables=[
                    _call_table(
                        links,
                        "agents",
                        "Per agent",
                        "Agent",
                        [
                            (
                                people.get(agent, "No agent") if agent else "No agent",
                                figures,
                                links.of_agent(agent),
                            )
                            for agent, figures in _by_calls(breakdown.by_agent)
                        ],
                    ),
                    _call_table(
                        links,
                        "teams",
                        "Per team",
                        "Team",
                        [
                            (
                                teams.get(team, "No team") if team else "No team",
                                figures,
                                links.of_team(team),
                            )
                            for team, figures in _by_calls(breakdown.by_team)
                        ],
                        note="The list cannot show the calls of no team on their own, so that "
                        "row has no link.",
                    ),
                    _call_table(
                        links,
                        "queues",
                        "Per queue or campaign",
                        "Queue",
                        [
                            (queue or "No queue", figures, links.of_queue(queue))
                            for queue, figures in _by_calls(breakdown.by_queue)
                        ],
                    ),
                ],
                note=HANDLE_NOTE,
            ),
            Section("Trend", tables=[_trend_table(trend, links)], note=HANDLE_NOTE),
            Section(
                "Quality audits",
                figures=[
                    Figure(
                        "Audits scored",
                        quality.overall.audits,
                        COUNT,
                        url=links.audits(),
                    ),
                    Figure(
                        "Average total",
                        quality.overall.averages().total,
                        PERCENT,
                        url=links.audits(),
                        help_text="Mean total % of the audits scored in the period.",
                    ),
                ],
                tables=[
                    _criteria_table(quality.overall),
                    _quality_table(
                        "qa-agents",
                        "QA per agent",
                        "Agent",
                        [
                            (
                                people.get(agent, "No agent") if agent else "No agent",
                                sums,
                                links.audits(agent=agent) if agent else "",
                            )
                            for agent, sums in _by_audits(quality.by_agent)
                        ],
                    ),
                    _quality_table(
                        "qa-auditors",
                        "QA per auditor",
                        "Auditor",
                        [
                            (people.get(auditor, "—"), sums, links.audits(auditor=auditor))
                            for auditor, sums in _by_audits(quality.by_auditor)
                        ],
                    ),
                ],
            ),
        ]


class _Links:
    """The call list (or the audit list) narrowed to the rows behind a figure."""

    def __init__(self, scope: ReportScope):
        self.scope = scope

    def calls(self, period=None, **filters) -> str:
        period = period or self.scope.period
        return list_url(
            "calls:list", self.scope, window=("occurred_at", period.start, period.end), **filters
        )

    def of_agent(self, agent: int | None) -> dict:
        return {"assignee": agent} if agent else {"assignment": "nobody"}

    def of_team(self, team: int | None) -> dict | None:
        return {"team": team} if team else None

    def of_queue(self, queue: str) -> dict:
        return {"queue": queue or NO_QUEUE}

    def audits(self, **filters) -> str:
        period = self.scope.period
        return list_url(
            "calls:audits", self.scope, window=("scored_at", period.start, period.end), **filters
        )


def _by_calls(groups: dict) -> list:
    return sorted(groups.items(), key=lambda item: (-item[1].calls, str(item[0])))


def _by_audits(groups: dict) -> list:
    return sorted(groups.items(), key=lambda item: (-item[1].audits, str(item[0])))


def _headline(figures: CallFigures, previous: CallFigures | None, links: _Links) -> list:
    def before(name: str):
        return None if previous is None else getattr(previous, name)

    shown = [
        Figure("Calls", figures.calls, COUNT, url=links.calls(), previous=before("calls")),
        Figure(
            "First-call resolution",
            figures.fcr,
            PERCENT,
            url=links.calls(),
            previous=before("fcr"),
            help_text="Answered inbound calls resolved on the call, not being follow-ups.",
        ),
        Figure(
            "Handle time (talk)",
            figures.handle_minutes,
            MINUTES,
            url=links.calls(),
            previous=before("handle_minutes"),
            help_text=HANDLE_NOTE,
        ),
        Figure(
            "Wait",
            figures.wait_minutes,
            MINUTES,
            url=links.calls(),
            previous=before("wait_minutes"),
            help_text="Mean time inbound callers waited in the queue.",
        ),
        Figure(
            "Abandonment",
            figures.abandonment,
            PERCENT,
            url=links.calls(**ABANDONED),
            previous=before("abandonment"),
            help_text="Inbound calls missed or dropped.",
        ),
        Figure(
            "Call-back compliance",
            figures.call_back_compliance,
            PERCENT,
            url=links.calls(call_back="settled"),
            help_text="Call-backs due by now or made, made by their due time.",
        ),
    ]
    return [figure if figure.value is not None else replace(figure, url="") for figure in shown]


def _cell(value, unit: str, url: str = "") -> Cell:
    """A figure's cell, linked to its rows when there is a figure to show."""
    return Cell(value, unit, url if value is not None else "")


def _call_table(
    links: _Links, key: str, title: str, label: str, rows: list, note: str = ""
) -> Table:
    """One row per group: (name, figures, the list filters of its calls or None)."""
    cells = []
    for name, figures, narrowed in rows:

        def link(narrowed=narrowed, **more) -> str:
            return "" if narrowed is None else links.calls(**narrowed, **more)

        cells.append(
            [
                Cell(name, TEXT),
                _cell(figures.calls, COUNT, link()),
                _cell(figures.fcr, PERCENT, link()),
                _cell(figures.handle_minutes, MINUTES, link()),
                _cell(figures.wait_minutes, MINUTES, link()),
                _cell(figures.abandoned, COUNT, link(**ABANDONED)),
                _cell(figures.abandonment, PERCENT, link(**ABANDONED)),
                _cell(figures.call_backs_settled, COUNT, link(call_back="settled")),
                _cell(figures.call_back_compliance, PERCENT, link(call_back="settled")),
            ]
        )
    return Table(
        key=key,
        title=title,
        columns=[label, *CALL_COLUMNS],
        rows=cells,
        chart=Chart("bar", 0, (2, 6)) if cells else None,
        note=note,
    )


def _trend_table(trend: list, links: _Links) -> Table:
    rows = [
        [
            Cell(period.short_label, TEXT),
            _cell(figures.calls, COUNT, links.calls(period)),
            _cell(figures.fcr, PERCENT, links.calls(period)),
            _cell(figures.handle_minutes, MINUTES, links.calls(period)),
            _cell(figures.wait_minutes, MINUTES, links.calls(period)),
            _cell(figures.abandonment, PERCENT, links.calls(period, **ABANDONED)),
        ]
        for period, figures in trend
    ]
    return Table(
        key="trend",
        title=f"The last {len(trend)} periods",
        columns=[
            "Period",
            "Calls",
            "FCR %",
            "Handle time (talk, min)",
            "Wait (min)",
            "Abandonment %",
        ],
        rows=rows,
        chart=Chart("line", 0, (2, 5)),
    )


def _criteria_table(overall: ScoreSums) -> Table:
    averages = overall.averages()
    rows = (
        [
            [Cell(criterion_label(name), TEXT), Cell(averages.means[name], SCORE)]
            for name in CRITERIA
        ]
        if overall.audits
        else []
    )
    return Table(
        key="qa-criteria",
        title="QA per criterion",
        columns=["Criterion", "Average (0–5)"],
        rows=rows,
        chart=Chart("bar", 0, (1,), horizontal=True),
        empty_text="No audit scored in this period.",
    )


def _quality_table(key: str, title: str, label: str, rows: list) -> Table:
    cells = []
    for name, sums, url in rows:
        averages = sums.averages()
        cells.append(
            [
                Cell(name, TEXT),
                Cell(sums.audits, COUNT, url),
                _cell(averages.total, PERCENT, url),
                *(Cell(averages.means[criterion], SCORE) for criterion in CRITERIA),
            ]
        )
    return Table(
        key=key,
        title=title,
        columns=[label, "Audits", "Average total %", *(criterion_label(c) for c in CRITERIA)],
        rows=cells,
        chart=Chart("bar", 0, (2,)) if cells else None,
        empty_text="No audit scored in this period.",
    )
