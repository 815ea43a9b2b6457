"""The recovery case's edit form over HTTP: it shows what is stored, and its rules compare
with the case as stored."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories_recovery import RecoveryCaseFactory, RecoveryInteractionFactory
from tests.roundtrip.browser import page_post

pytestmark = pytest.mark.django_db


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def case(world):
    return RecoveryCaseFactory(client=world.client_a, severity="SEV1", assignee=world.agent)


def test_edit_form_shows_the_stored_severity(world, client, case):
    client.force_login(world.agent)

    form = client.get(f"{case.get_absolute_url()}edit/").context["form"]

    assert form["severity"].value() == "SEV1"


def test_the_issue_cannot_be_moved_after_an_entry_through_the_edit_form(world, client, case):
    entry = RecoveryInteractionFactory(case=case, recorded_by=world.agent)
    path = f"{case.get_absolute_url()}edit/"
    client.force_login(world.agent)

    later = entry.at + timedelta(hours=1)
    response = client.post(path, page_post(client, path, occurred_at=local(later)))

    assert response.status_code == 200
    assert "the issue cannot have occurred after it" in response.content.decode()
    case.refresh_from_db()
    assert case.version == 1


def test_the_issue_may_move_earlier_through_the_edit_form(world, client, case):
    RecoveryInteractionFactory(case=case, recorded_by=world.agent)
    path = f"{case.get_absolute_url()}edit/"
    client.force_login(world.agent)
    earlier = (case.occurred_at - timedelta(days=1)).replace(second=0, microsecond=0)

    response = client.post(path, page_post(client, path, occurred_at=local(earlier)))

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.occurred_at, case.severity) == (earlier, "SEV1")
