"""Dates far outside the plausible range (year 1, year 9999, with any offset) are a clear form
or filter error on every form and list of the portal, never a server error."""

import html
from datetime import date, datetime, time, timedelta
from datetime import timezone as fixed_zone

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.calls.models import Call
from apps.core.dates import is_plausible, latest_date, range_message, validate_plausible
from apps.escalations.models import Escalation
from apps.failures.models import FailureReport
from apps.interruptions.models import Interruption
from apps.recovery.models import (
    RecoveryAction,
    RecoveryCase,
    RecoveryFeedback,
    RecoveryInteraction,
    RecoveryResolution,
)
from apps.sla.business_time import CalendarSpec, add_business_minutes, business_minutes_between
from tests.calls.test_views import form_data as call_form
from tests.escalations.test_views import form_data as escalation_form
from tests.factories import CodeListEntryFactory, InterruptionFactory
from tests.factories_calls import CallFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory
from tests.factories_recovery import RecoveryCaseFactory
from tests.form_html import read_form
from tests.recovery.test_views import form_data as recovery_form

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LAST_YEAR = 9999


def _far_moments():
    too_early = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1999, 12, 30))
    too_late = st.datetimes(
        min_value=datetime(timezone.now().year + 6, 1, 1),
        max_value=datetime(LAST_YEAR, 12, 31, 23, 59),
    )
    offsets = st.none() | st.integers(-14 * 60, 14 * 60).map(
        lambda minutes: fixed_zone(timedelta(minutes=minutes))
    )
    return st.tuples(too_early | too_late, offsets).map(
        lambda pair: pair[0].replace(tzinfo=pair[1], second=0, microsecond=0)
    )


far_moments = _far_moments()


def as_input(moment: datetime, kind: str) -> str:
    """The moment as typed into a `date` or `datetime-local` input (with its offset, if any)."""
    if kind == "date":
        return moment.date().isoformat()
    return moment.isoformat(timespec="minutes")


def text(response) -> str:
    return html.unescape(response.content.decode())


def refused(response) -> bool:
    return response.status_code == 200 and range_message() in text(response)


# --- the rule ----------------------------------------------------------------------------


def test_the_range_runs_from_the_earliest_date_to_years_ahead():
    today = timezone.localdate()
    assert is_plausible(date(2000, 1, 1))
    assert not is_plausible(date(1999, 12, 31))
    assert is_plausible(latest_date())
    assert not is_plausible(latest_date() + timedelta(days=1))
    assert latest_date().year == today.year + 5
    assert is_plausible(timezone.now())


@given(moment=far_moments)
@example(moment=datetime(LAST_YEAR, 12, 31, 23, 59, tzinfo=fixed_zone(timedelta(hours=-14))))
@example(moment=datetime(1, 1, 1, tzinfo=fixed_zone(timedelta(hours=14))))
def test_far_moments_of_any_offset_are_refused_without_overflow(moment):
    assert not is_plausible(moment)
    with pytest.raises(Exception, match="Give a date between"):
        validate_plausible(moment)


@override_settings(PORTAL_EARLIEST_DATE=date(2020, 1, 1), PORTAL_LATEST_YEARS_AHEAD=1)
def test_the_range_follows_the_settings():
    assert not is_plausible(date(2019, 12, 31))
    assert latest_date().year == timezone.localdate().year + 1
    assert "01 Jan 2020" in range_message()


# --- record forms, new and edit, of the five kinds ------------------------------------------

NEW_FORMS = {
    "interruptions": lambda world: {
        "client": world.client_a.pk,
        "kind": "maintenance",
        "title": "CRM patch",
        "severity": "SEV3",
        "affected_services": [world.service_a.pk],
        "occurred_at": "2026-03-02T09:00",
        "planned_start": "2026-03-02T09:00",
        "planned_end": "2026-03-02T10:00",
    },
    "failures": lambda world: {
        "client": world.client_a.pk,
        "category": "compliance",
        "title": "SLA missed",
        "severity": "SEV3",
        "occurred_at": "2026-03-02T09:00",
        "contract_clause": "4.2",
        "follow_up_status": "pending",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
        "actions-0-action": "Retrain the team",
        "actions-0-due_date": "2026-03-09",
    },
    "escalations": escalation_form,
    "calls": lambda world: call_form(world, outcome="follow_up", follow_up_due="2026-03-03T09:00"),
    "recovery": recovery_form,
}
MODELS = {
    "interruptions": Interruption,
    "failures": FailureReport,
    "escalations": Escalation,
    "calls": Call,
    "recovery": RecoveryCase,
}


@pytest.mark.parametrize("log", NEW_FORMS)
def test_new_forms_refuse_far_dates_in_every_date_field(world, client, log):
    client.force_login(world.lead)
    payload = NEW_FORMS[log](world)
    _, offered = read_form(client.get(f"/{log}/new/").content.decode())
    # The rows of the failure report's actions beyond the one posted are not sent.
    date_fields = [name for name in offered if not name.startswith("actions-") or name in payload]
    assert {"occurred_at"} <= set(date_fields)

    @EXAMPLES
    @given(moment=far_moments, name=st.sampled_from(date_fields))
    def check(moment, name):
        kind = "date" if name.endswith("due_date") else "datetime-local"
        response = client.post(f"/{log}/new/", payload | {name: as_input(moment, kind)})
        assert refused(response), (name, moment, response.status_code)
        assert not MODELS[log].objects.exists()

    check()


def _records(world):
    report = FailureReportFactory(client=world.client_a, category="compliance")
    CorrectiveActionFactory(report=report)
    return {
        "interruptions": InterruptionFactory(client=world.client_a, kind="incident"),
        "failures": report,
        "escalations": EscalationFactory(client=world.client_a),
        "calls": CallFactory(client=world.client_a),
        "recovery": RecoveryCaseFactory(client=world.client_a),
    }


@pytest.mark.parametrize("log", NEW_FORMS)
def test_edit_forms_refuse_far_dates_and_change_nothing(world, client, log):
    record = _records(world)[log]
    client.force_login(world.lead)
    url = f"/{log}/{record.reference}/edit/"
    unchanged, date_fields = read_form(client.get(url).content.decode(), action="")
    assert "occurred_at" in date_fields

    @EXAMPLES
    @given(moment=far_moments, name=st.sampled_from(date_fields))
    def check(moment, name):
        kind = "date" if name.endswith("due_date") else "datetime-local"
        response = client.post(url, unchanged | {name: as_input(moment, kind)})
        assert refused(response), (name, moment, response.status_code)
        stored = type(record).objects.get(pk=record.pk)
        assert stored.version == record.version

    check()


# --- child rows: the recovery case's entries ------------------------------------------------


ENTRY_MODELS = {
    "interactions": RecoveryInteraction,
    "actions": RecoveryAction,
    "feedback": RecoveryFeedback,
    "resolution": RecoveryResolution,
}


@pytest.mark.parametrize(
    ("path", "posted", "date_field"),
    [
        (
            "interactions",
            {"interaction-channel": "phone", "interaction-summary": "Called."},
            "interaction-at",
        ),
        ("actions", {"action-department": "Billing"}, "action-at"),
        ("feedback", {"feedback-satisfaction": 4}, "feedback-at"),
        (
            "resolution",
            {
                "resolution-version": 1,
                "resolution-final_resolution": "Replaced.",
                "resolution-customer_confirmed": "on",
            },
            "resolution-confirmed_at",
        ),
        (
            "resolution",
            {
                "resolution-version": 1,
                "resolution-final_resolution": "Replaced.",
                "resolution-follow_up_done": "on",
            },
            "resolution-follow_up_at",
        ),
    ],
)
def test_recovery_entries_refuse_far_dates(world, client, path, posted, date_field):
    case = RecoveryCaseFactory(client=world.client_a)
    if path == "actions":
        code = CodeListEntryFactory(list_name="recovery_action", code="apology", label="Apology")
        posted = posted | {"action-action_type": code.pk}
    client.force_login(world.agent)

    @EXAMPLES
    @given(moment=far_moments)
    def check(moment):
        response = client.post(
            f"/recovery/{case.reference}/{path}/",
            posted | {date_field: as_input(moment, "datetime-local")},
        )
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            response = client.get(response["Location"])
        assert range_message() in text(response)
        assert not ENTRY_MODELS[path].objects.exists()

    check()


# --- list filters, exports and the other filtered pages -------------------------------------

FILTERED_PAGES = [
    ("/interruptions/", "occurred_from"),
    ("/interruptions/", "occurred_to"),
    ("/failures/", "occurred_to"),
    ("/escalations/", "occurred_to"),
    ("/calls/", "occurred_from"),
    ("/recovery/", "occurred_to"),
    ("/audits/findings/", "found_from"),
    ("/audits/findings/", "found_to"),
    ("/calls/audits/", "scored_from"),
    ("/calls/audits/", "scored_to"),
]


@pytest.mark.parametrize(("path", "name"), FILTERED_PAGES)
def test_list_filters_refuse_far_days_on_the_page_and_in_exports(world, client, path, name):
    client.force_login(world.admin)

    @EXAMPLES
    @given(moment=far_moments)
    @example(moment=datetime(LAST_YEAR, 12, 31))
    def check(moment):
        day = as_input(moment, "date")
        assert refused(client.get(path, {name: day}))
        export = client.get(path, {name: day, "_export": "csv"})
        assert export.status_code == 400
        assert range_message() in export.content.decode()

    check()


def test_the_matrix_preview_refuses_far_starts(world, client):
    client.force_login(world.admin)

    @EXAMPLES
    @given(moment=far_moments)
    def check(moment):
        response = client.get(
            "/escalations/matrix/preview/",
            {
                "client": world.client_a.pk,
                "severity": "SEV2",
                "start": as_input(moment, "datetime-local"),
            },
        )
        assert refused(response)

    check()


# --- later-than rules ---------------------------------------------------------------------


def test_a_client_is_not_notified_before_the_failure_was_detected(world, client):
    client.force_login(world.lead)
    payload = NEW_FORMS["failures"](world) | {
        "occurred_at": "2026-03-02T09:00",
        "detected_at": "2026-03-02T11:00",
        "client_notified_at": "2026-03-02T10:00",
    }

    response = client.post("/failures/new/", payload)

    assert response.status_code == 200
    assert "The client cannot be notified before the failure was detected." in text(response)
    assert not FailureReport.objects.exists()
    accepted = client.post("/failures/new/", payload | {"client_notified_at": "2026-03-02T11:30"})
    assert accepted.status_code == 302


def test_a_corrective_action_is_not_done_before_the_failure_occurred():
    report = FailureReportFactory(occurred_at=timezone.now() - timedelta(days=1))
    action = CorrectiveActionFactory.build(
        report=report, done_at=report.occurred_at - timedelta(hours=1)
    )

    with pytest.raises(Exception, match="cannot be done before the failure occurred"):
        action.full_clean()


def test_a_follow_up_is_not_due_before_the_call_ended(world, client):
    client.force_login(world.lead)
    payload = NEW_FORMS["calls"](world) | {"follow_up_due": "2026-03-02T09:05"}

    response = client.post("/calls/new/", payload)

    assert response.status_code == 200
    assert "A follow-up cannot be due before the call ended." in text(response)
    assert not Call.objects.exists()


def test_business_time_names_a_start_outside_the_range_instead_of_overflowing():
    spec = CalendarSpec.build("Europe/London", [(day, time(9), time(17)) for day in range(5)])
    far = datetime(LAST_YEAR, 12, 31, 23, tzinfo=fixed_zone(timedelta(hours=-14)))

    with pytest.raises(ValueError, match="outside the dates the portal accepts"):
        add_business_minutes(spec, far, 600)
    with pytest.raises(ValueError, match="outside the dates the portal accepts"):
        business_minutes_between(spec, far, far)
