"""Recovery cases started from a call: the button on the call page, and the caller's
details taken over only by someone who may see callers' personal data."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import TeamMembershipFactory, UserFactory
from tests.factories_calls import CallFactory
from tests.recovery.helpers import text

pytestmark = pytest.mark.django_db


def test_start_from_a_call_takes_the_caller_only_for_who_may_see_it(world, client):
    call = CallFactory(client=world.client_a, customer_name="Ahmed Khan", account_reference="A7")
    recoverer = UserFactory(username="recoverer")
    recoverer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="recovery",
            codename__in=["view_recoverycase", "add_recoverycase"],
        ),
        *Permission.objects.filter(content_type__app_label="calls", codename="view_call"),
    )
    TeamMembershipFactory(team=world.team_a1, user=recoverer)
    url = f"/recovery/new/?origin={call.reference}"

    client.force_login(world.agent)
    shown = client.get(url).context["form"].initial
    client.force_login(recoverer)
    masked = client.get(url).context["form"].initial

    assert (shown["customer_name"], shown["account_reference"]) == ("Ahmed Khan", "A7")
    assert "customer_name" not in masked and "account_reference" not in masked
    assert masked["origin_reference"] == call.reference


def test_call_page_offers_start_recovery_case(world, client):
    call = CallFactory(client=world.client_a)
    client.force_login(world.agent)

    content = text(client.get(f"/calls/{call.reference}/"))

    assert f'href="/recovery/new/?origin={call.reference}">Start recovery case</a>' in content
