"""The Django admin where administrators configure the portal; log records are read-only there."""

import pytest

from apps.core import roles
from apps.core.models import Client, CodeListEntry, Service
from apps.interruptions.models import Interruption
from tests.factories import (
    CodeListEntryFactory,
    InterruptionFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(world):
    """Code lists and interruptions on top of the shared world."""
    CodeListEntryFactory(list_name="recovery_action", code="refund", label="Refund")
    CodeListEntryFactory(list_name="recovery_action", code="credit", label="Account credit")
    CodeListEntryFactory(list_name="disposition", code="refund-query", label="Refund query")
    ServiceFactory(client=world.client_a, name="CRM archive", active=False)
    return {
        "a1": InterruptionFactory(client=world.client_a, severity="SEV1", title="CRM down"),
        "a2": InterruptionFactory(client=world.client_a, severity="SEV3", title="CRM slow"),
        "b1": InterruptionFactory(client=world.client_b, severity="SEV1", title="CRM gone"),
    }


def shown(client, url: str) -> list:
    """The objects a changelist shows for `url`."""
    response = client.get(url)
    assert response.status_code == 200, url
    return list(response.context["cl"].result_list)


def test_changelists_search_and_filter(world, client, configured):
    client.force_login(world.admin)
    a, b = world.client_a, world.client_b

    assert shown(client, "/admin/core/client/?q=acme") == [a]
    assert shown(client, "/admin/core/client/?q=e&active__exact=1") == [a, b]
    assert shown(client, "/admin/core/client/?active__exact=0") == []

    assert shown(client, "/admin/core/team/?q=frontline&tier__exact=1") == [
        world.team_a1,
        world.team_b1,
    ]
    assert shown(client, f"/admin/core/team/?q=acme&clients__id__exact={a.pk}&tier__exact=2") == [
        world.team_a2
    ]

    memberships = shown(
        client, f"/admin/core/teammembership/?q=agent&team__id__exact={world.team_a1.pk}"
    )
    assert [(m.user, m.team) for m in memberships] == [(world.agent, world.team_a1)]
    assert len(shown(client, "/admin/core/teammembership/?team__tier__exact=1")) == 3

    assignments = shown(client, f"/admin/core/clientassignment/?q=auditor&client__id__exact={a.pk}")
    assert [(x.user, x.client) for x in assignments] == [(world.auditor, a)]
    assert shown(client, f"/admin/core/clientassignment/?client__id__exact={b.pk}") == []

    services = shown(client, f"/admin/core/service/?q=crm&client__id__exact={a.pk}")
    assert [s.name for s in services] == ["CRM", "CRM archive"]
    active = shown(client, f"/admin/core/service/?q=crm&client__id__exact={a.pk}&active__exact=1")
    assert active == [world.service_a]

    codes = shown(client, "/admin/core/codelistentry/?q=refund&list_name__exact=recovery_action")
    assert [code.code for code in codes] == ["refund"]
    assert len(shown(client, "/admin/core/codelistentry/?q=refund")) == 2

    records = shown(
        client,
        f"/admin/interruptions/interruption/?q=crm&severity__exact=SEV1&client__id__exact={a.pk}",
    )
    assert records == [configured["a1"]]
    by_reference = shown(
        client, f"/admin/interruptions/interruption/?q={configured['b1'].reference}"
    )
    assert by_reference == [configured["b1"]]
    assert shown(client, "/admin/interruptions/interruption/?kind__exact=outage") == []


def test_administrator_adds_a_client_with_a_service(world, client):
    client.force_login(world.admin)
    assert client.get("/admin/core/client/add/").status_code == 200

    response = client.post(
        "/admin/core/client/add/",
        {
            "name": "Initech Insurance",
            "code": "initech",
            "active": "on",
            "timezone": "Europe/Dublin",
            "retention_months": "12",
            "contract_reference": "MSA-2026-007",
            "services-TOTAL_FORMS": "1",
            "services-INITIAL_FORMS": "0",
            "services-0-name": "Claims portal",
            "services-0-vendor": "Guidewire",
            "services-0-active": "on",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert response.url == "/admin/core/client/"
    created = Client.objects.get(code="initech")
    assert (created.name, created.timezone, created.retention_months) == (
        "Initech Insurance",
        "Europe/Dublin",
        12,
    )
    assert list(Service.objects.filter(client=created).values_list("name", "vendor")) == [
        ("Claims portal", "Guidewire")
    ]
    assert created.history.get().history_user == world.admin


def test_client_form_refuses_retention_outside_6_to_36_months(world, client):
    client.force_login(world.admin)

    response = client.post(
        "/admin/core/client/add/",
        {
            "name": "Forever Ltd",
            "code": "forever",
            "timezone": "UTC",
            "retention_months": "48",
            "services-TOTAL_FORMS": "0",
            "services-INITIAL_FORMS": "0",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 36." in response.content.decode()
    assert not Client.objects.filter(code="forever").exists()


def test_code_list_entries_are_added_in_the_admin(world, client):
    client.force_login(world.admin)

    response = client.post(
        "/admin/core/codelistentry/add/",
        {"list_name": "disposition", "code": "resolved-fcr", "label": "Resolved first call",
         "active": "on", "sort_order": "1"},
    )  # fmt: skip

    assert response.status_code == 302
    entry = CodeListEntry.objects.get(code="resolved-fcr")
    assert (entry.list_name, entry.label) == ("disposition", "Resolved first call")


def test_interruptions_are_read_only_in_the_admin(world, client, configured):
    record = configured["a1"]
    client.force_login(world.admin)
    base = "/admin/interruptions/interruption/"

    changelist = client.get(base).content.decode()
    assert f'href="{base}add/"' not in changelist
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"title": "Made in admin"}).status_code == 403

    change_page = client.get(f"{base}{record.pk}/change/")
    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.content.decode()
    assert client.post(f"{base}{record.pk}/change/", {"title": "Edited"}).status_code == 403
    assert client.post(f"{base}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}{record.pk}/history/").status_code == 200

    record.refresh_from_db()
    assert record.title == "CRM down"
    assert Interruption.objects.count() == 3


def test_administrator_role_configures_without_being_superuser(world, client, configured):
    configurer = UserFactory(username="configurer", is_staff=True, role=roles.ADMINISTRATOR)
    client.force_login(configurer)

    assert client.get("/admin/core/client/").status_code == 200
    assert client.get("/admin/core/team/add/").status_code == 200
    assert client.get("/admin/interruptions/interruption/").status_code == 200
    assert client.get("/admin/interruptions/interruption/add/").status_code == 403


def test_portal_users_who_are_not_staff_cannot_open_the_admin(world, client):
    client.force_login(world.lead)

    response = client.get("/admin/core/client/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
