"""An auditor's panel: resolution compliance at a glance per client, and open findings.

The glance is a count from the summaries' breach flag, not the SLA report's figure: of the
records that occurred in the month (the client's calendar) and are resolved or closed now,
the share never stamped breached nor resolved after their due time.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import connection
from django.urls import NoReverseMatch, reverse

from apps.audits.models import AuditFinding
from apps.core.listing.filters import window_value
from apps.core.models.summaries import ALL_TIME, SummaryRow
from apps.reports.content import COUNT, PERCENT, Cell, Table
from apps.reports.periods import MONTH, Period, period_containing, today_in
from apps.reports.scope import clients_for
from apps.reports.summaries import Window, window_totals

from .panel import DONE, Panel, list_address, log_label, readable_logs

DEFINITIONS = (
    "Resolution compliance (glance): of the records that occurred in the month, in the "
    "client's time zone, and are resolved or closed now, the share with no breach stamp and "
    "not resolved after their due time. Records still open are left out. The SLA report "
    "counts by due time instead.",
    "Open findings: audit findings of the client not acknowledged yet.",
)


@dataclass(frozen=True)
class ClientGlance:
    client: object
    months: tuple[Period, Period]  # last month, this month
    table: Table
    open_findings: int
    findings_url: str


def months_of(client, now: datetime) -> tuple[Period, Period]:
    zone = ZoneInfo(client.timezone)
    this = period_containing(MONTH, today_in(zone, now), zone)
    return this.previous(), this


def compliance(resolved: int, compliant: int) -> float | None:
    return None if not resolved else 100.0 * compliant / resolved


def resolved_url(model, client, period: Period, now: datetime, **extra) -> str:
    """The list of the client's records of `period` (so far) that are resolved or closed."""
    parameters = [
        ("client", client.pk),
        ("window", window_value("occurred_at", period.start, min(period.end, now))),
        *(("status", value) for value in DONE),
        *extra.items(),
    ]
    return f"{list_address(model)}?{urlencode(parameters)}"


def glances(user, now: datetime) -> list[ClientGlance]:
    """Every client of `user`: this month's and last month's compliance per log (one query)
    and the findings not acknowledged (one query)."""
    clients = list(clients_for(user))
    models = readable_logs(user)
    months = {client.pk: months_of(client, now) for client in clients}
    windows = [
        Window((client.pk, index), client.pk, period.start, min(period.end, now))
        for client in clients
        for index, period in enumerate(months[client.pk])
    ]
    totals = window_totals(models, windows, group_by=("flag",), where={"status": list(DONE)})
    findings = open_findings(clients)
    glanced = []
    for client in clients:
        periods = months[client.pk]
        rows = []
        for model in models:
            label = model._meta.label_lower
            row = [Cell(log_label(model))]
            for index, period in enumerate(periods):
                late = totals.get(((client.pk, index), label, True), 0)
                kept = totals.get(((client.pk, index), label, False), 0)
                row += [
                    Cell(
                        compliance(late + kept, kept),
                        PERCENT,
                        resolved_url(model, client, period, now, breached="false"),
                    ),
                    Cell(late + kept, COUNT, resolved_url(model, client, period, now)),
                ]
            rows.append(row)
        last, this = periods
        table = Table(
            key=f"compliance-{client.pk}",
            title=f"{client.name}: resolution compliance",
            columns=[
                "Log",
                f"{last.short_label} %",
                f"{last.short_label} resolved",
                f"{this.short_label} % (so far)",
                f"{this.short_label} resolved",
            ],
            rows=rows,
        )
        query = urlencode({"client": client.pk, "acknowledged": "false"})
        glanced.append(
            ClientGlance(
                client=client,
                months=periods,
                table=table,
                open_findings=findings.get(client.pk, 0),
                findings_url=f"{reverse('audits:list')}?{query}",
            )
        )
    return glanced


def open_findings(clients) -> dict[int, int]:
    """Client id → its audit findings not acknowledged, from the summaries (one query)."""
    ids = [client.pk for client in clients]
    if not ids:
        return {}
    sql = (
        f"SELECT client_id, COALESCE(SUM(n), 0) FROM {SummaryRow._meta.db_table} "
        f"WHERE kind = %s AND NOT flag AND client_id IN ({', '.join(['%s'] * len(ids))}) "
        f"AND ((folded AND day = %s) OR NOT folded) GROUP BY client_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [AuditFinding._meta.label_lower, *ids, ALL_TIME])
        return {int(client): int(count) for client, count in cursor.fetchall()}


def sla_report_url() -> str:
    try:
        return reverse("reports:sla")
    except NoReverseMatch:
        return ""


def panels(user, now: datetime) -> list[Panel]:
    sla = sla_report_url()
    return [
        Panel(
            key="compliance",
            title="Compliance at a glance",
            template="reports/dashboard/auditor.html",
            data=glances(user, now),
            definitions=DEFINITIONS,
            links=[("SLA compliance report", sla)] if sla else [],
        )
    ]
