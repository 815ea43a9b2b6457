"""The failure report page: fields, actions, closing problems; and what each role may do."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.choices import Status
from apps.core.models import TimelineEntry
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world):
    return FailureReportFactory(
        client=world.client_a,
        category="compliance",
        title="Service level below 80/20",
        contract_clause="Schedule 2, 4.1",
        sla_metric="Calls answered within 20 s (%)",
        sla_target="80.00",
        sla_actual="71.40",
        service=world.service_a2,
    )


def test_detail_shows_the_category_fields_and_the_actions(world, client, report):
    CorrectiveActionFactory(report=report, action="Weekly forecast review", owner=world.lead,
                            due_date=timezone.localdate() - timedelta(days=1))  # fmt: skip
    CorrectiveActionFactory(report=report, action="Overtime pool", waived=True,
                            waiver_reason="Client funds agency staff instead")  # fmt: skip
    client.force_login(world.agent)

    response = client.get(f"/failures/{report.reference}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Compliance / SLA breach" in content
    assert "Schedule 2, 4.1" in content
    assert "target 80.00, actual 71.40" in content
    assert "Telephony platform" in content
    table = content.split('id="corrective-action-list"')[1].split("</table>")[0]
    assert "Weekly forecast review" in table and "overdue" in table
    assert "Client funds agency staff instead" in table and "waived" in table
    # The closing rules are listed where the status form is.
    assert "Choose a root-cause category before closing." in content
    assert "still open: Weekly forecast review." in content


@pytest.mark.parametrize("role", ["agent", "lead", "auditor", "admin"])
def test_every_role_of_the_client_reads_the_report(world, client, report, role):
    client.force_login(getattr(world, role))

    response = client.get(f"/failures/{report.reference}/")

    assert response.status_code == 200
    assert ("Change status" in response.content.decode()) is (role != "auditor")


def test_closing_over_http_shows_why_it_was_refused(world, client, report):
    report.status = Status.RESOLVED
    report.resolved_at = timezone.now()
    report.save()
    client.force_login(world.lead)

    response = client.post(
        f"/failures/{report.reference}/status/", {"status": "closed", "version": 1}, follow=True
    )

    content = response.content.decode()
    assert "Add at least one corrective action before closing." in content
    assert "Describe the root cause before closing." in content
    report.refresh_from_db()
    assert report.status == Status.RESOLVED


def test_closing_over_http_with_everything_settled(world, client, report):
    report.status = Status.RESOLVED
    report.resolved_at = timezone.now()
    report.root_cause_category = "people"
    report.root_cause_analysis = "Absence not covered."
    report.save()
    CorrectiveActionFactory(report=report, done_at=timezone.now() - timedelta(hours=1))
    client.force_login(world.lead)

    response = client.post(
        f"/failures/{report.reference}/status/", {"status": "closed", "version": 1}
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.CLOSED, 2)


def test_outsider_gets_404_for_every_url_of_another_clients_report(world, client, report):
    client.force_login(world.agent_b)
    ref = report.reference

    gets = [f"/failures/{ref}/", f"/failures/{ref}/edit/"]
    posts = [
        (f"/failures/{ref}/edit/", {"title": "Hijacked", "version": 1}),
        (f"/failures/{ref}/note/", {"text": "Outsider note"}),
        (f"/failures/{ref}/status/", {"status": "in_progress", "version": 1}),
        (f"/failures/{ref}/assign/", {"assignee": world.agent_b.pk, "version": 1}),
        (f"/failures/{ref}/link/", {"relation": "related_to", "reference": ref}),
    ]

    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    report.refresh_from_db()
    assert (report.title, report.status, report.assignee, report.version) == (
        "Service level below 80/20", Status.NEW, None, 1,
    )  # fmt: skip
    assert not TimelineEntry.objects.filter(object_id=report.pk).exists()


def test_outsider_sees_none_of_it_in_the_list_or_export(world, client, report):
    client.force_login(world.agent_b)

    listing = client.get("/failures/")

    assert listing.status_code == 200
    assert report.reference not in listing.content.decode()
    assert client.get("/failures/?_export=csv").status_code == 403


def test_auditor_gets_404_not_403_for_another_clients_report(world, client):
    foreign = FailureReportFactory(client=world.client_b)
    client.force_login(world.auditor)

    assert client.get(f"/failures/{foreign.reference}/").status_code == 404
    assert client.post(f"/failures/{foreign.reference}/note/", {"text": "x"}).status_code == 404


def test_admin_shows_reports_read_only_with_their_actions(world, client, report):
    CorrectiveActionFactory(report=report, action="Weekly forecast review")
    client.force_login(world.admin)

    listing = client.get("/admin/failures/failurereport/?category__exact=compliance")
    page = client.get(f"/admin/failures/failurereport/{report.pk}/change/")

    assert report.reference in listing.content.decode()
    assert page.status_code == 200
    assert "Weekly forecast review" in page.content.decode()
    assert client.get("/admin/failures/failurereport/add/").status_code == 403
    response = client.post(f"/admin/failures/failurereport/{report.pk}/change/", {"title": "x"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.title == "Service level below 80/20"
