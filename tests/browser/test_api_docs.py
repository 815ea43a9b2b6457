"""A lead reads the API's documentation in the portal: drawn from the portal's own files (no
CDN), under the portal's content security policy, every log's operations listed."""

import pytest
from playwright.sync_api import expect

from apps.api.kinds import KINDS

pytestmark = pytest.mark.browser

TAGS = (*(kind.tag for kind in KINDS), "Audit findings", "Notifications")


def test_the_api_documentation_draws_every_log(portal, live_world):
    page = portal.page
    elsewhere = []
    page.on(
        "request",
        lambda request: request.url.startswith(portal.base_url) or elsewhere.append(request.url),
    )
    portal.sign_in(live_world.lead)
    answer = page.goto(portal.url("/api/docs"))
    assert answer.status == 200
    expect(page.get_by_text("BPO Operations Portal API").first).to_be_visible()
    for tag in TAGS:
        expect(page.locator(f"#operations-tag-{tag.replace(' ', '_')}")).to_be_visible()
    expect(page.get_by_text("List interruptions").first).to_be_visible()
    assert elsewhere == []
    assert portal.problems == []
