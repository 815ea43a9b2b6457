"""/account/api-tokens/: every person issues, lists and revokes their own tokens, no one else's."""

import html
import re

import pytest
from django.utils import timezone

from apps.api.models import ApiToken, Scope
from apps.api.tokens import MAX_TOKENS_PER_USER, token_for, token_issue

pytestmark = pytest.mark.django_db

LIST = "/account/api-tokens/"
ROLES = ("agent", "lead", "auditor", "admin")


def revoke_url(token) -> str:
    return f"{LIST}{token.pk}/revoke/"


def shown_secret(response) -> str | None:
    page = response.content.decode()
    match = re.search(r'id="new-token-secret" type="text" value="([^"]+)"', page)
    return match and html.unescape(match.group(1))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_issues_lists_and_revokes_its_own(world, client, role):
    user = getattr(world, role)
    client.force_login(user)

    response = client.post(LIST, {"name": "Grafana dashboard", "scope": "write", "expires": "90"})

    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    secret = shown_secret(response)
    assert token_for(secret) == token
    assert token.scope == Scope.WRITE
    assert 89 <= (token.expires_at - timezone.now()).days <= 90
    assert "it will not be shown again" in response.content.decode()

    page = client.get(LIST).content.decode()
    assert "Grafana dashboard" in page and f"{token.hint}…" in page
    assert secret not in page

    response = client.post(revoke_url(token))

    assert response.status_code == 302 and response.url == LIST
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == user
    assert "Revoked" in client.get(LIST).content.decode()


def test_the_list_shows_status_hint_and_never_used(world, client):
    active, _ = token_issue(world.lead, name="Active one", scope=Scope.READ)
    revoked, _ = token_issue(world.lead, name="Revoked one", scope=Scope.READ)
    expired, _ = token_issue(world.lead, name="Expired one", scope=Scope.WRITE)
    revoked.revoked_at = expired.expires_at = timezone.now()
    revoked.save()
    expired.save()
    token_issue(world.agent, name="The agent's", scope=Scope.READ)
    client.force_login(world.lead)

    page = html.unescape(client.get(LIST).content.decode())

    rows = page.split('id="token-list"', 1)[1].split("</table>", 1)[0].split("<tr>")[2:]
    assert [re.search(r'token-name">([^<]+)', row).group(1) for row in rows] == [
        "Expired one",
        "Revoked one",
        "Active one",
    ]
    assert "Expired" in rows[0] and "Read and write" in rows[0]
    assert "Revoked" in rows[1] and "Revoke<" not in rows[1]
    assert "Active" in rows[2] and "Revoke<" in rows[2] and "Read only" in rows[2]
    assert f"<code>{active.hint}…</code>" in rows[2]
    assert rows[2].count("never") == 2  # last used, expires
    assert "The agent's" not in page
    assert "Authorization: Bearer" in page and "/api/docs" in page


def test_a_reload_does_not_show_the_secret_again(world, client):
    client.force_login(world.agent)
    data = {"name": "Grafana", "scope": "read", "expires": ""}
    first = client.post(LIST, data)
    secret = shown_secret(first)
    assert secret
    assert "no-store" in first["Cache-Control"]

    assert shown_secret(client.get(LIST)) is None
    again = client.post(LIST, data)  # the browser sending the form again

    assert shown_secret(again) is None
    assert "already have an active token called" in html.unescape(again.content.decode())
    assert ApiToken.objects.count() == 1
    assert secret not in str(dict(client.session.items()))


def test_another_persons_token_is_404_and_stays(world, client):
    token, _ = token_issue(world.agent, name="Grafana", scope=Scope.READ)
    for intruder in (world.lead, world.admin, world.agent_b):
        client.force_login(intruder)
        assert client.post(revoke_url(token)).status_code == 404
    assert client.post(f"{LIST}999999/revoke/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_revoke_is_post_only_and_revoking_twice_says_so(world, client):
    token, _ = token_issue(world.agent, name="Grafana", scope=Scope.READ)
    client.force_login(world.agent)

    assert client.get(revoke_url(token)).status_code == 405
    client.post(revoke_url(token))
    first = ApiToken.objects.get().revoked_at
    response = client.post(revoke_url(token), follow=True)

    assert "already revoked" in html.unescape(response.content.decode())
    assert ApiToken.objects.get().revoked_at == first


def test_anonymous_is_sent_to_log_in(world, client):
    token, _ = token_issue(world.agent, name="Grafana", scope=Scope.READ)
    for response, path in (
        (client.get(LIST), LIST),
        (client.post(LIST, {"name": "x", "scope": "read"}), LIST),
        (client.post(revoke_url(token)), revoke_url(token)),
    ):
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={path}"
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "scope": "write", "expires": "30"}, "name", "This field is required."),
        ({"name": "n" * 101, "scope": "write", "expires": "30"}, "name", "at most 100"),
        ({"name": "Kept", "scope": "root", "expires": "30"}, "scope", "Select a valid choice"),
        ({"name": "Kept", "scope": "write", "expires": "7"}, "expires", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_what_was_typed_kept(world, client, data, field, message):
    client.force_login(world.agent)

    response = client.post(LIST, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    page = html.unescape(response.content.decode())
    assert f'id="error_1_id_{field}"' in page or f"id_{field}" in page
    if data["name"]:
        assert f'value="{data["name"]}"' in page
    if data["scope"] == "write":
        assert re.search(r'value="write"[^>]*checked|checked[^>]*value="write"', page)
    if data["expires"] == "30":
        assert re.search(r'<option value="30" selected>', page)
    assert not ApiToken.objects.exists()


def test_a_name_in_use_is_refused_on_the_field(world, client):
    token_issue(world.agent, name="Grafana", scope=Scope.READ)
    client.force_login(world.agent)

    response = client.post(LIST, {"name": "GRAFANA", "scope": "read", "expires": ""})

    assert (
        "already have an active token called “GRAFANA”"
        in response.context["form"].errors["name"][0]
    )
    assert ApiToken.objects.count() == 1


def test_the_limit_is_told_above_the_form(world, client):
    for n in range(MAX_TOKENS_PER_USER):
        token_issue(world.agent, name=f"Token {n}", scope=Scope.READ)
    client.force_login(world.agent)

    response = client.post(LIST, {"name": "One more", "scope": "read", "expires": ""})

    errors = response.context["form"].non_field_errors()
    assert f"already have {MAX_TOKENS_PER_USER} active API tokens" in errors[0]
    assert f"already have {MAX_TOKENS_PER_USER} active API tokens" in html.unescape(
        response.content.decode()
    )
    assert ApiToken.objects.count() == MAX_TOKENS_PER_USER


def test_the_form_offers_both_scopes_to_everyone_read_only_first(world, client):
    client.force_login(world.auditor)

    page = client.get(LIST).content.decode()

    assert re.search(r'value="read"[^>]*checked|checked[^>]*value="read"', page)
    assert 'value="write"' in page
    assert '<option value="" selected>Never</option>' in page


def test_the_account_menu_links_to_the_page(world, client):
    client.force_login(world.lead)

    nav = client.get("/").content.decode().split("</nav>", 1)[0]

    assert f'href="{LIST}"' in nav
