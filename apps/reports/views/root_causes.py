"""The root-cause report: a Pareto of the causes, the causes per service, and how the
corrective actions decided on them stand."""

from django.utils import timezone

from apps.failures.actions import ACTION_STATES, OPEN, OVERDUE

from ..content import COUNT, PERCENT, TEXT, Cell, Chart, Figure, Section, Table
from ..links import list_url
from ..root_causes import (
    CAUSE_KINDS,
    FAILURES,
    SERVICE_KINDS,
    causes_per_service,
    corrective_actions_per_cause,
    pareto,
)
from ..scope import ReportScope
from .base import ReportView


class RootCauseReportView(ReportView):
    title = "Root causes"
    definitions = (
        "A record is counted in the period when it occurred in it (calendar time, the "
        "client's time zone).",
        "Pareto: interruptions, failure reports and escalations per root-cause category, the "
        "most frequent first; the cumulative share is of the records with a recorded cause.",
        "Causes per service: an interruption counts once for each service it affected; a "
        "failure report for the service it names; escalations name no service.",
        "Corrective actions: those of the failure reports that occurred in the period, as "
        "they stand today: open (neither done nor waived), overdue (open, due date before "
        "today), done, waived. Interruptions record corrective actions as text only.",
    )

    def sections(self, scope: ReportScope) -> list[Section]:
        client, start, end = scope.client.pk, scope.period.start, scope.period.end
        window = ("occurred_at", start, end)
        causes = pareto(client, start, end)
        per_service = causes_per_service(client, start, end)
        actions = corrective_actions_per_cause(client, start, end, timezone.localdate(scope.now))
        return [
            self._pareto_section(scope, window, causes, actions),
            self._service_section(scope, window, per_service),
            self._actions_section(scope, window, actions),
        ]

    def _pareto_section(self, scope, window, causes, actions) -> Section:
        figures = [
            Figure(
                kind.label,
                sum(row.counts[kind.key] for row in causes),
                COUNT,
                url=list_url(kind.list_url_name, scope, window=window),
                help_text=f"{kind.label} that occurred in the period.",
            )
            for kind in CAUSE_KINDS
        ]
        figures += [
            Figure(
                f"{label} corrective actions",
                sum(row.counts[state] for row in actions),
                COUNT,
                url=list_url(FAILURES.list_url_name, scope, window=window, actions=state),
                help_text="Actions of the period's failure reports; the link lists the "
                "reports holding them.",
            )
            for state, label in ACTION_STATES
            if state in (OPEN, OVERDUE)
        ]
        rows = []
        for row in causes:
            cells = [Cell(row.label, TEXT)]
            for kind in CAUSE_KINDS:
                cells.append(
                    Cell(
                        row.counts[kind.key],
                        COUNT,
                        list_url(kind.list_url_name, scope, window=window, root_cause=row.category),
                    )
                )
            cells += [Cell(row.total, COUNT), Cell(row.cumulative_percent, PERCENT)]
            rows.append(cells)
        table = Table(
            key="pareto",
            title="Pareto of root causes",
            columns=["Root cause", *(kind.label for kind in CAUSE_KINDS), "Total", "Cumulative %"],
            rows=rows,
            chart=Chart(kind="stacked", value_columns=(1, 2, 3)),
            note="Most frequent first. “Not recorded” is shown last and left out of the "
            "cumulative share.",
        )
        return Section("Root causes in the period", figures=figures, tables=[table])

    def _service_section(self, scope, window, per_service) -> Section:
        rows = []
        for row in per_service:
            cells = [Cell(row.service_name, TEXT), Cell(row.label, TEXT)]
            for kind in SERVICE_KINDS:
                cells.append(
                    Cell(
                        row.counts[kind.key],
                        COUNT,
                        list_url(
                            kind.list_url_name,
                            scope,
                            window=window,
                            service=row.service_id,
                            root_cause=row.category,
                        ),
                    )
                )
            cells.append(Cell(row.total, COUNT))
            rows.append(cells)
        table = Table(
            key="per-service",
            title="Recurring causes per service",
            columns=["Service", "Root cause", *(kind.label for kind in SERVICE_KINDS), "Total"],
            rows=rows,
            note="Records with a recorded cause that name a service; the most records first.",
        )
        return Section("Causes per service", tables=[table])

    def _actions_section(self, scope, window, actions) -> Section:
        rows = []
        for row in actions:
            cells = [Cell(row.label, TEXT)]
            for state, _ in ACTION_STATES:
                cells.append(
                    Cell(
                        row.counts[state],
                        COUNT,
                        list_url(
                            FAILURES.list_url_name,
                            scope,
                            window=window,
                            root_cause=row.category,
                            actions=state,
                        ),
                    )
                )
            rows.append(cells)
        table = Table(
            key="corrective-actions",
            title="Corrective actions per cause",
            columns=["Root cause", *(label for _, label in ACTION_STATES)],
            rows=rows,
            chart=Chart(kind="stacked", value_columns=(1, 3, 4), horizontal=True),
            note="Counts of actions; each links to the failure reports holding them. "
            "Overdue actions are also open.",
            empty_text="No corrective action on the period's failure reports.",
        )
        return Section("Corrective actions", tables=[table])
