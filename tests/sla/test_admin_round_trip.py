"""Opening a calendar, working hours, holiday, policy or matrix in the admin and saving it
unchanged writes nothing: no row, no history version, no timeline event, no recompute."""

from datetime import date

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from apps.core.choices import Severity
from apps.core.models import OutboxMessage, TimelineEntry
from apps.escalations.models import EscalationMatrix, MatrixStep
from apps.interruptions.models import Interruption
from apps.sla.models import BusinessCalendar, Holiday, SlaPolicy, WorkingHours
from tests.escalations.test_sweep import _escalate, category, matrix  # noqa: F401
from tests.factories_sla import OFFICE_HOURS, BusinessCalendarFactory, HolidayFactory
from tests.sla.admin_round_trip import form_data_as_opened, writes_captured

pytestmark = pytest.mark.django_db

HISTORIES = (
    BusinessCalendar,
    WorkingHours,
    Holiday,
    SlaPolicy,
    EscalationMatrix,
    MatrixStep,
    Interruption,
)


def _counts() -> dict:
    counts = {model.__name__: model.history.count() for model in HISTORIES}
    counts["timeline"] = TimelineEntry.objects.count()
    counts["outbox"] = OutboxMessage.objects.count()
    counts["admin log"] = LogEntry.objects.count()
    counts["versions"] = list(Interruption.objects.values_list("version", flat=True))
    return counts


@pytest.fixture
def configured(world, make_interruption):
    calendar = BusinessCalendarFactory(client=world.client_a, hours=OFFICE_HOURS)
    HolidayFactory(calendar=calendar, date=date(2026, 12, 25), name="Christmas Day")
    policy = SlaPolicy.objects.create(
        client=world.client_a,
        severity=Severity.SEV3,
        first_response_minutes=60,
        resolution_minutes=600,
    )
    # An open record whose stored due time is out of step with the configuration: a save
    # that recomputed would move it.
    record = make_interruption(timezone.now())
    Interruption.objects.filter(pk=record.pk).update(resolution_due=None)
    return {
        "businesscalendar": calendar,
        "workinghours": calendar.working_hours.first(),
        "holiday": calendar.holidays.get(),
        "slapolicy": policy,
    }


def _round_trip(client, url: str) -> None:
    opened = client.get(url)
    assert opened.status_code == 200
    data = form_data_as_opened(opened)
    before = _counts()
    with writes_captured() as writes:
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert writes.tables == []
    assert _counts() == before


@pytest.mark.parametrize("model", ["businesscalendar", "workinghours", "holiday", "slapolicy"])
def test_an_sla_change_form_saved_unchanged_writes_nothing(world, client, configured, model):
    client.force_login(world.admin)
    _round_trip(client, f"/admin/sla/{model}/{configured[model].pk}/change/")


def test_a_matrix_saved_unchanged_writes_nothing(world, client, matrix):  # noqa: F811
    client.force_login(world.admin)
    _round_trip(client, f"/admin/escalations/escalationmatrix/{matrix.pk}/change/")
    matrix.refresh_from_db()
    assert matrix.version == 1


def test_a_real_change_is_still_saved_and_recomputed(world, client, configured):
    client.force_login(world.admin)
    url = f"/admin/sla/slapolicy/{configured['slapolicy'].pk}/change/"
    data = form_data_as_opened(client.get(url))
    data["resolution_minutes"] = "700"
    versions = SlaPolicy.history.count()
    response = client.post(url, data)
    assert response.status_code == 302
    assert SlaPolicy.history.count() == versions + 1
    assert Interruption.objects.get().resolution_due is not None
