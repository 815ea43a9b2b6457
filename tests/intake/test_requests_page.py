"""The request log: leads and administrators, scoped to their clients, filtered, exported."""

import pytest

from apps.intake.models import IntakeRequest, Outcome
from apps.intake.processing import intake_process_pending
from tests.factories_intake import IntegrationFactory

from .payloads import alertmanager, post

pytestmark = pytest.mark.django_db
URL = "/intake/requests/"


@pytest.fixture
def requests_of_both(world, client):
    acme = IntegrationFactory(name="Acme probes", client=world.client_a)
    globex = IntegrationFactory(name="Globex probes", client=world.client_b)
    post(client, acme, alertmanager())
    post(client, acme, alertmanager(), token="bpoi_wrong")
    post(client, globex, alertmanager())
    intake_process_pending(acme.pk)
    return acme, globex


def _page(client, user, query: str = ""):
    client.force_login(user)
    return client.get(URL + query)


def _rows(client, user, query: str = "") -> str:
    """The table's body: what the rows show, not the filters' drop-downs."""
    html = _page(client, user, query).content.decode()
    return html[html.index("<tbody") : html.index("</tbody>")]


def test_a_lead_sees_the_requests_of_their_clients_only(world, client, requests_of_both):
    response = _page(client, world.lead)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme probes" in html and "Globex probes" not in html
    assert html.count('class="badge text-bg-success"') == 1  # the accepted one
    assert "wrong or missing token" in html
    assert "INT-" in html  # the interruption it opened, linked


def test_an_administrator_sees_every_client(world, client, requests_of_both):
    html = _page(client, world.admin).content.decode()
    assert "Acme probes" in html and "Globex probes" in html


@pytest.mark.parametrize("user", ["agent", "auditor", "agent_b"])
def test_agents_and_auditors_may_not(world, client, requests_of_both, user):
    assert _page(client, getattr(world, user)).status_code == 403


def test_filters_narrow_the_rows(world, client, requests_of_both):
    acme, globex = requests_of_both
    refused = _rows(client, world.admin, "?outcome=refused")
    assert "wrong or missing token" in refused and "Globex probes" not in refused
    by_integration = _rows(client, world.admin, f"?integration={globex.pk}")
    assert "Globex probes" in by_integration and "Acme probes" not in by_integration
    by_status = _rows(client, world.admin, "?status_code=401")
    assert "wrong or missing token" in by_status and "Globex probes" not in by_status
    search = _rows(client, world.admin, "?q=token")
    assert "wrong or missing token" in search and "Globex probes" not in search


def test_a_lead_cannot_filter_on_another_clients_integration(world, client, requests_of_both):
    acme, globex = requests_of_both
    html = _page(client, world.lead, f"?integration={globex.pk}").content.decode()
    assert "These filters are not valid" in html and "Globex probes" not in html


def test_the_figures_count_each_outcome(world, client, requests_of_both):
    client.force_login(world.lead)
    html = client.get(URL + "?_figures=1").content.decode()
    assert "Accepted" in html and "Refused" in html


def test_a_lead_exports_the_filtered_rows(world, client, requests_of_both):
    client.force_login(world.lead)
    response = client.get(URL + "?outcome=refused&_export=csv")
    body = (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else (response.content.decode())
    )
    assert response.status_code == 200
    assert "wrong or missing token" in body and "Globex" not in body
    assert IntakeRequest.objects.filter(outcome=Outcome.REFUSED).count() == 1
