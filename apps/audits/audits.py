"""The periodic audits: each looks at records, files what it finds, and says what it did."""

from collections import Counter
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.core.batching import batched
from apps.core.choices import Severity, Status
from apps.core.roles import log_models
from apps.core.staleness import stale_condition, stale_limit_text

from .models import FindingKind
from .notices import tell_leads
from .services import AuditOutcome, finding_file, known_fingerprints

DONE = (Status.RESOLVED, Status.CLOSED)
BATCH = 500


def _file_new(model, rows, outcome: AuditOutcome, kind: str, describe, now) -> list:
    """File a finding for each (record, fingerprint) of `rows` not filed before; returns the
    (record, finding) pairs filed now."""
    rows = list(rows)
    filed = []
    known = known_fingerprints(fingerprint for _, fingerprint in rows)
    for record, fingerprint in rows:
        if fingerprint in known:
            continue
        finding = finding_file(
            kind=kind,
            fingerprint=fingerprint,
            severity=record.severity,
            summary=describe(record),
            record=record,
            now=now,
        )
        if finding is not None:
            outcome.finding_ids.append(finding.pk)
            filed.append((record, finding))
    return filed


def audit_stale_records(*, now: datetime | None = None) -> AuditOutcome:
    """Open records of every log with no update within their severity's limit."""
    now = now or timezone.now()
    outcome = AuditOutcome()
    for model in log_models():
        type_id = ContentType.objects.get_for_model(model).pk
        records = (
            model.objects.filter(stale_condition(now))
            .select_related("client", "team")
            .only(
                "pk",
                "reference",
                "title",
                "severity",
                "updated_at",
                "client__name",
                "client__code",
                "team__lead_id",
            )
            .iterator(chunk_size=BATCH)
        )

        def describe(record):
            return (
                f"{record.reference} is open with no update for more than "
                f"{stale_limit_text(record.severity)} (last updated "
                f"{timezone.localtime(record.updated_at):%Y-%m-%d %H:%M})."
            )

        # A batch at a time: the fingerprints already filed are read per batch, and a table
        # of a million stale records is never held in memory at once.
        for batch in batched(records, BATCH):
            outcome.examined += len(batch)
            rows = (
                (record, f"stale:{type_id}:{record.pk}:{record.updated_at.isoformat()}")
                for record in batch
            )
            filed = _file_new(model, rows, outcome, FindingKind.STALE, describe, now)
            told = tell_leads(filed)
            outcome.extra["leads_told"] = outcome.extra.get("leads_told", 0) + told
    return outcome


def audit_completeness(*, now: datetime | None = None) -> AuditOutcome:
    """Resolved and closed records missing what their kind needs to be closed."""
    now = now or timezone.now()
    outcome = AuditOutcome()
    for model in log_models():
        type_id = ContentType.objects.get_for_model(model).pk
        batch = []
        for record in model.objects.filter(status__in=DONE).iterator(chunk_size=BATCH):
            outcome.examined += 1
            problems = record.closing_problems()
            if problems:
                record._audit_problems = problems
                fingerprint = f"incomplete:{type_id}:{record.pk}:{record.updated_at.isoformat()}"
                batch.append((record, fingerprint))
            if len(batch) >= BATCH:
                _file_new(model, batch, outcome, FindingKind.INCOMPLETE, _missing, now)
                batch = []
        _file_new(model, batch, outcome, FindingKind.INCOMPLETE, _missing, now)
    return outcome


def _missing(record) -> str:
    status = record.get_status_display().lower()
    return f"{record.reference} is {status} but: " + " ".join(record._audit_problems.values())


# A recurring problem: the same service, or escalation category, hit this often in the window.
RECURRENCE_THRESHOLD = 3
RECURRENCE_WINDOW = timedelta(days=7)
_SEVERITY_ORDER = [value for value, _ in Severity.choices]


def _worst(severities) -> str:
    return min(severities, key=_SEVERITY_ORDER.index)


def audit_recurrence(*, now: datetime | None = None) -> AuditOutcome:
    """Services interrupted, or escalation categories raised, N times within the window."""
    from apps.escalations.models import Escalation
    from apps.interruptions.models import Interruption

    now = now or timezone.now()
    start = now - RECURRENCE_WINDOW
    window = f"{timezone.localdate(start):%Y-%m-%d}..{timezone.localdate(now):%Y-%m-%d}"
    outcome = AuditOutcome()
    groups: dict[tuple, dict] = {}
    interruptions = Interruption.objects.filter(occurred_at__gte=start, occurred_at__lte=now)
    for client_id, service_id, service_name, severity in interruptions.values_list(
        "client_id", "affected_services", "affected_services__name", "severity"
    ):
        if service_id is None:
            continue
        key = ("service", client_id, service_id)
        group = groups.setdefault(key, {"name": service_name, "hits": Counter()})
        group["hits"][severity] += 1
    escalations = Escalation.objects.filter(occurred_at__gte=start, occurred_at__lte=now)
    for client_id, category_id, category_name, severity in escalations.values_list(
        "client_id", "category_id", "category__label", "severity"
    ):
        key = ("category", client_id, category_id)
        group = groups.setdefault(key, {"name": category_name, "hits": Counter()})
        group["hits"][severity] += 1
    outcome.examined = sum(sum(group["hits"].values()) for group in groups.values())
    recurring = {
        key: group
        for key, group in groups.items()
        if sum(group["hits"].values()) >= RECURRENCE_THRESHOLD
    }
    fingerprints = {key: f"recurring:{key[0]}:{key[1]}:{key[2]}:{window}" for key in recurring}
    known = known_fingerprints(fingerprints.values())
    for key, group in recurring.items():
        if fingerprints[key] in known:
            continue
        what, client_id, _ = key
        count = sum(group["hits"].values())
        subject = (
            f"Service “{group['name']}” interrupted"
            if what == "service"
            else f"Escalation category “{group['name']}” raised"
        )
        finding = finding_file(
            kind=FindingKind.RECURRING,
            fingerprint=fingerprints[key],
            severity=_worst(group["hits"]),
            summary=f"{subject} {count} times between {window.replace('..', ' and ')}.",
            client_id=client_id,
            now=now,
        )
        if finding is not None:
            outcome.finding_ids.append(finding.pk)
    return outcome
