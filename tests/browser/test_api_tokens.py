"""An agent opens the account menu, goes to API tokens, creates one, sees its secret once and
revokes it."""

import re

import pytest
from playwright.sync_api import expect

from apps.api.models import ApiToken, Scope
from apps.api.tokens import token_for

from .accessibility import check_accessibility

pytestmark = pytest.mark.browser


def open_account_menu(portal):
    page = portal.page
    if portal.is_phone:
        page.get_by_role("button", name="Menu").click()
    page.locator("#signed-in-as").click()
    menu = page.locator("#account-menu .dropdown-menu")
    expect(menu).to_be_visible()
    check_accessibility(page)
    return menu


def test_agent_creates_a_token_sees_it_once_and_revokes_it(portal, live_world, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    world = live_world
    page = portal.page
    portal.sign_in(world.agent)
    portal.goto("/")

    menu = open_account_menu(portal)
    expect(page.locator("#signed-in-as")).to_have_text(world.agent.get_full_name() or "agent")
    expect(menu).to_contain_text("Agent")
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    portal.click_and_load(menu.get_by_role("link", name="API tokens"))
    assert portal.path == "/account/api-tokens/"
    expect(page.locator("#token-list")).to_contain_text("You have no API tokens yet.")

    page.get_by_label("Name").fill("Grafana dashboard")
    page.get_by_label("Read and write").check()
    page.get_by_label("Expires").select_option("90")
    portal.submit("Create token")

    panel = page.locator("#new-token")
    expect(panel).to_contain_text("it will not be shown again")
    secret = panel.get_by_label("Token", exact=True).input_value()
    token = ApiToken.objects.get(user=world.agent)
    assert token.scope == Scope.WRITE and token.expires_at is not None
    assert token_for(secret) == token
    panel.get_by_role("button", name="Copy").click()
    expect(panel.get_by_role("status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == secret

    portal.goto("/account/api-tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    assert secret not in page.content()
    row = page.locator("#token-list tbody tr", has_text="Grafana dashboard")
    expect(row).to_contain_text("Read and write")
    expect(row).to_contain_text(f"{token.hint}…")
    expect(row).to_contain_text("Active")

    revoke = row.get_by_role("button", name=re.compile("^Revoke"))
    page.once("dialog", lambda dialog: dialog.dismiss())
    revoke.click()
    expect(row).to_contain_text("Active")
    assert ApiToken.objects.get().revoked_at is None

    page.once("dialog", lambda dialog: dialog.accept())
    portal.click_and_load(revoke)
    portal.expect_message("Revoked “Grafana dashboard”")
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button")).to_have_count(0)
    assert token_for(secret) is None
