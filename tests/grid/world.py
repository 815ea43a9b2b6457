"""The world every cell of the grid is requested in: two clients, a user per role, and one
row of every kind the URL patterns take (records, child rows, findings, notifications, jobs,
API tokens, calendars, policies, matrices, admin-only rows), seeded once per module."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from apps.api.models import Scope
from apps.api.tokens import token_issue
from apps.audits.models import FindingKind
from apps.audits.services import finding_file
from apps.core import roles
from apps.core.choices import Severity, Tier
from apps.core.models import OutboxMessage, TaskRun
from apps.core.runs import ESCALATION_SWEEP
from apps.escalations.models import EscalationMatrix, MatrixStep
from apps.intake.models import IntakeRequest, Outcome
from apps.jobs.models import Job, JobKind, JobStatus
from apps.reports.models import MonthlyReportDelivery
from apps.webhooks.events import NewEvent, events_record, stream_of
from apps.webhooks.models import EventKind
from apps.webhooks.services import subscription_create
from tests.factories import (
    AlertDeliveryFactory,
    ClientAssignmentFactory,
    ClientFactory,
    InterruptionFactory,
    RecordLinkFactory,
    ServiceFactory,
    TeamFactory,
    TeamMembershipFactory,
    TimelineEntryFactory,
    UserFactory,
)
from tests.factories_calls import CallFactory, QualityAuditFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory
from tests.factories_intake import IntegrationFactory
from tests.factories_notifications import NotificationFactory
from tests.factories_recovery import (
    RecoveryActionFactory,
    RecoveryCaseFactory,
    RecoveryFeedbackFactory,
    RecoveryInteractionFactory,
)
from tests.factories_sla import (
    OFFICE_HOURS,
    BusinessCalendarFactory,
    HolidayFactory,
    SlaPolicyFactory,
)

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, "agent", "agent_b", "lead", "auditor", "admin")
# Who works for which client: the admin (a superuser) reaches both.
REACHES = {"a": {"agent", "lead", "auditor", "admin"}, "b": {"agent_b", "admin"}}
# Words in every record of one client: a page shown to the other client's people must not
# contain them.
MARKS = {"a": "Acmesecret", "b": "Globexsecret"}


@dataclass
class GridWorld:
    users: dict  # role name -> user
    clients: dict  # "a" / "b" -> Client
    records: dict = field(default_factory=dict)  # (model, "a"/"b") -> record
    leaks: dict = field(default_factory=dict)  # "a"/"b" -> strings only that client's people see
    browser: object = None  # tests/grid/cells.Browser, logged in as every role


def _records_of(client, side: str, team, service, agent, lead) -> list:
    mark = MARKS[side]
    common = {"client": client, "title": f"{mark} record", "team": team, "assignee": agent}
    interruption = InterruptionFactory(
        **common, severity=Severity.SEV2, affected_services=[service]
    )
    failure = FailureReportFactory(**common)
    escalation = EscalationFactory(**common, customer_name=f"{mark} Customer")
    call = CallFactory(**common, customer_name=f"{mark} Caller")
    case = RecoveryCaseFactory(**common, customer_name=f"{mark} Complainant")
    CorrectiveActionFactory(report=failure)
    QualityAuditFactory(call=call, auditor=lead)
    for child in (RecoveryInteractionFactory, RecoveryActionFactory, RecoveryFeedbackFactory):
        child(case=case, recorded_by=agent)
    TimelineEntryFactory(record=interruption, message=f"{mark} note")
    AlertDeliveryFactory(record=interruption)
    RecordLinkFactory(source_record=escalation, target_record=interruption)
    finding_file(
        kind=FindingKind.STALE,
        fingerprint=f"grid:{interruption.pk}",
        severity=Severity.SEV2,
        summary=f"{interruption.reference} has not moved.",
        record=interruption,
    )
    integration = IntegrationFactory(
        name=f"{mark} monitor", slug=f"grid-{side}", client=client, services=[service]
    )
    IntakeRequest.objects.create(
        integration=integration,
        client=client,
        outcome=Outcome.REFUSED,
        status_code=401,
        reason=f"{mark} wrong token",
    )
    calendar = BusinessCalendarFactory(client=client, hours=OFFICE_HOURS)
    HolidayFactory(calendar=calendar)
    SlaPolicyFactory(client=client, severity=Severity.SEV2)
    MonthlyReportDelivery.objects.create(
        client=client, month=date(2026, 10, 1), claimed_at=timezone.now()
    )
    matrix = EscalationMatrix.objects.create(client=client, severity=Severity.SEV2)
    MatrixStep.objects.create(matrix=matrix, tier=Tier.FRONTLINE, team=team, minutes_allowed=30)
    return [interruption, failure, escalation, call, case]


def _webhook_rows(world: GridWorld) -> None:
    """A subscription of each client, with an event of one of its records to deliver."""
    for side, client in world.clients.items():
        subscription_create(
            client=client,
            name=f"{MARKS[side]} desk",
            url="http://127.0.0.1:9/hooks",
            events=list(EventKind.values),
        )
        record = world.records[(InterruptionFactory._meta.model, side)]
        events_record(
            [
                NewEvent(
                    client_id=client.pk,
                    kind=EventKind.RECORD_CREATED,
                    stream=stream_of(type(record), record.pk),
                    reference=record.reference,
                )
            ]
        )


def _admin_only_rows() -> None:
    """Rows only the admin site shows, so that its change pages have something to open."""
    OutboxMessage.objects.create(task_name="apps.notifications.tasks.send_email")
    AccessAttempt.objects.create(username="agent", ip_address="192.0.2.1", failures_since_start=1)
    AccessLog.objects.create(username="agent", ip_address="192.0.2.1", user_agent="grid")
    AccessFailureLog.objects.create(username="agent", ip_address="192.0.2.1", user_agent="grid")
    every = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    CrontabSchedule.objects.create(minute="0", hour="3")
    SolarSchedule.objects.create(event="sunrise", latitude=51.5, longitude=-0.1)
    ClockedSchedule.objects.create(clocked_time=timezone.now() + timedelta(days=1))
    PeriodicTask.objects.get_or_create(
        name="grid: sweep", defaults={"task": "apps.escalations.tasks.sweep", "interval": every}
    )


def _finished_export(user, role: str) -> Job:
    now = timezone.now()
    name = f"jobs/grid/{role}.csv"
    if default_storage.exists(name):
        default_storage.delete(name)
    return Job.objects.create(
        kind=JobKind.EXPORT,
        requester=user,
        title=f"Interruptions, CSV ({role})",
        parameters={"list": "interruptions:list", "query": "", "format": "csv"},
        status=JobStatus.DONE,
        rows_done=0,
        rows_total=0,
        finished_at=now,
        expires_at=now + timedelta(hours=24),
        result=default_storage.save(name, ContentFile(b"Reference\r\n")),
        download_name="interruptions.csv",
    )


def build_world() -> GridWorld:
    """The two clients of tests/conftest.py's `world`, with a row of every kind per client."""
    client_a = ClientFactory(name="Acme Retail", code="acme")
    client_b = ClientFactory(name="Globex Telecom", code="globex")
    team_a1 = TeamFactory(name="Acme Frontline", tier=Tier.FRONTLINE, clients=[client_a])
    TeamFactory(name="Acme Technical", tier=Tier.TECHNICAL, clients=[client_a])
    team_b1 = TeamFactory(name="Globex Frontline", tier=Tier.FRONTLINE, clients=[client_b])
    users = {
        "agent": UserFactory(username="agent", role=roles.AGENT),
        "lead": UserFactory(username="lead", role=roles.TEAM_LEAD),
        "auditor": UserFactory(username="auditor", role=roles.AUDITOR),
        "agent_b": UserFactory(username="agent_b", role=roles.AGENT),
        "admin": UserFactory(username="admin", is_staff=True, is_superuser=True),
    }
    TeamMembershipFactory(team=team_a1, user=users["agent"])
    TeamMembershipFactory(team=team_a1, user=users["lead"])
    TeamMembershipFactory(team=team_b1, user=users["agent_b"])
    team_a1.lead = users["lead"]
    team_a1.save()
    ClientAssignmentFactory(client=client_a, user=users["auditor"])
    ClientAssignmentFactory(client=client_b, user=users["admin"])  # reaches every client anyway
    service_a = ServiceFactory(client=client_a, name="CRM")
    service_b = ServiceFactory(client=client_b, name="IVR")

    world = GridWorld(users=users, clients={"a": client_a, "b": client_b})
    for side, client, team, service, agent in (
        ("a", client_a, team_a1, service_a, users["agent"]),
        ("b", client_b, team_b1, service_b, users["agent_b"]),
    ):
        for record in _records_of(client, side, team, service, agent, users["lead"]):
            world.records[(type(record), side)] = record
        world.leaks[side] = [MARKS[side]] + [
            record.reference for (_, owner), record in world.records.items() if owner == side
        ]
    # Everyone has one notification of their own, about a record of a client they work for.
    for role, user in users.items():
        side = "b" if role == "agent_b" else "a"
        record = world.records[(InterruptionFactory._meta.model, side)]
        NotificationFactory(record=record, recipient=user, subject=f"{MARKS[side]} news")
    # Everyone has one export of their own, done and downloadable.
    for role, user in users.items():
        _finished_export(user, role)
    # Everyone has one API token of their own.
    for role, user in users.items():
        token_issue(user, name=f"{role}'s dashboard", scope=Scope.READ)
    _admin_only_rows()
    _webhook_rows(world)
    # A healthy portal: the escalation sweep ran a minute ago.
    moment = timezone.now() - timedelta(minutes=1)
    TaskRun.objects.create(task=ESCALATION_SWEEP, started_at=moment, finished_at=moment)
    assert Group.objects.filter(name__in=roles.ROLES).count() == len(roles.ROLES)
    return world
