"""The escalations report: how fast each tier answers and resolves, how much is resolved where
it was raised, how escalations move and where they wait, where they come from, and the trend."""

from datetime import datetime

from apps.core.choices import Tier
from apps.escalations.models import EscalationChannel, EscalationOrigin

from ..content import COUNT, HOURS, PERCENT, TEXT, Cell, Chart, Figure, Section, Table
from ..escalations import (
    ALL_TIERS,
    FIRST_RESPONSE,
    RAISED_RESOLVED,
    RESOLUTION,
    STAY,
    EscalationFigures,
    escalation_figures,
)
from ..links import list_url
from ..periods import Period
from ..scope import TREND_PERIODS, ReportScope
from .base import ReportView

LIST = "escalations:list"
TIERS = [*Tier.values, ALL_TIERS]


def tier_label(tier: int) -> str:
    return "All tiers" if tier == ALL_TIERS else Tier(tier).label


def short_tier(tier: int) -> str:
    return "any tier" if tier == ALL_TIERS else f"Tier {tier}"


def _span(start: datetime, end: datetime) -> str:
    return f"{start.isoformat()}/{end.isoformat()}"


def _tier_text(tier: int) -> str:
    return "*" if tier == ALL_TIERS else str(tier)


class EscalationLinks:
    """The escalation list narrowed to the rows behind each figure."""

    def __init__(self, scope: ReportScope, figures: EscalationFigures):
        self.scope, self.figures = scope, figures

    def _period(self, k: int | None) -> Period:
        return self.figures.periods[self.figures.current if k is None else k]

    def _tiers(self, tier: int) -> list[int] | None:
        return None if tier == ALL_TIERS else [tier]

    def raised(self, k=None, **filters) -> str:
        period = self._period(k)
        return list_url(
            LIST, self.scope, window=("occurred_at", period.start, period.end), **filters
        )

    def first_responses(self, tier=ALL_TIERS, k=None) -> str:
        period = self._period(k)
        return list_url(
            LIST,
            self.scope,
            window=("first_response_at", period.start, period.end),
            raised_tier=self._tiers(tier),
        )

    def resolved(self, *, tier=ALL_TIERS, raised_tier=ALL_TIERS, at_raised=None, k=None) -> str:
        period = self._period(k)
        return list_url(
            LIST,
            self.scope,
            window=("resolved_at", period.start, period.end),
            tier=self._tiers(tier),
            raised_tier=self._tiers(raised_tier),
            at_raised_tier=None if at_raised is None else str(at_raised).lower(),
        )

    def moved(self, from_tier=ALL_TIERS, to_tier=ALL_TIERS, k=None) -> str:
        period = self._period(k)
        value = f"{_tier_text(from_tier)}-{_tier_text(to_tier)}:{_span(period.start, period.end)}"
        return list_url(LIST, self.scope, tier_move=value)

    def stayed(self, tier: int) -> str:
        period, end = self._period(None), self.figures.clipped_end
        if end <= period.start:
            return ""
        value = f"{_tier_text(tier)}:{_span(period.start, end)}"
        return list_url(LIST, self.scope, tier_stay=value)

    def waiting(self, tier: int) -> str:
        if self.figures.clipped_end <= self._period(None).start:
            return ""
        moment = self.figures.clipped_end.isoformat()
        return list_url(LIST, self.scope, waiting_at=f"{_tier_text(tier)}@{moment}")


class EscalationsReportView(ReportView):
    title = "Escalations"
    definitions = (
        "All durations are calendar hours (24×7), mean and median.",
        "Raised at tier: the tier of the escalation's first version in its history (its current "
        "tier when the history holds none).",
        "Time to first response: first response at − escalated at, of the escalations whose "
        "first response was recorded in the period, by the tier where they were raised.",
        "Time to resolution: resolved at − escalated at, of the escalations resolved in the "
        "period, by the tier they were resolved at.",
        "Resolved at tier %: of the escalations resolved in the period, the share resolved at "
        "the tier where they were raised.",
        "Tier moves: the changes of tier recorded in the escalations' history in the period "
        "(manual moves and the matrix's automatic ones), from → to; the list shows the "
        "escalations that made them.",
        "Time at tier: each stay at a tier that overlaps the period, from entering the tier "
        "(escalated, moved or reopened there) to leaving it (moved, resolved, closed or "
        "cancelled), or to the period's end (or now) while still there; time on hold counts.",
        "Origins and channels: the escalations escalated in the period.",
    )

    def sections(self, scope: ReportScope) -> list[Section]:
        figures = escalation_figures(scope, TREND_PERIODS)
        links = EscalationLinks(scope, figures)
        return [
            self._headline(figures, links),
            self._speed(figures, links),
            self._containment(figures, links),
            self._moves(figures, links),
            self._bottlenecks(figures, links),
            self._sources(figures, links),
            self._trend(figures, links),
        ]

    def _headline(self, figures: EscalationFigures, links: EscalationLinks) -> Section:
        before = figures.current - 1
        first, first_before = figures.stat(FIRST_RESPONSE), figures.stat(FIRST_RESPONSE, k=before)
        resolved, resolved_before = figures.stat(RESOLUTION), figures.stat(RESOLUTION, k=before)
        return Section(
            "At a glance",
            figures=[
                Figure(
                    "Escalations raised",
                    figures.raised[figures.current],
                    COUNT,
                    url=links.raised(),
                    previous=figures.raised[before],
                ),
                Figure(
                    "Median hours to first response",
                    first.median,
                    HOURS,
                    url=links.first_responses(),
                    previous=first_before.median,
                    help_text=f"Over {first.count} first responses; mean {_hours(first.mean)}.",
                ),
                Figure(
                    "Median hours to resolution",
                    resolved.median,
                    HOURS,
                    url=links.resolved(),
                    previous=resolved_before.median,
                    help_text=f"Over {resolved.count} resolved; mean {_hours(resolved.mean)}.",
                ),
                Figure(
                    "Resolved at tier %",
                    resolved.marked_share,
                    PERCENT,
                    url=links.resolved(at_raised=True),
                    previous=resolved_before.marked_share,
                    help_text=f"{resolved.marked} of {resolved.count} resolved where raised.",
                ),
                Figure(
                    "Escalations moved between tiers",
                    figures.moves().escalations,
                    COUNT,
                    url=links.moved(),
                    previous=figures.moves(k=before).escalations,
                    help_text=f"{figures.moves().count} tier moves.",
                ),
            ],
        )

    def _speed(self, figures: EscalationFigures, links: EscalationLinks) -> Section:
        first_rows, resolved_rows = [], []
        for tier in TIERS:
            first, resolved = figures.stat(FIRST_RESPONSE, tier), figures.stat(RESOLUTION, tier)
            first_rows.append(
                [
                    Cell(tier_label(tier)),
                    Cell(first.count, COUNT, links.first_responses(tier)),
                    Cell(first.mean, HOURS),
                    Cell(first.median, HOURS),
                ]
            )
            resolved_rows.append(
                [
                    Cell(tier_label(tier)),
                    Cell(resolved.count, COUNT, links.resolved(tier=tier)),
                    Cell(resolved.mean, HOURS),
                    Cell(resolved.median, HOURS),
                ]
            )
        chart = Chart("bar", value_columns=(2, 3))
        return Section(
            "Time to first response and to resolution",
            tables=[
                Table(
                    "first_response",
                    "Time to first response, by the tier where raised",
                    ["Raised at", "First responses", "Mean hours", "Median hours"],
                    first_rows,
                    chart=chart,
                ),
                Table(
                    "resolution",
                    "Time to resolution, by the tier resolved at",
                    ["Resolved at", "Resolved", "Mean hours", "Median hours"],
                    resolved_rows,
                    chart=chart,
                ),
            ],
            note="Calendar hours from when the escalation was raised.",
        )

    def _containment(self, figures: EscalationFigures, links: EscalationLinks) -> Section:
        rows = []
        for tier in TIERS:
            stat = figures.stat(RAISED_RESOLVED, tier)
            rows.append(
                [
                    Cell(tier_label(tier)),
                    Cell(stat.count, COUNT, links.resolved(raised_tier=tier)),
                    Cell(stat.marked, COUNT, links.resolved(raised_tier=tier, at_raised=True)),
                    Cell(stat.marked_share, PERCENT),
                ]
            )
        return Section(
            "Resolved at the tier where raised",
            tables=[
                Table(
                    "resolved_at_tier",
                    "Resolved in the period, by the tier where raised",
                    ["Raised at", "Resolved", "Resolved at that tier", "Resolved at tier %"],
                    rows,
                    chart=Chart("bar", value_columns=(3,)),
                )
            ],
        )

    def _moves(self, figures: EscalationFigures, links: EscalationLinks) -> Section:
        rows = [
            [
                Cell(f"{short_tier(from_tier)} → {short_tier(to_tier)}"),
                Cell("up" if to_tier > from_tier else "down"),
                Cell(stat.count, COUNT),
                Cell(stat.escalations, COUNT, links.moved(from_tier, to_tier)),
            ]
            for from_tier, to_tier, stat in figures.move_pairs()
        ]
        return Section(
            "Moves between tiers",
            tables=[
                Table(
                    "moves",
                    "Tier moves in the period",
                    ["Move", "Direction", "Moves", "Escalations moved"],
                    rows,
                    chart=Chart("bar", value_columns=(2,), horizontal=True),
                    empty_text="No escalation changed tier in this period.",
                )
            ],
        )

    def _bottlenecks(self, figures: EscalationFigures, links: EscalationLinks) -> Section:
        rows = []
        for tier in TIERS:
            stat = figures.stat(STAY, tier)
            rows.append(
                [
                    Cell(tier_label(tier)),
                    Cell(stat.count, COUNT),
                    Cell(stat.escalations, COUNT, links.stayed(tier)),
                    Cell(stat.mean, HOURS),
                    Cell(stat.median, HOURS),
                    Cell(stat.marked, COUNT, links.waiting(tier)),
                ]
            )
        waits = [figures.stat(STAY, tier) for tier in Tier.values]
        longest = (
            max(
                (stat.mean, tier)
                for stat, tier in zip(waits, Tier.values, strict=True)
                if stat.count
            )
            if any(stat.count for stat in waits)
            else None
        )
        note = (
            f"Escalations wait longest at {tier_label(longest[1])}: {_hours(longest[0])} on "
            "average."
            if longest
            else ""
        )
        return Section(
            "Bottlenecks: where escalations wait",
            tables=[
                Table(
                    "time_at_tier",
                    "Time at each tier",
                    [
                        "Tier",
                        "Stays",
                        "Escalations",
                        "Mean hours",
                        "Median hours",
                        "Still there at the period's end",
                    ],
                    rows,
                    chart=Chart("bar", value_columns=(3, 4)),
                )
            ],
            note=note,
        )

    def _sources(self, figures: EscalationFigures, links: EscalationLinks) -> Section:
        def table(key, title, heading, counts, choices, name):
            ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            rows = [
                [
                    Cell(dict(choices).get(value, value)),
                    Cell(count, COUNT, links.raised(**{name: value})),
                ]
                for value, count in ranked
            ]
            return Table(
                key,
                title,
                [heading, "Escalations raised"],
                rows,
                chart=Chart("bar", value_columns=(1,), horizontal=True),
            )

        return Section(
            "Top origins and channels",
            tables=[
                table(
                    "origins",
                    "By origin",
                    "Origin",
                    figures.origins,
                    EscalationOrigin.choices,
                    "origin",
                ),
                table(
                    "channels",
                    "By channel",
                    "Channel",
                    figures.channels,
                    EscalationChannel.choices,
                    "channel",
                ),
            ],
        )

    def _trend(self, figures: EscalationFigures, links: EscalationLinks) -> Section:
        volume, speed = [], []
        for k, period in enumerate(figures.periods):
            first = figures.stat(FIRST_RESPONSE, k=k)
            resolved = figures.stat(RESOLUTION, k=k)
            label = Cell(period.short_label, TEXT)
            volume.append(
                [
                    label,
                    Cell(figures.raised[k], COUNT, links.raised(k)),
                    Cell(resolved.count, COUNT, links.resolved(k=k)),
                    Cell(resolved.marked, COUNT, links.resolved(at_raised=True, k=k)),
                    Cell(figures.moves(k=k).escalations, COUNT, links.moved(k=k)),
                ]
            )
            speed.append(
                [
                    label,
                    Cell(first.median, HOURS),
                    Cell(resolved.median, HOURS),
                    Cell(resolved.marked_share, PERCENT),
                ]
            )
        return Section(
            f"Trend over the last {len(figures.periods)} periods",
            tables=[
                Table(
                    "trend_volume",
                    "Escalations raised, resolved and moved",
                    [
                        "Period",
                        "Raised",
                        "Resolved",
                        "Resolved at the tier where raised",
                        "Escalations moved",
                    ],
                    volume,
                    chart=Chart("line", value_columns=(1, 2, 4)),
                ),
                Table(
                    "trend_speed",
                    "Median hours and resolved at tier %",
                    [
                        "Period",
                        "Median hours to first response",
                        "Median hours to resolution",
                        "Resolved at tier %",
                    ],
                    speed,
                    chart=Chart("line", value_columns=(1, 2)),
                ),
            ],
        )


def _hours(value) -> str:
    return "—" if value is None else f"{value:,.1f} h"
