"""The recovery report: how many customers were won back, how they felt about it, how long it
took, and what it cost, per nature of issue and over the last periods."""

from apps.recovery.models import NatureOfIssue

from .. import recovery as figures
from ..content import COUNT, HOURS, MONEY, PERCENT, SCORE, TEXT, Cell, Chart, Figure, Section, Table
from ..links import list_url
from ..scope import ReportScope
from .base import ReportView

LIST = "recovery:list"
MONEY_TYPES = (("refund", "Refunds"), ("credit", "Credits"))


def _share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


class Links:
    """The recovery list narrowed to the counted cases of a period, and further."""

    def __init__(self, scope: ReportScope):
        self.scope = scope

    def cases(self, period=None, **filters) -> str:
        period = period or self.scope.period
        return list_url(
            LIST,
            self.scope,
            window=("occurred_at", period.start, period.end),
            status=list(figures.COUNTED_STATUSES),
            **filters,
        )

    def recovered(self, period=None, **filters) -> str:
        return self.cases(period, recovered="true", **filters)

    def with_satisfaction(self, period=None, **filters) -> str:
        return self.cases(period, satisfaction=list(figures.SATISFACTION_SCALE), **filters)

    def with_return(self, period=None, **filters) -> str:
        return self.cases(period, likelihood_to_return=list(figures.RETURN_SCALE), **filters)

    def confirmed(self, period=None, **filters) -> str:
        return self.cases(period, confirmed="true", **filters)


class RecoveryReportView(ReportView):
    title = "Customer recovery"
    definitions = (
        "Every figure counts the client's recovery cases whose issue occurred in the period "
        "(in the client's time zone), whatever happened later; cancelled cases are left out.",
        "Recovery rate: the cases whose resolution the customer confirmed and whose latest "
        "word is satisfied (latest feedback 4 or 5 out of 5; without feedback, the latest "
        "interaction marked satisfied), out of all cases counted.",
        "Satisfaction after recovery: each case's latest feedback score (1–5), cases with "
        "feedback; likelihood to return: each case's latest answer (0–10), cases where the "
        "customer answered.",
        "Hours to recover: calendar hours from when the issue occurred to the customer's "
        "confirmation of the resolution, confirmed cases only; the median is the middle case "
        "(the mean of the two middle ones when their number is even).",
        "Refunds and credits: the amounts of the refund and credit actions on the cases "
        "counted, whenever they were given, summed per currency and never across currencies.",
        "Trend: the same figures for each of the last six periods of the same length.",
    )

    def sections(self, scope: ReportScope) -> list[Section]:
        client_id = scope.client.pk
        start, end = scope.period.start, scope.period.end
        links = Links(scope)
        trend = figures.outcome_trend(client_id, scope.trend())
        now = trend[-1][1]
        before = trend[-2][1] if len(trend) > 1 else figures.Outcomes()
        return [
            self.rate_section(links, now, before, trend),
            self.scores_section(
                links, now, before, figures.score_distributions(client_id, start, end)
            ),
            self.time_section(
                links, now, before, figures.median_hours_to_recover(client_id, start, end)
            ),
            self.nature_section(links, figures.outcomes_by_nature(client_id, start, end)),
            self.money_section(
                links,
                figures.money_groups(client_id, start, end),
                figures.action_counts(client_id, start, end),
            ),
        ]

    def rate_section(self, links, now, before, trend) -> Section:
        return Section(
            "Recovery rate",
            figures=[
                Figure("Cases", now.cases, COUNT, links.cases(), previous=before.cases),
                Figure(
                    "Recovered", now.recovered, COUNT, links.recovered(), previous=before.recovered
                ),
                Figure(
                    "Recovery rate",
                    now.rate,
                    PERCENT,
                    links.recovered(),
                    previous=before.rate,
                    help_text="Confirmed by the customer and satisfied, out of all cases.",
                ),
            ],
            tables=[
                Table(
                    "recovery-trend",
                    "Recovery rate, last six periods",
                    ["Period", "Cases", "Recovered", "Recovery rate"],
                    [
                        [
                            Cell(period.short_label),
                            Cell(values.cases, COUNT, links.cases(period)),
                            Cell(values.recovered, COUNT, links.recovered(period)),
                            Cell(values.rate, PERCENT),
                        ]
                        for period, values in trend
                    ],
                    chart=Chart("line", 0, (3,)),
                ),
                Table(
                    "satisfaction-trend",
                    "Satisfaction, likelihood to return and hours to recover, last six periods",
                    [
                        "Period",
                        "Avg. satisfaction (1–5)",
                        "Avg. likelihood to return (0–10)",
                        "Mean hours to recover",
                    ],
                    [
                        [
                            Cell(period.short_label),
                            Cell(values.satisfaction, SCORE, links.with_satisfaction(period)),
                            Cell(values.likelihood_to_return, SCORE, links.with_return(period)),
                            Cell(values.mean_hours, HOURS, links.confirmed(period)),
                        ]
                        for period, values in trend
                    ],
                    chart=Chart("line", 0, (1, 2)),
                ),
            ],
        )

    def scores_section(self, links, now, before, spread) -> Section:
        return Section(
            "Satisfaction and likelihood to return",
            figures=[
                Figure(
                    "Avg. satisfaction (1–5)",
                    now.satisfaction,
                    SCORE,
                    links.with_satisfaction(),
                    previous=before.satisfaction,
                ),
                Figure(
                    "Cases with feedback",
                    now.with_satisfaction,
                    COUNT,
                    links.with_satisfaction(),
                ),
                Figure(
                    "Avg. likelihood to return (0–10)",
                    now.likelihood_to_return,
                    SCORE,
                    links.with_return(),
                    previous=before.likelihood_to_return,
                ),
                Figure("Cases with an answer", now.with_return, COUNT, links.with_return()),
            ],
            tables=[
                self.spread_table(
                    "satisfaction",
                    "Latest satisfaction (1–5)",
                    spread.satisfaction,
                    now.with_satisfaction,
                    lambda score: links.cases(satisfaction=score),
                ),
                self.spread_table(
                    "likelihood-to-return",
                    "Likelihood to return (0–10)",
                    spread.likelihood_to_return,
                    now.with_return,
                    lambda answer: links.cases(likelihood_to_return=answer),
                ),
            ],
        )

    def spread_table(self, key, title, counts, whole, link) -> Table:
        rows = [
            [Cell(str(score)), Cell(total, COUNT, link(score)), Cell(_share(total, whole), PERCENT)]
            for score, total in counts.items()
        ]
        return Table(
            key,
            title,
            ["Score", "Cases", "Share"],
            rows if whole else [],
            chart=Chart("bar", 0, (1,)),
            empty_text="No answers in this period.",
        )

    def time_section(self, links, now, before, median) -> Section:
        return Section(
            "Time to recover",
            figures=[
                Figure(
                    "Mean hours to recover",
                    now.mean_hours,
                    HOURS,
                    links.confirmed(),
                    previous=before.mean_hours,
                ),
                Figure("Median hours to recover", median, HOURS, links.confirmed()),
                Figure("Confirmed cases", now.confirmed, COUNT, links.confirmed()),
            ],
            note="Calendar hours, from when the issue occurred to the customer's confirmation.",
        )

    def nature_section(self, links, by_nature) -> Section:
        labels = dict(NatureOfIssue.choices)
        order = [value for value in NatureOfIssue.values if value in by_nature]
        rows = [
            [
                Cell(labels[nature]),
                Cell(values.cases, COUNT, links.cases(nature=nature)),
                Cell(values.recovered, COUNT, links.recovered(nature=nature)),
                Cell(values.rate, PERCENT),
                Cell(values.satisfaction, SCORE, links.with_satisfaction(nature=nature)),
                Cell(values.likelihood_to_return, SCORE, links.with_return(nature=nature)),
                Cell(values.mean_hours, HOURS, links.confirmed(nature=nature)),
            ]
            for nature, values in ((nature, by_nature[nature]) for nature in order)
        ]
        return Section(
            "Per nature of issue",
            tables=[
                Table(
                    "per-nature",
                    "Recovery per nature of issue",
                    [
                        "Nature of issue",
                        "Cases",
                        "Recovered",
                        "Recovery rate",
                        "Avg. satisfaction",
                        "Avg. likelihood to return",
                        "Mean hours to recover",
                    ],
                    rows,
                    chart=Chart("bar", 0, (3,), horizontal=True),
                )
            ],
        )

    def money_section(self, links, groups, counts) -> Section:
        per_currency = figures.money_totals(groups)
        money_codes = [code for code, _ in MONEY_TYPES]

        def amount(total, code, **filters) -> Cell:
            value = getattr(total, code)
            url = links.cases(action_type=code, currency=total.currency, **filters)
            return Cell(value, MONEY, url if value else "")

        def both(total, **filters) -> Cell:
            url = links.cases(action_type=money_codes, currency=total.currency, **filters)
            return Cell(total.total, MONEY, url)

        labels = dict(NatureOfIssue.choices)
        present = {group.nature for group in groups}
        natures = [value for value in NatureOfIssue.values if value in present]
        return Section(
            "Refunds and credits",
            figures=[
                Figure(
                    f"Refunds and credits, {total.currency}",
                    total.total,
                    MONEY,
                    links.cases(action_type=money_codes, currency=total.currency),
                )
                for total in per_currency
            ],
            note="Summed per currency, never across currencies.",
            tables=[
                Table(
                    "money-per-currency",
                    "Refunds and credits per currency",
                    ["Currency", "Refunds", "Refund actions", "Credits", "Credit actions", "Total"],
                    [
                        [
                            Cell(total.currency, TEXT),
                            amount(total, "refund"),
                            Cell(total.refund_actions, COUNT),
                            amount(total, "credit"),
                            Cell(total.credit_actions, COUNT),
                            both(total),
                        ]
                        for total in per_currency
                    ],
                    empty_text="No refunds or credits on the cases of this period.",
                ),
                Table(
                    "money-per-nature",
                    "Refunds and credits per nature of issue",
                    ["Nature of issue", "Currency", "Refunds", "Credits", "Total"],
                    [
                        [
                            Cell(labels[nature]),
                            Cell(total.currency),
                            amount(total, "refund", nature=nature),
                            amount(total, "credit", nature=nature),
                            both(total, nature=nature),
                        ]
                        for nature in natures
                        for total in figures.money_totals(groups, nature)
                    ],
                    empty_text="No refunds or credits on the cases of this period.",
                ),
                Table(
                    "actions-per-type",
                    "Recovery actions per type",
                    ["Action", "Actions", "Cases"],
                    [
                        [
                            Cell(count.label),
                            Cell(count.actions, COUNT),
                            Cell(count.cases, COUNT, links.cases(action_type=count.code)),
                        ]
                        for count in counts
                    ],
                    chart=Chart("bar", 0, (1,), horizontal=True),
                    empty_text="No recovery actions on the cases of this period.",
                ),
            ],
        )
