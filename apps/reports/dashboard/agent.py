"""An agent's panel: their own open records of every log, soonest due first."""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.db import connection
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from apps.core.capped_counts import CAP
from apps.core.choices import SEVERITY_COLOURS, Severity, Status
from apps.core.scoping import accessible_client_ids, sees_every_client

from .panel import OPEN, Panel, list_address, log_label, readable_logs

SHOWN = 20


@dataclass(frozen=True)
class WorkItem:
    reference: str
    title: str
    log: str
    severity: str
    status: str
    due: datetime | None
    url: str
    overdue: bool

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def severity_colour(self) -> str:
        return SEVERITY_COLOURS[self.severity]

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass(frozen=True)
class OpenWork:
    items: list[WorkItem]  # at most SHOWN, soonest due first, no due time last
    total: int  # each log's count counted up to CAP + 1
    lists: list[tuple[str, int, str]]  # (log, how many open up to CAP + 1, the list of them)

    @property
    def capped(self) -> bool:
        return any(count > CAP for _, count, _ in self.lists)

    @property
    def total_text(self) -> str:
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"

    @property
    def counts(self) -> list[tuple[str, str, str]]:
        """(log, how many as shown: "1,000+" beyond CAP, the list of them)."""
        return [
            (label, f"{CAP:,}+" if count > CAP else f"{count:,}", url)
            for label, count, url in self.lists
        ]


def mine_url(model) -> str:
    """The list of the open records assigned to whoever opens it."""
    query = urlencode([*(("status", value) for value in OPEN), ("assignment", "me")])
    return f"{list_address(model)}?{query}"


def open_work(user, now: datetime, *, shown: int = SHOWN) -> OpenWork:
    """The open records assigned to `user`, of the clients they work for, in one query: the
    first `shown` of each log by due time (read in that order from each log's index of open
    records by assignee and due time), and how many each log holds, counted up to `CAP`."""
    models = readable_logs(user)
    if not models or not user.is_authenticated:
        return OpenWork([], 0, [])
    clients = None if sees_every_client(user) else sorted(accessible_client_ids(user))
    if clients == []:
        return OpenWork([], 0, [(log_label(m), 0, mine_url(m)) for m in models])
    status_in = ", ".join(["%s"] * len(OPEN))
    scope = f" AND client_id IN ({', '.join(['%s'] * len(clients))})" if clients else ""
    parts, params = [], []
    for index, model in enumerate(models):
        table = f'"{model._meta.db_table}"'
        mine = f"assignee_id = %s AND status IN ({status_in}){scope}"
        mine_params = [user.pk, *OPEN, *(clients or [])]
        parts.append(
            f"SELECT * FROM (SELECT {index} AS log, reference, title, severity, status, "
            f"resolution_due, (SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {mine} "
            f"LIMIT {CAP + 1}) AS counted) AS total FROM {table} WHERE {mine} "
            f"ORDER BY resolution_due ASC NULLS LAST, id LIMIT {int(shown)}) AS part{index}"
        )
        params += [*mine_params, *mine_params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = cursor.fetchall()
    totals = dict.fromkeys(range(len(models)), 0)
    items = []
    for index, reference, title, severity, status, due, total in found:
        model = models[index]
        totals[index] = int(total)
        due = _aware(due)
        items.append(
            WorkItem(
                reference=reference,
                title=title,
                log=str(model._meta.verbose_name).capitalize(),
                severity=severity,
                status=status,
                due=due,
                url=reverse(f"{model._meta.app_label}:detail", args=[reference]),
                overdue=due is not None and due < now,
            )
        )
    items.sort(key=lambda item: (item.due is None, item.due or now, item.reference))
    lists = [
        (log_label(model), totals[index], mine_url(model)) for index, model in enumerate(models)
    ]
    return OpenWork(items[:shown], sum(totals.values()), lists)


def _aware(value) -> datetime | None:
    """A moment as the cursor gives it (SQLite: text in UTC) as an aware datetime."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_datetime(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def panels(user, now: datetime) -> list[Panel]:
    work = open_work(user, now)
    return [
        Panel(
            key="my-open-work",
            title="My open work",
            template="reports/dashboard/agent.html",
            data=work,
            note=(
                "Open records assigned to you, of every log, soonest resolution due time "
                f"first; overdue ones in red. The first {SHOWN} are shown."
            ),
        )
    ]
