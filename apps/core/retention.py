"""Personal data kept no longer than each client's retention period, then anonymised.

Each log kind declares its personal-data fields once, from its app's `ready()`:

    register_personal_data(Call, fields=("caller_number", ...), names=("customer_name",))

A record is past retention when it is finished (resolved, closed or cancelled) and its last
activity (closed at, else resolved at, else occurred at) is older than its client's retention
in calendar months, counted back from now on the client's own calendar. Open records are never
touched. Anonymising replaces a name with ANONYMISED_NAME and empties the other fields, in the
record and in every one of its history versions (otherwise the history would keep what the
record no longer holds), and adds one history version saying why. Nothing is deleted and no
other field changes; the version goes up by one like any change, so an edit form opened before
the anonymisation is refused instead of writing the personal data back.

A record is "done" when each name holds the marker and every other field is empty: a record
whose fields someone emptied by hand is still anonymised once, so its history is scrubbed too.

Set-based and safe to run twice or on two workers at once: per kind and client, batches of
records still to do are claimed with `SELECT … FOR UPDATE SKIP LOCKED` in the order of the
retention index, written with one UPDATE each for the records and their history (by primary
key), and their new history versions copied with one INSERT … SELECT, all in one transaction
per batch. Anonymised records leave the "to do" set, so a second run finds nothing.
"""

import calendar
import time
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from .bulk_writes import copy_to_history
from .choices import Status
from .models import Client, LogRecord

ANONYMISED_NAME = "Anonymised"
FINISHED = (Status.RESOLVED.value, Status.CLOSED.value, Status.CANCELLED.value)
BATCH_SIZE = 2000
# What a history version holds besides the record's fields (and its own id), as retention
# writes them: when, by nobody (the portal), why, and "changed".
HISTORY_COLUMNS = ("history_date", "history_user", "history_change_reason", "history_type")


def last_activity() -> Coalesce:
    """When a finished record last moved: closed, else resolved, else when it occurred."""
    return Coalesce("closed_at", "resolved_at", "occurred_at")


@dataclass(frozen=True)
class PersonalData:
    """One log kind's personal-data fields and what each becomes once anonymised."""

    model: type[LogRecord]
    markers: dict[str, str]

    @property
    def kind(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def history_model(self) -> type[models.Model]:
        return self.model.history.model

    def anonymised(self) -> Q:
        """The record holds no personal data any more."""
        return Q(**self.markers)

    def still_to_do(self) -> Q:
        """Finished and still holding personal data. Calls' retention index is partial on
        exactly this condition (calls migration 0007): keep the two in step."""
        return Q(status__in=FINISHED) & ~self.anonymised()

    def history_scrubbed(self) -> Q:
        """A history version that holds no personal data (an empty value stays empty)."""
        return Q(
            *(
                Q(**{f"{name}__in": ["", marker]}) if marker else Q(**{name: ""})
                for name, marker in self.markers.items()
            )
        )

    def history_replacements(self) -> dict:
        """UPDATE assignments for history versions: values replaced, empty values kept."""
        return {
            name: Case(When(**{name: ""}, then=Value("")), default=Value(marker))
            if marker
            else Value("")
            for name, marker in self.markers.items()
        }


_registry: dict[str, PersonalData] = {}


def register_personal_data(
    model: type[LogRecord], *, fields: Iterable[str], names: Iterable[str] = ()
) -> None:
    """Declare `model`'s personal-data fields; those in `names` hold a person's name and are
    replaced by ANONYMISED_NAME, the others emptied. Call it from the app's `ready()`."""
    fields, names = tuple(fields), tuple(names)
    if not (isinstance(model, type) and issubclass(model, LogRecord)):
        raise ImproperlyConfigured(f"{model!r}: retention applies to log records only.")
    label = model._meta.label
    history = getattr(model, "history", None)
    if history is None or not hasattr(history, "model"):
        raise ImproperlyConfigured(f"{label}: needs its history (HistoricalRecords) to scrub.")
    if getattr(history.model, "_history_m2m_fields", None):
        raise ImproperlyConfigured(
            f"{label}: history with many-to-many fields is not supported by retention."
        )
    extra = {model_field.name for model_field in history.model._meta.concrete_fields} - {
        model_field.name for model_field in history.model.tracked_fields
    }
    expected = {"history_id", *HISTORY_COLUMNS}
    if extra != expected:
        raise ImproperlyConfigured(
            f"{label}: its history's own fields are not the ones retention writes: "
            f"{', '.join(sorted(extra ^ expected))}."
        )
    if not fields:
        raise ImproperlyConfigured(f"{label}: name at least one personal-data field.")
    if len(set(fields)) != len(fields):
        raise ImproperlyConfigured(f"{label}: a personal-data field is named twice.")
    unknown_names = set(names) - set(fields)
    if unknown_names:
        raise ImproperlyConfigured(
            f"{label}: {', '.join(sorted(unknown_names))} must also be in `fields`."
        )
    markers = {}
    for name in fields:
        marker = ANONYMISED_NAME if name in names else ""
        _check_field(model, name, marker)
        markers[name] = marker
    spec = PersonalData(model=model, markers=markers)
    known = _registry.get(label)
    if known is not None and known != spec:
        raise ImproperlyConfigured(f"{label}: personal data already declared differently.")
    _registry[label] = spec


def _check_field(model: type[models.Model], name: str, marker: str) -> None:
    label = model._meta.label
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        raise ImproperlyConfigured(f"{label} has no field {name!r}.") from None
    if not isinstance(model_field, models.CharField | models.TextField) or model_field.null:
        raise ImproperlyConfigured(
            f"{label}.{name}: only text fields that cannot be null can be anonymised."
        )
    if model_field.unique:
        raise ImproperlyConfigured(f"{label}.{name} is unique: one marker cannot fill it.")
    if model_field.max_length is not None and len(marker) > model_field.max_length:
        raise ImproperlyConfigured(f"{label}.{name} is too short for {marker!r}.")


def personal_data_kinds() -> list[PersonalData]:
    """Every declared kind, in a stable order (by model label)."""
    return [_registry[label] for label in sorted(_registry)]


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock time `months` calendar months earlier. A day the earlier month
    lacks becomes its last day: 31 August less 6 months is 28 (or 29) February."""
    if months < 0:
        raise ValueError("months cannot be negative")
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retention_cutoff(client: Client, now: datetime) -> datetime:
    """Records of `client` whose last activity is before this are past retention. Months
    are counted on the client's calendar, where its contract counts them."""
    local = timezone.localtime(now, zoneinfo.ZoneInfo(client.timezone))
    return months_before(local, client.retention_months)


@dataclass
class RetentionResult:
    """Records anonymised (or, on a dry run, to anonymise) per kind and client code, and the
    history versions scrubbed per kind."""

    dry_run: bool = False
    records: dict[str, dict[str, int]] = field(default_factory=dict)
    history_versions: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def total(self, kind: str) -> int:
        return sum(self.records.get(kind, {}).values())

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "records": {kind: self.total(kind) for kind in self.records},
            "by_client": {kind: dict(counts) for kind, counts in self.records.items()},
            "history_versions_scrubbed": dict(self.history_versions),
            "seconds": round(self.seconds, 3),
        }


def records_past_retention(spec: PersonalData, client: Client, now: datetime):
    """`client`'s records of `spec`'s kind that still hold personal data past retention."""
    cutoff = retention_cutoff(client, now)
    return (
        spec.model._default_manager.annotate(retention_last_activity=last_activity())
        .filter(spec.still_to_do(), client_id=client.pk, retention_last_activity__lt=cutoff)
        .order_by()
    )


def apply_retention(
    *, now: datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> RetentionResult:
    """Anonymise the personal data of every finished record past its client's retention
    (see the module docstring). With `dry_run`, only count what would be anonymised."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    now = now or timezone.now()
    began = time.monotonic()
    result = RetentionResult(dry_run=dry_run)
    clients = list(Client.objects.order_by("pk"))
    for spec in personal_data_kinds():
        per_client = result.records.setdefault(spec.kind, {})
        result.history_versions[spec.kind] = 0
        for client in clients:
            due = records_past_retention(spec, client, now)
            if dry_run:
                count = due.count()
            else:
                count, scrubbed = _anonymise(spec, client, due, batch_size)
                result.history_versions[spec.kind] += scrubbed
            if count:
                per_client[client.code] = count
    result.seconds = time.monotonic() - began
    return result


def _claimable(due):
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    # The retention index's order: a batch is the next entries of the index, however many
    # records are still to do (sorting by id would sort all of them for every batch).
    return due.order_by("retention_last_activity")


def _anonymise(spec: PersonalData, client: Client, due, batch_size: int) -> tuple[int, int]:
    """Anonymise `due` a batch at a time: (records anonymised, history versions scrubbed)."""
    reason = (
        f"Personal data anonymised: past {client.name}'s retention period of "
        f"{client.retention_months} months."
    )
    records = versions = 0
    while True:
        with transaction.atomic():
            ids = sorted(_claimable(due).values_list("pk", flat=True)[:batch_size])
            if not ids:
                return records, versions
            versions += _anonymise_batch(spec, ids, reason)
        records += len(ids)


def _anonymise_batch(spec: PersonalData, ids: list[int], reason: str) -> int:
    """Anonymise the claimed records `ids` and their history; add one version each.
    Returns the number of earlier history versions scrubbed."""
    manager = spec.model._default_manager
    # QuerySet.update leaves `updated_at` alone: anonymising is not work on the record, and
    # the audits that key on it must not see the record as changed.
    manager.filter(pk__in=ids).update(**spec.markers, version=models.F("version") + 1)
    scrubbed = (
        spec.history_model._default_manager.filter(id__in=ids)
        .exclude(spec.history_scrubbed())
        .update(**spec.history_replacements())
    )
    _add_versions(spec, ids, reason)
    return scrubbed


def _add_versions(spec: PersonalData, ids: list[int], reason: str) -> None:
    """One history version of each record `ids` as it now stands, by the portal itself, made
    when the change was (the run's `now` only sets the cutoff): history stays in time order."""
    copy_to_history(spec.model, dict.fromkeys(ids, reason), date=timezone.now())
