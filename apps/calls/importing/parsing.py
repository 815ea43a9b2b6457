"""One row of a telephony export → an unsaved Call, or the reasons it cannot be one.

Everything the rows refer to (clients, users, code list entries) is looked up once, before
the first row, into dictionaries; checking a row asks the database nothing.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.choices import Severity, Status
from apps.core.dates import earliest_date, latest_date, range_message
from apps.core.input_rules import control_character_problem
from apps.core.models import Client, ClientAssignment, CodeListEntry, TeamMembership
from apps.core.scoping import accessible_client_ids, sees_every_client
from apps.core.targets import default_resolution_due

from ..models import Call, Direction, Outcome, Sentiment
from ..services import with_durations

DEFAULT_SEVERITY = Severity.SEV4.value
# Plain tuples: the enums' `.values` are rebuilt on every access, too slow for every row.
DIRECTIONS = tuple(Direction.values)
OUTCOMES = tuple(Outcome.values)
SENTIMENTS = tuple(Sentiment.values)
SEVERITIES = tuple(Severity.values)
QUERY_CATEGORY = CodeListEntry.ListName.QUERY_CATEGORY.value
DISPOSITION = CodeListEntry.ListName.DISPOSITION.value
TEXT_FIELDS = (
    "caller_number",
    "customer_name",
    "account_reference",
    "queue",
    "title",
    "description",
    "resolution",
    "escalation_notes",
)
LIMITS = {
    name: Call._meta.get_field(name).max_length
    for name in ("external_call_id", *TEXT_FIELDS)
    if Call._meta.get_field(name).max_length
}
# The column's own bounds (what the database can store), checked only beyond a plain int4.
SECONDS_VALIDATORS = {
    name: tuple(Call._meta.get_field(name).validators) for name in ("wait_seconds", "talk_seconds")
}
INT4_MAX = 2_147_483_647


class RowError(ValueError):
    """A row that cannot be imported; the message says why."""


@dataclass
class Lookups:
    """What the rows may refer to, for one importing user."""

    clients: dict[str, Client]  # code (lower case) → client the user works for
    zones: dict[int, ZoneInfo]
    codes: dict[tuple[str, str], CodeListEntry]  # (list name, code) → active entry
    agents: dict[str, tuple[object, frozenset[int]]]  # username → (user, their client ids)
    actor: object
    now: datetime = field(default_factory=timezone.now)
    # The portal's range of plausible moments (apps.core.dates), worked out once per import.
    earliest: datetime = field(
        default_factory=lambda: datetime.combine(earliest_date(), time.min, tzinfo=UTC)
    )
    latest: datetime = field(
        default_factory=lambda: datetime.combine(latest_date(), time.max, tzinfo=UTC)
    )

    @classmethod
    def for_user(cls, actor) -> "Lookups":
        client_ids = accessible_client_ids(actor)
        clients = {
            client.code.lower(): client
            for client in Client.objects.filter(pk__in=client_ids, active=True)
        }
        codes = {
            (entry.list_name, entry.code.lower()): entry
            for entry in CodeListEntry.objects.filter(
                active=True,
                list_name__in=[
                    CodeListEntry.ListName.QUERY_CATEGORY,
                    CodeListEntry.ListName.DISPOSITION,
                ],
            )
        }
        return cls(
            clients=clients,
            zones={client.pk: ZoneInfo(client.timezone) for client in clients.values()},
            codes=codes,
            agents=_agents_of(client_ids),
            actor=actor,
        )


def _agents_of(client_ids) -> dict[str, tuple[object, frozenset[int]]]:
    """Active users who work for any of the clients, with the clients each works for."""
    user_model = get_user_model()
    users: dict[int, object] = {}
    clients_of: dict[int, set[int]] = {}
    memberships = TeamMembership.objects.filter(
        team__clients__in=client_ids, user__is_active=True
    ).values_list("user_id", "team__clients")
    assignments = ClientAssignment.objects.filter(
        client__in=client_ids, user__is_active=True
    ).values_list("user_id", "client_id")
    for user_id, client_id in [*memberships, *assignments]:
        clients_of.setdefault(user_id, set()).add(client_id)
    for user in user_model.objects.filter(pk__in=clients_of):
        users[user.pk] = user
    everyone = frozenset(client_ids)
    agents = {
        user.get_username().lower(): (user, frozenset(clients_of[user.pk]))
        for user in users.values()
    }
    for user in user_model.objects.filter(is_active=True, is_superuser=True):
        if sees_every_client(user):
            agents[user.get_username().lower()] = (user, everyone)
    return agents


def _choice(value: str, choices: tuple[str, ...], label: str, required: bool) -> str:
    value = value.strip().lower()
    if not value:
        if required:
            raise RowError(f"{label} is missing")
        return ""
    if value not in choices:
        raise RowError(f"{label} “{value}” is not one of {', '.join(choices)}")
    return value


def _when(value: str, zone: ZoneInfo, label: str, lookups: Lookups) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RowError(
            f"{label} “{value}” is not a date and time like 2026-03-02 09:15:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    # Aware datetimes of any offsets compare exactly (apps.core.dates.is_plausible).
    if not lookups.earliest <= parsed <= lookups.latest:
        raise RowError(f"{label} “{value}”: {range_message()}")
    return parsed


def _seconds(value: str, label: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise RowError(f"{label} “{value}” is not a whole number of seconds") from None
    if number < 0:
        raise RowError(f"{label} cannot be negative")
    if number > INT4_MAX:
        try:
            for validate in SECONDS_VALIDATORS[label]:
                validate(number)
        except ValidationError as error:
            raise RowError(
                f"{label} “{value}” is out of range: {' '.join(error.messages)}"
            ) from None
    return number


def _code(lookups: Lookups, list_name: str, value: str, label: str) -> CodeListEntry | None:
    value = value.strip().lower()
    if not value:
        return None
    entry = lookups.codes.get((list_name, value))
    if entry is None:
        raise RowError(f"{label} “{value}” is not an active code")
    return entry


def default_title(direction: str, category: CodeListEntry | None) -> str:
    title = f"{Direction(direction).label} call"
    return f"{title} · {category.label}" if category else title


def parse_row(values: dict[str, str], lookups: Lookups) -> dict:
    """The column values of a new call (attribute name → value) for a row (column name →
    text), or RowError with every reason it cannot be imported.

    The row is held to the same rules as a call saved through the form: the model's own
    `problems()` and `closing_problems()`, applied to the row's values.
    """
    # One search over the whole row (line breaks are allowed text); only a row that has a
    # control character is searched cell by cell, to name them.
    unreadable = control_character_problem("\n".join(values.values())) and [
        f"{name} {problem}"
        for name, text in values.items()
        if (problem := control_character_problem(text))
    ]
    if unreadable:
        # Nothing else about such a row can be trusted, nor stored (PostgreSQL refuses NUL).
        raise RowError("; ".join(unreadable))
    reasons: list[str] = []

    def attempt(function, *args):
        try:
            return function(*args)
        except RowError as error:
            reasons.append(str(error))
            return None

    code = values.get("client", "").strip().lower()
    client = lookups.clients.get(code)
    if client is None:
        # The same words whether the client exists or not: nothing about other clients leaks.
        raise RowError(
            f"client “{code}” is not one of your clients" if code else "client is missing"
        )
    zone = lookups.zones[client.pk]
    external_id = values.get("external_call_id", "").strip()
    if not external_id:
        reasons.append("external_call_id is missing")
    direction = attempt(_choice, values.get("direction", ""), DIRECTIONS, "direction", True)
    outcome = attempt(_choice, values.get("outcome", ""), OUTCOMES, "outcome", True)
    sentiment = attempt(_choice, values.get("sentiment", ""), SENTIMENTS, "sentiment", False)
    severity = values.get("severity", "").strip().upper() or DEFAULT_SEVERITY
    if severity not in SEVERITIES:
        reasons.append(f"severity “{severity}” is not one of {', '.join(SEVERITIES)}")
    started = attempt(_when, values.get("started_at", ""), zone, "started_at", lookups)
    if started is None and not any(reason.startswith("started_at") for reason in reasons):
        reasons.append("started_at is missing")
    row = {
        name: attempt(_when, values.get(name, ""), zone, name, lookups)
        for name in ("answered_at", "ended_at", "follow_up_due")
    }
    for name in ("wait_seconds", "talk_seconds"):
        row[name] = attempt(_seconds, values.get(name, ""), name)
    category = attempt(
        _code, lookups, QUERY_CATEGORY, values.get("query_category", ""), "query_category"
    )
    disposition = attempt(_code, lookups, DISPOSITION, values.get("disposition", ""), "disposition")
    agent_id = None
    username = values.get("agent", "").strip().lower()
    if username:
        found = lookups.agents.get(username)
        if found is None or client.pk not in found[1]:
            reasons.append(f"agent “{username}” does not work for {client.code}")
        else:
            agent_id = found[0].pk
    for name in TEXT_FIELDS:
        row[name] = values.get(name, "").strip()
    row["external_call_id"] = external_id
    for name, limit in LIMITS.items():
        if len(row[name]) > limit:
            reasons.append(f"{name} is longer than {limit} characters")
    if reasons:
        raise RowError("; ".join(reasons))
    row.update(
        client_id=client.pk,
        direction=direction,
        outcome=outcome,
        sentiment=sentiment,
        severity=severity,
        occurred_at=started,
        query_category_id=category.pk if category else None,
        disposition_id=disposition.pk if disposition else None,
        assignee_id=agent_id,
        reported_by_id=lookups.actor.pk,
        follow_up_of_id=None,
        status=Status.NEW.value,
        title=row["title"] or default_title(direction, category),
        resolution_due=default_resolution_due(severity, started),
    )
    row.update(with_durations(row))
    view = SimpleNamespace(**row, pk=None, query_category=category, disposition=disposition)
    problems = Call.problems(view, now=lookups.now)
    if problems:
        raise RowError("; ".join(f"{name}: {message}" for name, message in problems.items()))
    if outcome == Outcome.RESOLVED and not Call.closing_problems(view):
        # Dealt with on the call and complete: nothing left for the queue.
        row["status"] = Status.CLOSED.value
        row["resolved_at"] = row["closed_at"] = row["ended_at"] or row["answered_at"] or started
    return row
