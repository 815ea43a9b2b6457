"""The API's rules: tokens, problem details, versions, rate limits, masking, lists and pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.api.models import Scope
from apps.api.tokens import token_issue, token_revoke
from apps.calls.masking import MASK
from apps.core.choices import Severity
from tests.api.conftest import ApiClient
from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory

PROBLEM = "application/problem+json"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


@pytest.mark.django_db
def test_no_token_a_wrong_one_or_a_revoked_one_is_401(world):
    token, secret = token_issue(world.agent, name="soon revoked", scope=Scope.WRITE)
    token_revoke(token, actor=world.agent)
    for client in (ApiClient(None), ApiClient("bpoa_wrong"), ApiClient(secret)):
        response = client.get("/api/interruptions/")
        _problem(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_a_read_only_token_reads_and_changes_nothing(world, api_as):
    record = InterruptionFactory(client=world.client_a)
    reader = api_as(world.agent, Scope.READ)
    assert reader.get(f"/api/interruptions/{record.reference}").status_code == 200
    # Refused before the body is read: a broken body gets the same answer.
    for body in ({"version": record.version, "title": "Changed"}, {"version": "x"}):
        refused = reader.patch(f"/api/interruptions/{record.reference}", body)
        assert _problem(refused, 403)["title"] == "Read-only token"
    record.refresh_from_db()
    assert record.version == 1


@pytest.mark.django_db
def test_field_errors_are_named(world, api_as):
    writer = api_as(world.agent)
    wrong_type = writer.post("/api/interruptions/", {"kind": "meteor", "customers_affected": "x"})
    assert set(_problem(wrong_type, 400)["errors"]) == {"kind", "customers_affected"}
    missing = writer.post("/api/interruptions/", {"kind": "outage"})
    errors = _problem(missing, 400)["errors"]
    assert {"title", "occurred_at"} <= set(errors)


@pytest.mark.django_db
def test_a_stale_version_is_409_and_saves_nothing(world, api_as):
    record = InterruptionFactory(
        client=world.client_a, title="As it was", affected_services=[world.service_a]
    )
    writer = api_as(world.agent)
    path = f"/api/interruptions/{record.reference}"
    first = writer.patch(path, {"version": 1, "title": "First"})
    assert first.status_code == 200, first.json()["errors"]
    late = writer.patch(path, {"version": 1, "title": "Second"})
    assert _problem(late, 409)["errors"] == {"version": ["The record is at version 2."]}
    stale_move = writer.post(f"{path}/status", {"status": "in_progress", "version": 1})
    _problem(stale_move, 409)
    record.refresh_from_db()
    assert (record.title, record.version, record.status) == ("First", 2, "new")


@pytest.mark.django_db
def test_a_move_the_workflow_refuses_is_409(world, api_as):
    record = InterruptionFactory(client=world.client_a)
    writer = api_as(world.lead)
    refused = writer.post(
        f"/api/interruptions/{record.reference}/status", {"status": "closed", "version": 1}
    )
    assert refused.status_code in (400, 409)
    assert refused["Content-Type"] == PROBLEM


@pytest.mark.django_db
def test_each_token_has_its_own_rate_limit(world, settings):
    settings.API_RATE_LIMIT = "3/min"
    first = ApiClient(token_issue(world.agent, name="one", scope=Scope.READ)[1])
    second = ApiClient(token_issue(world.agent, name="two", scope=Scope.READ)[1])
    assert [first.get("/api/notifications/").status_code for _ in range(3)] == [200] * 3
    refused = first.get("/api/notifications/")
    _problem(refused, 429)
    assert int(refused["Retry-After"]) >= 1
    assert second.get("/api/notifications/").status_code == 200


@pytest.mark.django_db
def test_personal_data_is_masked_as_on_the_pages(world, api_as):
    call = CallFactory(client=world.client_a, caller_number="+44 20 7946 0123", customer_name="Ad")
    renamed = api_as(world.agent).patch(
        f"/api/calls/{call.reference}", {"version": call.version, "customer_name": "Ada"}
    )
    assert renamed.status_code == 200, renamed.json()
    for user, number, name in (
        (world.agent, "+44 20 7946 0123", "Ada"),
        (world.auditor, f"{MASK} 0123", MASK),
    ):
        api = api_as(user, Scope.READ)
        shown = api.get(f"/api/calls/{call.reference}").json()
        listed = api.get("/api/calls/").json()["items"]
        assert (shown["caller_number"], shown["customer_name"]) == (number, name)
        assert [(row["caller_number"], row["customer_name"]) for row in listed] == [(number, name)]
        history = api.get(f"/api/calls/{call.reference}/history").content.decode()
        assert ("Ada" in history) == (user == world.agent)


@pytest.mark.django_db
def test_keyset_pages_walk_every_row_once_in_the_page_order(world, api_as):
    records = InterruptionFactory.create_batch(7, client=world.client_a)
    InterruptionFactory(client=world.client_b)
    api = api_as(world.agent, Scope.READ)
    seen, url = [], "/api/interruptions/?per_page=3&sort=reference"
    while url:
        page = api.client.get(url, headers=api.headers).json()
        seen += [row["reference"] for row in page["items"]]
        url = page["links"]["next"]
    assert seen == sorted(record.reference for record in records)
    back = api.client.get(page["links"]["previous"] or "", headers=api.headers)
    assert back.status_code in (200, 404)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field",
    [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("sort=nonsense", "sort"),
        ("after=damaged", "after"),
        ("severity=SEV9", "severity"),
    ],
)
def test_paging_and_filter_mistakes_are_named(world, api_as, query, field):
    api = api_as(world.agent, Scope.READ)
    response = api.client.get(f"/api/interruptions/?{query}", headers=api.headers)
    assert field in _problem(response, 400)["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["", "severity=SEV1", "status=new&severity=SEV2", "q=Printer", "sort=-severity"],
)
def test_the_list_holds_what_the_page_lists(world, api_as, client, query):
    for index, severity in enumerate([Severity.SEV1, Severity.SEV2, Severity.SEV3] * 3):
        InterruptionFactory(client=world.client_a, severity=severity, title=f"Printer {index}")
    InterruptionFactory(client=world.client_a, title="Scanner")
    InterruptionFactory(client=world.client_b, severity=Severity.SEV1)
    api = api_as(world.agent, Scope.READ)
    listed = api.client.get(f"/api/interruptions/?{query}&per_page=100", headers=api.headers)
    client.force_login(world.agent)
    page = client.get(f"/interruptions/?{query}&per_page=100").content.decode()
    on_page = list(dict.fromkeys(re.findall(r"INT-\d{4}-\d{6}", page)))
    assert [row["reference"] for row in listed.json()["items"]] == on_page


@pytest.mark.django_db
def test_a_page_costs_the_same_queries_whatever_its_length(world, api_as):
    api = api_as(world.agent, Scope.READ)

    def queries(per_page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            api.client.get(f"/api/interruptions/?per_page={per_page}", headers=api.headers)
        return len(captured)

    InterruptionFactory.create_batch(2, client=world.client_a, affected_services=[world.service_a])
    queries(2)  # the token's first use of the minute is written down
    few = queries(2)
    InterruptionFactory.create_batch(20, client=world.client_a, affected_services=[world.service_a])
    assert queries(22) == few
