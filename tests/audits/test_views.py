"""The findings list: per role, scoped by client, filtered, exported; acknowledging."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audits.models import AuditFinding, FindingKind
from apps.audits.services import finding_file
from apps.core import roles
from apps.core.choices import Severity
from tests.background_jobs import exported
from tests.factories import InterruptionFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/audits/findings/"


def _finding(client_record, kind=FindingKind.STALE, severity=Severity.SEV2, ago=timedelta()):
    record = InterruptionFactory(client=client_record, severity=severity)
    finding = finding_file(
        kind=kind,
        fingerprint=f"{kind}:{record.pk}",
        severity=severity,
        summary=f"{record.reference} needs a look.",
        record=record,
        now=timezone.now() - ago,
    )
    return finding


@pytest.fixture
def findings(world):
    return {
        "a_stale": _finding(world.client_a),
        "a_incomplete": _finding(
            world.client_a, FindingKind.INCOMPLETE, Severity.SEV4, timedelta(days=3)
        ),
        "b_stale": _finding(world.client_b, severity=Severity.SEV1),
    }


@pytest.fixture
def lead_b(world):
    user = UserFactory(username="lead_b", role=roles.TEAM_LEAD)
    TeamMembershipFactory(team=world.team_b1, user=user)
    return user


def _shown(response) -> set[str]:
    assert response.status_code == 200
    return {finding.record_reference for finding in response.context["table"].data}


def test_lead_and_auditor_see_their_clients_findings_only(world, client, findings, lead_b):
    for user in (world.lead, world.auditor):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 200
        assert f'href="{URL}"'.encode() in response.content  # in the navigation
        assert _shown(response) == {
            findings["a_stale"].record_reference,
            findings["a_incomplete"].record_reference,
        }
    client.force_login(lead_b)
    assert _shown(client.get(URL)) == {findings["b_stale"].record_reference}
    client.force_login(world.admin)
    assert len(_shown(client.get(URL))) == 3


def test_agents_may_not_open_the_list(world, client, findings):
    client.force_login(world.agent_b)
    assert client.get(URL).status_code == 403


def test_filters_narrow_the_list(world, client, findings):
    client.force_login(world.admin)
    a_stale, a_incomplete = findings["a_stale"], findings["a_incomplete"]
    cases = {
        f"client={world.client_a.pk}": {a_stale, a_incomplete},
        "kind=incomplete": {a_incomplete},
        "severity=SEV1&severity=SEV4": {findings["b_stale"], a_incomplete},
        f"found_to={(timezone.localdate() - timedelta(days=1)).isoformat()}": {a_incomplete},
        f"found_from={timezone.localdate().isoformat()}": {a_stale, findings["b_stale"]},
        f"q={a_stale.record_reference}": {a_stale},
    }
    for query, expected in cases.items():
        shown = _shown(client.get(f"{URL}?{query}"))
        assert shown == {f.record_reference for f in expected}, query
    a_stale.acknowledged_at = timezone.now()
    a_stale.save()
    assert _shown(client.get(f"{URL}?acknowledged=true")) == {a_stale.record_reference}
    assert a_stale.record_reference not in _shown(client.get(f"{URL}?acknowledged=false"))


def test_sorting_by_severity(world, client, findings):
    client.force_login(world.admin)
    rows = list(client.get(f"{URL}?sort=severity").context["table"].data)
    assert [row.severity for row in rows] == ["SEV1", "SEV2", "SEV4"]


def test_auditor_exports_csv_and_xlsx_of_their_clients(world, client, findings):
    client.force_login(world.auditor)
    response = client.get(f"{URL}?_export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert findings["a_stale"].record_reference in text
    assert findings["b_stale"].record_reference not in text
    assert "Stale record" in text
    response = exported(client, f"{URL}?kind=stale&_export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    references = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert references == [findings["a_stale"].record_reference]


def test_lead_acknowledges_a_finding_of_their_client(world, client, findings):
    finding = findings["a_stale"]
    client.force_login(world.lead)
    page = client.get(URL)
    assert finding.acknowledge_url.encode() in page.content
    response = client.post(finding.acknowledge_url, {"next": f"{URL}?kind=stale"})
    assert response.status_code == 302 and response.url == f"{URL}?kind=stale"
    finding.refresh_from_db()
    assert finding.acknowledged_by == world.lead and finding.acknowledged_at is not None
    again = client.post(finding.acknowledge_url, follow=True)
    assert b"Already acknowledged" in again.content
    assert AuditFinding.objects.get(pk=finding.pk).acknowledged_at == finding.acknowledged_at


def test_acknowledging_another_clients_finding_is_not_found(world, client, findings, lead_b):
    client.force_login(lead_b)
    assert client.post(findings["a_stale"].acknowledge_url).status_code == 404
    assert AuditFinding.objects.filter(acknowledged_at__isnull=False).count() == 0


def test_another_clients_finding_is_not_found_even_without_the_permission(world, client, findings):
    """404 before 403: a refusal must not tell that the finding exists."""
    client.force_login(world.auditor)
    assert client.post(findings["b_stale"].acknowledge_url).status_code == 404
    assert client.post(findings["a_stale"].acknowledge_url).status_code == 403
    client.force_login(world.agent_b)
    assert client.post(findings["a_stale"].acknowledge_url).status_code == 404
    assert client.post(findings["b_stale"].acknowledge_url).status_code == 403
    assert AuditFinding.objects.filter(acknowledged_at__isnull=False).count() == 0


def test_auditors_read_but_do_not_acknowledge(world, client, findings):
    client.force_login(world.auditor)
    listing = client.get(URL)
    assert listing.status_code == 200
    assert findings["a_stale"].acknowledge_url.encode() not in listing.content
    assert client.post(findings["a_stale"].acknowledge_url).status_code == 403
    assert client.get(URL).context["can_export"]


def test_list_costs_the_same_queries_for_any_page_size(world, client):
    for index in range(30):
        _finding(world.client_a, ago=timedelta(minutes=index))
    AuditFinding.objects.filter(pk__in=AuditFinding.objects.all()[:10]).update(
        acknowledged_at=timezone.now(), acknowledged_by=world.lead
    )
    client.force_login(world.lead)
    client.get(URL)  # fills the per-process and access caches
    counts = []
    for size in (25, 50):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{URL}?per_page={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
