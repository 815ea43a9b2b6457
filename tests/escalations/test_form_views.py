"""The escalation's edit form over HTTP: it shows what is stored, keeps the due times nobody
touched, and fills a due time the user emptied from the client's SLA."""

import pytest

from apps.core.targets import due_times_for
from apps.escalations.models import Escalation
from tests.factories_escalations import EscalationFactory
from tests.roundtrip.browser import page_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(world):
    return EscalationFactory(client=world.client_a, severity="SEV2", tier=2)


def test_edit_form_shows_the_stored_severity(world, client, record):
    client.force_login(world.agent)

    form = client.get(f"{record.get_absolute_url()}edit/").context["form"]

    assert form["severity"].value() == "SEV2"


def test_due_times_nobody_touched_stay_as_stored_even_empty(world, client, record):
    Escalation.objects.filter(pk=record.pk).update(first_response_due=None)
    record.refresh_from_db()
    path = f"{record.get_absolute_url()}edit/"
    client.force_login(world.agent)

    response = client.post(path, page_post(client, path, title="Customer disputes two invoices"))

    assert response.status_code == 302
    stored = Escalation.objects.get(pk=record.pk)
    assert stored.title == "Customer disputes two invoices"
    assert (stored.first_response_due, stored.resolution_due) == (None, record.resolution_due)


def test_a_due_time_emptied_on_the_form_comes_from_the_sla(world, client, record):
    path = f"{record.get_absolute_url()}edit/"
    client.force_login(world.agent)

    response = client.post(path, page_post(client, path, resolution_due=""))

    assert response.status_code == 302
    stored = Escalation.objects.get(pk=record.pk)
    assert stored.resolution_due == due_times_for(stored)[1]
    assert stored.first_response_due == record.first_response_due
