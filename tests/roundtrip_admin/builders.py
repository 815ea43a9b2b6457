"""What each admin change form is opened on: varied objects (hypothesis) and fixed ones."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from hypothesis import strategies as st

from apps.api.models import Scope
from apps.api.tokens import token_issue
from apps.audits.models import AuditFinding
from apps.core.choices import Tier
from apps.core.models import (
    Client,
    ClientAssignment,
    CodeListEntry,
    OutboxMessage,
    Service,
    Team,
    TeamMembership,
)
from apps.core.models.organisation import TIMEZONE_CHOICES
from apps.intake.models import IntakeRequest, Outcome
from apps.reports.models import MonthlyReportDelivery
from apps.webhooks.models import Delivery, DeliveryAttempt, Subscription, WebhookEvent
from tests.factories import (
    AlertDeliveryFactory,
    ClientFactory,
    InterruptionFactory,
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
    RecoveryResolutionFactory,
)

# Text as an administrator types it: letters, digits, punctuation, symbols (<, &, ' …) and
# spaces inside; surrounding spaces are never stored, the forms strip them.
_CHARACTERS = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"))


def text(max_size: int, min_size: int = 1):
    return (
        st.text(_CHARACTERS, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda value: len(value) >= min_size)
    )


slugs = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True)
# Stored instants carry microseconds, which the admin's date and time inputs do not show.
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


def _user(draw, number: int):
    return UserFactory(
        username=f"person{number}",
        first_name=draw(text(30, min_size=0)),
        last_name=draw(text(30, min_size=0)),
    )


def _clients(draw, count: int) -> list[Client]:
    codes = draw(st.lists(slugs, min_size=count, max_size=count, unique=True))
    return [
        Client.objects.create(
            name=f"{draw(text(100))} {number}",
            code=code,
            active=draw(st.booleans()),
            timezone=draw(st.sampled_from(TIMEZONE_CHOICES))[0],
            retention_months=draw(st.integers(6, 36)),
            contract_reference=draw(text(60, min_size=0)),
        )
        for number, code in enumerate(codes)
    ]


def _services(draw, client: Client, count: int) -> list[Service]:
    return [
        Service.objects.create(
            client=client,
            name=f"{draw(text(100))} {number}",
            vendor=draw(text(120, min_size=0)),
            active=draw(st.booleans()),
        )
        for number in range(count)
    ]


def client_with_services(draw) -> Client:
    (client,) = _clients(draw, 1)
    _services(draw, client, draw(st.integers(0, 3)))
    for number in range(draw(st.integers(0, 2))):
        ClientAssignment.objects.create(
            client=client, user=_user(draw, number), note=draw(text(200, min_size=0))
        )
    return client


def team_with_members(draw) -> Team:
    clients = _clients(draw, draw(st.integers(0, 3)))
    people = [_user(draw, number) for number in range(draw(st.integers(0, 3)))]
    team = Team.objects.create(
        name=draw(text(120)),
        tier=draw(st.sampled_from(Tier.values)),
        lead=draw(st.sampled_from([None, *people])),
    )
    team.clients.set(draw(st.lists(st.sampled_from(clients), unique=True)) if clients else [])
    for person in draw(st.lists(st.sampled_from(people), unique=True)) if people else []:
        TeamMembership.objects.create(team=team, user=person)
    return team


def code_list_entry(draw) -> CodeListEntry:
    return CodeListEntry.objects.create(
        list_name=draw(st.sampled_from(CodeListEntry.ListName.values)),
        code=draw(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,39}", fullmatch=True)),
        label=draw(text(120)),
        active=draw(st.booleans()),
        sort_order=draw(st.integers(0, 32767)),
    )


# Admin model → builder of a varied object, drawing from hypothesis. Services and client
# assignments vary inside the client's form (its inlines), and a team's form lists clients.
VARIED = {
    "core.Client": client_with_services,
    "core.Team": team_with_members,
    "core.CodeListEntry": code_list_entry,
}


def _now_with_microseconds() -> datetime:
    return timezone.now().replace(microsecond=123456)


TRICKY = "O'Brien & <Co> \u00a0 “quoted” Zoë"


def _client() -> Client:
    return Client.objects.create(name=TRICKY, code="obrien", contract_reference=TRICKY)


def service() -> Service:
    Client.objects.create(name="Other client", code="other")
    return Service.objects.create(client=_client(), name=TRICKY, vendor=TRICKY, active=False)


def assignment() -> ClientAssignment:
    person = UserFactory(username="someone", first_name="Zoë", last_name=TRICKY)
    return ClientAssignment.objects.create(client=_client(), user=person, note=TRICKY)


def membership() -> TeamMembership:
    person = UserFactory(username="someone", first_name="Zoë", last_name=TRICKY)
    team = Team.objects.create(name=TRICKY, tier=Tier.TECHNICAL, lead=person)
    return TeamMembership.objects.create(team=team, user=person)


def user():
    person = UserFactory(username="someone", first_name="Zoë", last_name="O'Brien & Co")
    person.last_login = _now_with_microseconds()
    person.date_joined = _now_with_microseconds() - timedelta(days=40)
    person.groups.add(Group.objects.create(name="Night shift"))
    person.save()
    return person


def group():
    crew = Group.objects.create(name="Quality <crew>")
    crew.permissions.set(Permission.objects.filter(codename__startswith="view_")[:3])
    return crew


def periodic_task():
    every = IntervalSchedule.objects.create(every=15, period=IntervalSchedule.MINUTES)
    return PeriodicTask.objects.create(
        name="Nightly digest",
        task="apps.audits.tasks.stale_records",
        interval=every,
        args="[]",
        kwargs='{"limit": 50}',
        description="Runs every quarter hour.\nSecond line.",
        start_time=_now_with_microseconds(),
    )


def failure_report():
    report = FailureReportFactory()
    CorrectiveActionFactory(report=report, done_at=_now_with_microseconds())
    return report


def recovery_case():
    case = RecoveryCaseFactory()
    RecoveryInteractionFactory(case=case)
    RecoveryActionFactory(case=case, amount=Decimal("12.50"), currency="EUR")
    RecoveryResolutionFactory(case=case)
    RecoveryFeedbackFactory(case=case)
    return case


def audit_finding():
    record = InterruptionFactory()
    return AuditFinding.objects.create(
        kind=AuditFinding._meta.get_field("kind").choices[0][0],
        client=record.client,
        record_reference=record.reference,
        severity="SEV2",
        summary="No update for 30 hours.",
        found_at=_now_with_microseconds(),
        fingerprint="stale:test",
    )


def webhook_subscription():
    return Subscription.objects.create(
        client=ClientFactory(),
        name="Client desk",
        url="https://hooks.example.test/portal",
        events=["record.created", "record.breached"],
        secret="whsec_test",
        paused_at=_now_with_microseconds(),
    )


def webhook_event():
    subscription = webhook_subscription()
    return WebhookEvent.objects.create(
        client=subscription.client,
        kind="record.created",
        stream="interruptions.interruption:1",
        reference="INT-2026-000001",
        sequence=1,
        payload={"id": "x", "event": "record.created"},
        created_at=_now_with_microseconds(),
    )


def webhook_delivery():
    event = webhook_event()
    delivery = Delivery.objects.create(
        event=event,
        subscription=Subscription.objects.get(client=event.client),
        stream=event.stream,
        sequence=event.sequence,
        attempts=1,
        first_attempt_at=_now_with_microseconds(),
        next_attempt_at=_now_with_microseconds(),
        last_status=500,
        last_error="HTTP 500",
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        attempted_at=_now_with_microseconds(),
        status=500,
        response_ms=12,
        error="HTTP 500",
    )
    return delivery


def integration():
    client = _client()
    crm = Service.objects.create(client=client, name=TRICKY)
    Service.objects.create(client=client, name="IVR")
    return IntegrationFactory(
        name=TRICKY,
        client=client,
        services=[crm],
        severity_map={"critical": "SEV1", "warn & <low>": "SEV4"},
        group_by="alertname, cluster",
        auto_resolve=True,
    )


def intake_request():
    source = integration()
    return IntakeRequest.objects.create(
        integration=source,
        client=source.client,
        received_at=_now_with_microseconds(),
        outcome=Outcome.ACCEPTED,
        status_code=202,
        payload={"version": "4", "alerts": []},
        references=["INT-2026-000001"],
        reason="opened: 1",
    )


def api_token():
    owner = UserFactory(username="token-owner")
    token, _ = token_issue(
        owner, name=TRICKY, scope=Scope.WRITE, expires_at=_now_with_microseconds() + timedelta(30)
    )
    return token


# Admin model → builder of one object: read-only admins and the libraries' admins.
FIXED = {
    "api.ApiToken": api_token,
    "intake.Integration": integration,
    "intake.IntakeRequest": intake_request,
    "core.Service": service,
    "core.ClientAssignment": assignment,
    "core.TeamMembership": membership,
    "auth.User": user,
    "auth.Group": group,
    "axes.AccessAttempt": lambda: AccessAttempt.objects.create(
        username="agent", ip_address="127.0.0.1", user_agent="Chromium", failures_since_start=3
    ),
    "axes.AccessLog": lambda: AccessLog.objects.create(
        username="agent", ip_address="127.0.0.1", user_agent="Chromium"
    ),
    "axes.AccessFailureLog": lambda: AccessFailureLog.objects.create(
        username="agent", ip_address="127.0.0.1", user_agent="Chromium", locked_out=True
    ),
    "django_celery_beat.PeriodicTask": periodic_task,
    "django_celery_beat.IntervalSchedule": lambda: IntervalSchedule.objects.create(
        every=5, period=IntervalSchedule.MINUTES
    ),
    "django_celery_beat.CrontabSchedule": lambda: CrontabSchedule.objects.create(
        minute="*/15", hour="7-19", day_of_week="1-5", timezone="Europe/Dublin"
    ),
    "django_celery_beat.SolarSchedule": lambda: SolarSchedule.objects.create(
        event="sunrise", latitude=Decimal("53.349800"), longitude=Decimal("-6.260300")
    ),
    "django_celery_beat.ClockedSchedule": lambda: ClockedSchedule.objects.create(
        clocked_time=_now_with_microseconds()
    ),
    "core.TimelineEntry": lambda: TimelineEntryFactory(),
    "core.AlertDelivery": lambda: AlertDeliveryFactory(),
    "core.OutboxMessage": lambda: OutboxMessage.objects.create(
        task_name="apps.core.tasks.flush", args=[1], kwargs={"a": "b"}
    ),
    "notifications.Notification": lambda: NotificationFactory(),
    "audits.AuditFinding": audit_finding,
    "interruptions.Interruption": lambda: InterruptionFactory(),
    "escalations.Escalation": lambda: EscalationFactory(),
    "failures.FailureReport": failure_report,
    "calls.Call": lambda: CallFactory(),
    "calls.QualityAudit": lambda: QualityAuditFactory(),
    "recovery.RecoveryCase": recovery_case,
    "webhooks.Subscription": webhook_subscription,
    "webhooks.WebhookEvent": webhook_event,
    "webhooks.Delivery": webhook_delivery,
    "reports.MonthlyReportDelivery": lambda: MonthlyReportDelivery.objects.create(
        client=ClientFactory(), month=date(2026, 10, 1), claimed_at=_now_with_microseconds()
    ),
}
