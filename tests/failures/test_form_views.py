"""The failure report form over HTTP, with its inline corrective actions."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.failures.forms import CorrectiveActionFormSet
from apps.failures.models import CorrectiveAction, FailureReport
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory
from tests.roundtrip.browser import page_post

pytestmark = pytest.mark.django_db

FORM_TIME = "%Y-%m-%dT%H:%M"
DUE = (timezone.localdate() + timedelta(days=7)).isoformat()


def local(moment) -> str:
    return timezone.localtime(moment).strftime(FORM_TIME)


def action_rows(rows: list[dict], initial: int = 0, extra: int = 0) -> dict:
    """The formset's part of the POST: management form and one prefixed set per row."""
    data = {
        "actions-TOTAL_FORMS": str(len(rows) + extra),
        "actions-INITIAL_FORMS": str(initial),
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if name == "waived" and not value:
                continue
            data[f"actions-{index}-{name}"] = value
    return data


@pytest.fixture
def new_data(world):
    occurred = timezone.now() - timedelta(hours=4)
    return {
        "client": world.client_a.pk,
        "category": "customer_service",
        "title": "Refund promised but never processed",
        "severity": "SEV3",
        "service": world.service_a.pk,
        "occurred_at": local(occurred),
        "detected_at": local(occurred + timedelta(hours=1)),
        "description": "Agent promised a refund in three days.",
        "customer_impact": "Customer complained on social media.",
        "customer_service_failure_type": "unresolved_complaint",
        "downtime_minutes": "30",  # another category's field: dropped
        "assignee": world.agent.pk,
        "team": world.team_a1.pk,
        "follow_up_status": "pending",
    }


def test_form_shows_a_section_per_category_and_the_action_rows(world, client):
    client.force_login(world.agent)

    response = client.get("/failures/new/")

    content = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'data-kind-section="(\w+)"', content) == [
        "technical", "customer_service", "process_deviation", "delivery", "compliance",
        "communication",
    ]  # fmt: skip
    assert 'name="category" data-kind-field' in content
    assert 'name="actions-TOTAL_FORMS" value="2"' in content
    assert 'name="actions-1-action"' in content


def test_agent_creates_a_report_with_actions(world, client, new_data):
    client.force_login(world.agent)
    data = new_data | action_rows(
        [
            {"action": "Coach the agent", "owner": world.lead.pk, "due_date": DUE},
            {"action": "", "owner": "", "due_date": ""},  # the empty extra row
        ]
    )

    response = client.post("/failures/new/", data)

    report = FailureReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/failures/{report.reference}/"
    assert (report.category, report.customer_service_failure_type) == (
        "customer_service",
        "unresolved_complaint",
    )
    assert report.downtime_minutes is None
    assert report.service == world.service_a
    assert [(a.action, a.owner) for a in report.corrective_actions.all()] == [
        ("Coach the agent", world.lead)
    ]


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"waived": "on", "waiver_reason": ""}, "Give the reason for waiving this action."),
        (
            {"waived": "on", "waiver_reason": "x", "done_at": local(timezone.now())},
            "An action is either done or waived, not both.",
        ),
        (
            {"done_at": local(timezone.now() + timedelta(days=2))},
            "An action cannot be done in the future.",
        ),
        ({"due_date": ""}, "This field is required."),
    ],
)
def test_invalid_action_rows_keep_everything_unsaved(world, client, new_data, row, error):
    client.force_login(world.agent)
    data = new_data | action_rows(
        [{"action": "Coach the agent", "owner": "", "due_date": DUE, **row}]
    )

    response = client.post("/failures/new/", data)

    assert response.status_code == 200
    assert error in response.content.decode().replace("&#x27;", "'")
    assert not FailureReport.objects.exists()
    assert not CorrectiveAction.objects.exists()


def test_same_action_twice_is_refused(world, client, new_data):
    client.force_login(world.agent)
    row = {"action": "Coach the agent", "owner": "", "due_date": DUE}
    data = new_data | action_rows([row, {**row, "action": "coach the agent "}])

    response = client.post("/failures/new/", data)

    assert response.status_code == 200
    assert "The same corrective action is listed twice." in response.content.decode()
    assert not FailureReport.objects.exists()


def test_report_errors_and_action_errors_show_together(world, client, new_data):
    client.force_login(world.agent)
    data = (new_data | {"title": ""}) | action_rows(
        [{"action": "x", "owner": "", "due_date": DUE, "waived": "on"}]
    )

    response = client.post("/failures/new/", data)

    content = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in content
    assert "Give the reason for waiving this action." in content


def test_owner_choices_are_people_of_the_users_clients(world):
    formset = CorrectiveActionFormSet(
        instance=FailureReport(), prefix="actions", user=world.agent,
        queryset=CorrectiveAction.objects.none(),
    )  # fmt: skip

    owners = set(formset.forms[0].fields["owner"].queryset)

    assert world.agent_b not in owners
    assert {world.agent, world.lead} <= owners
    assert world.auditor not in owners  # auditors read records; they do not work them


def test_owner_of_another_client_is_not_a_valid_choice(world, client, new_data):
    client.force_login(world.agent)
    data = new_data | action_rows([{"action": "x", "owner": world.agent_b.pk, "due_date": DUE}])

    response = client.post("/failures/new/", data)

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not FailureReport.objects.exists()


# --- edit -----------------------------------------------------------------------------------


def edit_data(report: FailureReport, rows: list[dict], **overrides) -> dict:
    data = {
        "category": report.category,
        "title": report.title,
        "severity": report.severity,
        "occurred_at": local(report.occurred_at),
        "follow_up_status": report.follow_up_status,
        "version": report.version,
        **overrides,
    }
    existing = [
        {
            "id": action.pk,
            "report": report.pk,
            "action": action.action,
            "owner": action.owner_id or "",
            "due_date": action.due_date.isoformat(),
            "done_at": local(action.done_at) if action.done_at else "",
            "waived": action.waived,
            "waiver_reason": action.waiver_reason,
        }
        for action in report.corrective_actions.all()
    ]
    for index, changes in enumerate(rows[: len(existing)]):
        existing[index].update(changes)
    return data | action_rows(existing + rows[len(existing) :], initial=len(existing))


def test_edit_marks_an_action_done_and_adds_one(world, client):
    report = FailureReportFactory(client=world.client_a)
    action = CorrectiveActionFactory(report=report, action="Retrain the desk")
    done = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    client.force_login(world.lead)

    response = client.post(
        f"/failures/{report.reference}/edit/",
        edit_data(
            report,
            [{"done_at": local(done)}, {"action": "Script reminder", "due_date": DUE}],
        ),
    )

    assert response.status_code == 302
    report.refresh_from_db()
    action.refresh_from_db()
    assert report.version == 2
    assert action.done_at == done
    assert list(report.corrective_actions.values_list("action", flat=True)) == [
        "Retrain the desk",
        "Script reminder",
    ]


def test_stale_edit_with_actions_is_refused(world, client):
    report = FailureReportFactory(client=world.client_a, version=4)
    CorrectiveActionFactory(report=report)
    client.force_login(world.lead)
    data = edit_data(report, [{"waived": "on", "waiver_reason": "Not needed"}], version=3)

    response = client.post(f"/failures/{report.reference}/edit/", data)

    assert response.status_code == 200
    assert "was changed by someone else since you opened it (version 3, now 4)" in (
        response.content.decode()
    )
    assert CorrectiveAction.objects.get().waived is False
    report.refresh_from_db()
    assert report.version == 4


def test_outsider_cannot_open_or_post_the_edit_form(world, client):
    report = FailureReportFactory(client=world.client_a)
    client.force_login(world.agent_b)

    assert client.get(f"/failures/{report.reference}/edit/").status_code == 404
    assert (
        client.post(f"/failures/{report.reference}/edit/", edit_data(report, [])).status_code == 404
    )


def test_auditor_may_not_create_or_edit(world, client, new_data):
    report = FailureReportFactory(client=world.client_a)
    client.force_login(world.auditor)

    assert client.get("/failures/new/").status_code == 403
    assert client.post("/failures/new/", new_data | action_rows([])).status_code == 403
    assert client.get(f"/failures/{report.reference}/edit/").status_code == 403
    assert not FailureReport.objects.exclude(pk=report.pk).exists()


def test_formset_hands_the_service_only_what_changed(world):
    report = FailureReportFactory(client=world.client_a)
    kept = CorrectiveActionFactory(report=report, action="Keep as is")
    moved = CorrectiveActionFactory(report=report, action="Move the date")
    new_due = timezone.localdate() + timedelta(days=30)
    rows = [
        {"id": kept.pk, "report": report.pk, "action": kept.action,
         "due_date": kept.due_date.isoformat()},
        {"id": moved.pk, "report": report.pk, "action": moved.action,
         "due_date": new_due.isoformat()},
        {"action": "Brand new", "owner": world.lead.pk, "due_date": DUE},
        {"action": "", "owner": "", "due_date": ""},
    ]  # fmt: skip
    formset = CorrectiveActionFormSet(
        action_rows(rows, initial=2), instance=report, prefix="actions", user=world.agent,
        queryset=report.corrective_actions.all(),
    )  # fmt: skip

    assert formset.is_valid(), formset.errors
    assert formset.edited() == [(moved, {"due_date": new_due})]
    assert formset.added() == [
        {"action": "Brand new", "owner": world.lead, "due_date": timezone.localdate()
         + timedelta(days=7), "done_at": None, "waived": False, "waiver_reason": ""}
    ]  # fmt: skip


@pytest.fixture
def delivery_report(world):
    return FailureReportFactory(
        client=world.client_a,
        severity="SEV1",
        category="delivery",
        delivery_failure_type="late",
        order_reference="ORD-77",
    )


def test_edit_form_shows_the_stored_severity(world, client, delivery_report):
    client.force_login(world.agent)

    form = client.get(f"{delivery_report.get_absolute_url()}edit/").context["form"]

    assert form["severity"].value() == "SEV1"


def test_a_title_edit_keeps_the_categorys_fields(world, client, delivery_report):
    path = f"{delivery_report.get_absolute_url()}edit/"
    client.force_login(world.agent)

    response = client.post(path, page_post(client, path, "form", "formset", title="Parcel late"))

    assert response.status_code == 302
    stored = FailureReport.objects.get(pk=delivery_report.pk)
    assert (stored.title, stored.severity, stored.delivery_failure_type) == (
        "Parcel late",
        "SEV1",
        "late",
    )
    assert stored.history.latest().history_change_reason == "Edited: title"


def test_another_category_clears_the_fields_of_the_stored_one(world, client, delivery_report):
    path = f"{delivery_report.get_absolute_url()}edit/"
    client.force_login(world.agent)

    response = client.post(path, page_post(client, path, "form", "formset", category="technical"))

    assert response.status_code == 302
    stored = FailureReport.objects.get(pk=delivery_report.pk)
    assert (stored.category, stored.delivery_failure_type, stored.order_reference) == (
        "technical",
        "",
        "",
    )
