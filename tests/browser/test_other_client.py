"""An agent of the other client sees nothing of the first client, wherever they look."""

import pytest
from playwright.sync_api import expect

from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import FailureReportFactory
from tests.factories_notifications import NotificationFactory
from tests.factories_recovery import RecoveryCaseFactory

pytestmark = pytest.mark.browser

FACTORIES = {
    "/interruptions/": InterruptionFactory,
    "/failures/": FailureReportFactory,
    "/escalations/": EscalationFactory,
    "/calls/": CallFactory,
    "/recovery/": RecoveryCaseFactory,
}


def test_other_clients_agent_sees_nothing_of_the_first_client(portal, live_world):
    world = live_world
    theirs = {
        path: factory(client=world.client_a, title=f"Acme secret {path.strip('/')}")
        for path, factory in FACTORIES.items()
    }
    own = InterruptionFactory(client=world.client_b, title="Globex IVR loops")
    # Sent while agent_b still worked for the first client.
    NotificationFactory(
        record=theirs["/interruptions/"],
        recipient=world.agent_b,
        subject="Acme secret escalated",
    )
    NotificationFactory(record=own, recipient=world.agent_b, subject="Globex IVR loops escalated")
    page = portal.page
    portal.login(world.agent_b)

    for path, record in theirs.items():
        portal.goto(path)
        main = page.locator("main")
        expect(main).not_to_contain_text("Acme")
        expect(main).not_to_contain_text(record.reference)
        portal.goto(f"{path}?q={record.reference}")
        expect(page.locator("#row-count")).to_contain_text("0")
        expect(main).not_to_contain_text(record.reference)
        portal.goto(record.get_absolute_url(), status=404)
        expect(page.locator("body")).not_to_contain_text(record.reference)
    portal.goto(theirs["/interruptions/"].get_absolute_url() + "edit/", status=404)

    portal.goto("/interruptions/")
    assert portal.table_references() == [own.reference]
    portal.goto("/notifications/")
    expect(page.locator("main")).to_contain_text("Globex IVR loops escalated")
    expect(page.locator("main")).not_to_contain_text("Acme")
    expect(page.locator("main")).not_to_contain_text(theirs["/interruptions/"].reference)
