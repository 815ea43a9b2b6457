"""The layout every page shares: navigation bar, record pages, Content-Security-Policy."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings

from apps.core.choices import LinkRelation
from tests.factories import InterruptionFactory, RecordLinkFactory
from tests.factories_escalations import EscalationFactory

pytestmark = pytest.mark.django_db

NAV_LINKS = {
    "admin": [
        "Interruptions",
        "Escalations",
        "Failure reports",
        "Call logs",
        "Recovery cases",
        "Audit findings",
        "Reports",
        "Alert intake",
        "Administration",
    ],
    "agent": ["Interruptions", "Escalations", "Failure reports", "Call logs", "Recovery cases"],
}


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def navbar(page: str) -> str:
    return page.split('<nav class="navbar', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_navbar_lays_every_link_on_one_line_that_cannot_wrap(world, client, role):
    user = getattr(world, role)
    user.first_name, user.last_name = "Bartholomew", "Featherstonehaugh"
    user.save()
    client.force_login(user)

    nav = navbar(text(client.get("/interruptions/")))

    # Expanded from 1200 px (xl), every link, button and name kept on one line of its own.
    assert nav.startswith(' navbar-expand-xl navbar-dark bg-dark mb-3" id="navbar"')
    links = re.findall(r'<a class="nav-link text-nowrap[^"]*"[^>]*>([^<]+)</a>', nav)
    assert links == NAV_LINKS[role]
    assert re.search(r'class="btn btn-outline-light btn-sm text-nowrap"[^>]*>\s*Notifications', nav)
    # The name opens the account menu; cut short between 1200 and 1400 px, whole in the menu.
    button = re.search(
        r'<button class="btn [^"]*dropdown-toggle[^"]*"[^>]*id="signed-in-as"[^>]*>', nav
    )
    assert button and 'title="Bartholomew Featherstonehaugh"' in button.group()
    assert '<span class="account-name text-truncate">Bartholomew Featherstonehaugh</span>' in nav
    menu = nav.split('class="dropdown-menu', 1)[1]
    assert re.search(
        r'<span class="dropdown-header[^"]*">Bartholomew Featherstonehaugh</span>', menu
    )
    for link in ("Exports & imports", "API tokens"):
        assert re.search(rf'<a class="dropdown-item[^"]*"[^>]*>{link}</a>', menu)
    assert re.search(r'<button class="dropdown-item" type="submit">Log out</button>', menu)


def test_the_account_menu_names_the_roles_as_text(world, client):
    client.force_login(world.lead)

    menu = navbar(text(client.get("/"))).split('class="dropdown-menu', 1)[1]

    assert '<span class="dropdown-item-text text-body-secondary">Team lead</span>' in menu


def test_navbar_marks_the_current_section(world, client):
    client.force_login(world.agent)

    nav = navbar(text(client.get("/escalations/")))

    assert '<a class="nav-link text-nowrap active" aria-current="page" href="/escalations/">' in nav


def test_record_page_wraps_long_words_and_scrolls_tables_in_their_box(world, client):
    record = InterruptionFactory(client=world.client_a, title="x" * 180, description="y" * 900)
    client.force_login(world.agent)

    page = text(client.get(f"/interruptions/{record.reference}/"))

    body = page.split("<main", 1)[1]
    assert re.match(r'[^>]*>\s*<div class="record-page">', body)
    assert re.search(
        r'<div class="table-responsive"[^>]*>\s*<table class="table table-sm small"', body
    )
    css = (Path(settings.BASE_DIR) / "static/css/portal.css").read_text()
    assert ".record-page h1, .record-page h2, .record-page dd" in css
    assert "overflow-wrap: anywhere" in css


def test_led_to_counts_are_singular_for_one(world, client):
    outage = InterruptionFactory(client=world.client_a)
    escalation = EscalationFactory(client=world.client_a)
    RecordLinkFactory(
        source_record=escalation, target_record=outage, relation=LinkRelation.CAUSED_BY
    )
    client.force_login(world.agent)

    page = text(client.get(f"/interruptions/{outage.reference}/"))

    led_to = page.split('id="led-to"', 1)[1].split("</p>", 1)[0]
    assert ">1 escalation<" in led_to
    assert ">0 failure reports<" in led_to
    assert "1 escalations" not in page


# --- Content-Security-Policy -------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(world, client):
    client.force_login(world.lead)

    response = client.get("/interruptions/")

    policy = dict(
        (part.split(" ", 1) + [""])[:2]
        for part in (item.strip() for item in response["Content-Security-Policy"].split(";"))
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_admin_pages_allow_inline_styles_but_never_inline_scripts(world, client):
    client.force_login(world.admin)

    policy = client.get("/admin/sla/slapolicy/")["Content-Security-Policy"]

    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";"))
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["script-src"] == "'self'"
    portal = client.get("/interruptions/")["Content-Security-Policy"]
    assert "unsafe-inline" not in portal


def test_the_login_page_carries_the_policy_too(client):
    response = client.get("/accounts/login/")

    assert "default-src 'self'" in response["Content-Security-Policy"]


def template_files() -> list[Path]:
    roots = [
        Path(settings.BASE_DIR) / "templates",
        *Path(settings.BASE_DIR).glob("apps/*/templates"),
    ]
    return sorted(path for root in roots for path in root.rglob("*.html"))


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)


def test_templates_exist_to_be_checked():
    names = {path.name for path in template_files()}
    assert {"base.html", "detail.html", "filter_form.html"} <= names


@pytest.mark.parametrize("path", template_files(), ids=lambda path: path.name)
def test_no_template_holds_an_inline_script_handler_or_style(path):
    source = path.read_text()

    assert not INLINE_SCRIPT.search(source), "inline <script>"
    assert not INLINE_HANDLER.search(source), "inline on… handler"
    assert "javascript:" not in source.lower()
    # E-mails are read in mail clients, not under the page's policy: they keep inline styles.
    if "/email/" not in str(path):
        assert not STYLE_ATTRIBUTE.search(source), "style attribute"


def test_inline_script_pattern_finds_what_it_must():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/portal.js"></script>')
    assert INLINE_HANDLER.search('<button type="button" onclick="go()">')
    assert STYLE_ATTRIBUTE.search('<li class="x" style="padding-left: 1rem">')


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(world, client):
    client.force_login(world.agent)

    page = client.get("/").content.decode()

    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page)
    assert config
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)
    # Settling copies old attributes onto swapped elements with setAttribute, which the
    # policy refuses for style: only class, width and height are settled.
    assert '"attributesToSettle": ["class", "width", "height"]' in config.group(1)
    # Back and forward load the page again: a snapshot would bring back style attributes the
    # policy refuses, and filter buttons as they were edited rather than as filtered.
    assert '"historyCacheSize": 0, "refreshOnHistoryMiss": true' in config.group(1)
