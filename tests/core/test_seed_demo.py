"""The seed_demo command: demo organisation, demo interruptions and bulk volume."""

import random
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from apps.core import roles
from apps.core.bulk_insert import secondary_indexes_dropped, worth_rebuilding_indexes
from apps.core.choices import Status, TimelineKind
from apps.core.demo import DEMO_DAYS, LOGINS, seed_organisation, timestamps_as_given
from apps.core.models import (
    Client,
    ClientAssignment,
    CodeListEntry,
    Service,
    Team,
    TeamMembership,
    TimelineEntry,
)
from apps.core.scoping import accessible_client_ids
from apps.interruptions.demo import history_m2m_model
from apps.interruptions.demo_volume import generate_volume
from apps.interruptions.models import Interruption, InterruptionKind

pytestmark = pytest.mark.django_db

User = get_user_model()
Through = Interruption.affected_services.through
History = Interruption.history.model


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    models = [
        Client,
        Client.history.model,
        Team,
        Team.history.model,
        Service,
        Service.history.model,
        CodeListEntry,
        CodeListEntry.history.model,
        User,
        Group,
        TeamMembership,
        ClientAssignment,
        Interruption,
        History,
        Through,
        TimelineEntry,
    ]
    return {model._meta.label: model._default_manager.count() for model in models}


def test_running_twice_creates_nothing_the_second_time():
    output = seed(demo_rows=30)
    first = table_counts()
    again = seed(demo_rows=30)
    assert table_counts() == first
    assert first["interruptions.Interruption"] == 30
    assert first["core.Client"] == 2
    assert first["core.Team"] == 6
    assert first["core.Service"] == 13
    assert "Demo interruptions: 30 created." in output
    assert "Demo interruptions: already there, none added." in again
    for username, _ in LOGINS:
        assert f"  {username} " in again
    assert "password 'demo'" in again


def test_code_lists_cover_every_list():
    seed(logs=[])
    lists = dict(CodeListEntry.objects.values_list("list_name").annotate(n=Count("id")).order_by())
    assert set(lists) == set(CodeListEntry.ListName.values)
    assert all(count >= 5 for count in lists.values())
    assert CodeListEntry.objects.filter(
        list_name=CodeListEntry.ListName.RECOVERY_ACTION, code="refund", label="Refund"
    ).exists()


def test_clients_teams_and_services():
    seed(logs=[])
    acme = Client.objects.get(code="acme")
    globex = Client.objects.get(code="globex")
    assert (acme.name, acme.timezone, acme.retention_months) == (
        "Acme Retail",
        "Europe/London",
        24,
    )
    assert (globex.name, globex.timezone) == ("Globex Telecom", "America/New_York")
    assert acme.contract_reference and globex.contract_reference
    for client in (acme, globex):
        assert sorted(client.teams.values_list("tier", flat=True)) == [1, 2, 3]
        assert client.services.exclude(vendor="").count() == client.services.count()
    assert acme.services.filter(name="CRM", vendor="Salesforce").exists()


def test_demo_users_roles_and_client_scoping():
    seed(demo_rows=80, logs=["interruptions"])
    acme = Client.objects.get(code="acme")
    globex = Client.objects.get(code="globex")
    users = {user.username: user for user in User.objects.all()}
    for user in users.values():
        assert user.email == f"{user.username}@example.com"
        assert user.check_password("demo")
    assert list(users["agent"].groups.values_list("name", flat=True)) == [roles.AGENT]
    assert list(users["lead"].groups.values_list("name", flat=True)) == [roles.TEAM_LEAD]
    assert list(users["auditor"].groups.values_list("name", flat=True)) == [roles.AUDITOR]
    assert list(users["agent_b"].groups.values_list("name", flat=True)) == [roles.AGENT]
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not users["lead"].is_staff
    assert set(acme.teams.values_list("lead__username", flat=True)) == {"lead"}
    assert TeamMembership.objects.filter(user=users["agent"], team__tier=1).count() == 1
    assert list(ClientAssignment.objects.filter(user=users["auditor"])) == [
        ClientAssignment.objects.get(client=acme)
    ]

    assert accessible_client_ids(users["agent"]) == {acme.pk}
    assert accessible_client_ids(users["lead"]) == {acme.pk}
    assert accessible_client_ids(users["auditor"]) == {acme.pk}
    assert accessible_client_ids(users["agent_b"]) == {globex.pk}

    seen_by_b = Interruption.objects.for_user(users["agent_b"])
    globex_rows = Interruption.objects.filter(client=globex).count()
    assert globex_rows > 0
    assert seen_by_b.count() == globex_rows
    assert not seen_by_b.filter(client=acme).exists()
    assert not Interruption.objects.for_user(users["auditor"]).filter(client=globex).exists()
    assert Interruption.objects.for_user(users["admin"]).count() == 80


def test_existing_account_keeps_its_password():
    User.objects.create_user("agent", password="my-own-secret")
    seed(logs=[])
    agent = User.objects.get(username="agent")
    agent.refresh_from_db()
    assert agent.check_password("my-own-secret")
    assert agent.email == "agent@example.com"


def test_demo_rows_follow_the_rules():
    seed(demo_rows=300, logs=["interruptions"])
    now = timezone.now()
    records = list(Interruption.objects.prefetch_related("affected_services"))
    assert {record.kind for record in records} == set(InterruptionKind.values)
    assert {record.status for record in records} == set(Status.values)
    assert {record.severity for record in records} == {"SEV1", "SEV2", "SEV3", "SEV4"}
    assert len({record.reference for record in records}) == 300
    assert min(record.occurred_at for record in records) > now - timezone.timedelta(days=DEMO_DAYS)
    interruption_type = ContentType.objects.get_for_model(Interruption)
    timeline = dict(
        TimelineEntry.objects.filter(content_type=interruption_type, kind=TimelineKind.CREATED)
        .values_list("object_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    versions = dict(History.objects.values_list("id").annotate(n=Count("history_id")).order_by())
    for record in records:
        record.full_clean()
        assert record.updated_at <= now and record.created_at <= record.updated_at
        services = list(record.affected_services.all())
        assert services and all(service.client_id == record.client_id for service in services)
        if record.assignee_id:
            assert record.client_id in accessible_client_ids(record.assignee)
            assert record.team.clients.filter(pk=record.client_id).exists()
        if record.status == Status.CLOSED:
            assert record.closing_problems() == {}
            assert record.ended_at <= record.resolved_at <= record.closed_at
        if record.status == Status.RESOLVED:
            assert record.resolved_at and record.ended_at and record.resolution
        if record.status in Status.open_values():
            assert record.resolved_at is None and record.closed_at is None
        if record.status == Status.CANCELLED:
            assert record.cancel_reason
        if record.kind == InterruptionKind.MAINTENANCE:
            assert record.planned_start and record.planned_end
        assert timeline[record.pk] == 1
        assert versions[record.pk] == record.version


def test_demo_history_replays_to_the_saved_record():
    seed(demo_rows=120, logs=["interruptions"])
    record = Interruption.objects.filter(status=Status.CLOSED).order_by("pk").first()
    versions = list(record.history.order_by("history_date", "history_id"))
    assert versions[0].history_type == "+"
    assert versions[0].status == Status.NEW
    assert versions[0].history_user_id == record.reported_by_id
    assert [version.history_type for version in versions[1:]] == ["~"] * (len(versions) - 1)
    latest = versions[-1]
    for name in ("status", "assignee_id", "team_id", "closed_at", "resolution", "version"):
        assert getattr(latest, name) == getattr(record, name)
    assert latest.history_change_reason == "Resolved → Closed"
    services = set(record.affected_services.values_list("pk", flat=True))
    assert {row.service_id for row in latest.affected_services.all()} == services


def test_volume_generates_exactly_n_valid_rows():
    seed(logs=[])
    output = seed(logs=[], volume=1200, batch_size=500, workers=1)
    assert "1,200 / 1,200" in output and "rows/s" in output
    assert Interruption.objects.count() == 1200
    assert Interruption.objects.values("reference").distinct().count() == 1200
    assert not Interruption.objects.filter(affected_services=None).exists()
    assert History.objects.filter(history_type="+").count() == 1200
    assert history_m2m_model().objects.count() == Through.objects.count()
    assert not Interruption.objects.filter(status=Status.CLOSED, closed_at=None).exists()
    assert not Interruption.objects.filter(status=Status.CANCELLED, cancel_reason="").exists()
    assert not Interruption.objects.filter(status=Status.RESOLVED, resolved_at=None).exists()
    for record in Interruption.objects.order_by("?")[:60]:
        record.full_clean()
        if record.status == Status.CLOSED:
            assert record.closing_problems() == {}
    record = Interruption.objects.order_by("pk").first()
    assert record.created_at < timezone.now() - timezone.timedelta(days=80)
    latest = Interruption.objects.order_by("-updated_at").first()
    assert latest.updated_at <= timezone.now()
    assert not Interruption.objects.filter(ended_at__lt=F("occurred_at")).exists()
    assert not Interruption.objects.filter(closed_at__lt=F("resolved_at")).exists()

    seed(logs=[], volume=300, workers=1)
    assert Interruption.objects.count() == 1500
    assert Interruption.objects.values("reference").distinct().count() == 1500


def test_volume_without_history():
    seed(logs=[], volume=200, volume_history=False)
    assert Interruption.objects.count() == 200
    assert History.objects.count() == 0


def test_volume_is_repeatable_for_a_seed():
    organisation = seed_organisation()
    now = timezone.now()
    for _ in range(2):
        generate_volume(organisation, count=150, rng=random.Random(7), now=now, workers=1)
    rows = list(Interruption.objects.order_by("pk").values_list("kind", "title", "occurred_at"))
    assert rows[:150] == rows[150:]


def test_only_the_chosen_logs_get_demo_records():
    from apps.calls.models import Call
    from apps.escalations.models import Escalation
    from apps.failures.models import FailureReport
    from apps.recovery.models import RecoveryCase

    output = seed(logs=["calls"])
    assert Call.objects.exists()
    for model in (Interruption, FailureReport, Escalation, RecoveryCase):
        assert not model.objects.exists(), model
    assert "Demo call logs:" in output and "Demo interruptions" not in output


def test_invalid_options_are_refused():
    with pytest.raises(CommandError):
        seed(volume=-1)
    with pytest.raises(CommandError):
        seed(batch_size=0)


def test_timestamps_as_given_restores_auto_now():
    field = Interruption._meta.get_field("updated_at")
    with timestamps_as_given(Interruption):
        assert field.auto_now is False
    assert field.auto_now is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_writers_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers are used on PostgreSQL only")
    seed(logs=[], volume=3000, batch_size=400, workers=2)
    assert Interruption.objects.count() == 3000
    assert Interruption.objects.values("reference").distinct().count() == 3000
    assert History.objects.count() == 3000
    assert not Interruption.objects.filter(affected_services=None).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_indexes_dropped_for_a_load_come_back_when_it_fails():
    if connection.vendor != "postgresql":
        pytest.skip("indexes are dropped for loads on PostgreSQL only")

    def names() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s",
                [Interruption._meta.db_table],
            )
            return {row[0] for row in cursor.fetchall()}

    before = names()
    with (
        pytest.raises(RuntimeError, match="load failed"),
        secondary_indexes_dropped(Interruption) as dropped,
    ):
        assert dropped and not set(dropped) & names()
        # Unique indexes stay, so a load is still checked for duplicates.
        assert f"{Interruption._meta.db_table}_reference_key" in names()
        raise RuntimeError("load failed")
    assert names() == before


def test_rebuilding_indexes_is_chosen_for_loads_that_at_least_double_a_large_table():
    if connection.vendor != "postgresql":
        assert not worth_rebuilding_indexes(Interruption, 10_000_000)
        return
    assert worth_rebuilding_indexes(Interruption, 1_000_000)
    assert not worth_rebuilding_indexes(Interruption, 1_000)
