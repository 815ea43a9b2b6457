"""Calls and audits in the admin: visible to administrators, never edited there."""

import pytest

from tests.factories_calls import CallFactory, QualityAuditFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_calls_and_audits_read_only(world, client):
    call = CallFactory(client=world.client_a, external_call_id="TEL-77")
    audit = QualityAuditFactory(call=call, auditor=world.auditor)
    client.force_login(world.admin)

    listing = client.get("/admin/calls/call/?q=TEL-77")
    page = client.get(f"/admin/calls/call/{call.pk}/change/")
    audits = client.get("/admin/calls/qualityaudit/")
    audit_page = client.get(f"/admin/calls/qualityaudit/{audit.pk}/change/")

    assert listing.status_code == page.status_code == audits.status_code == 200
    assert audit_page.status_code == 200
    assert call.reference in listing.content.decode()
    assert client.get("/admin/calls/call/add/").status_code == 403
    assert client.post(f"/admin/calls/call/{call.pk}/delete/").status_code == 403
    assert client.get("/admin/calls/qualityaudit/add/").status_code == 403
