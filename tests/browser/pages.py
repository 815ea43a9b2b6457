"""A browser tab on the portal: navigation that checks every page it reaches, and the few
gestures the journeys share (log in, submit a form, filter a list, read a table)."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from .accessibility import check_accessibility

PASSWORD = "demo"
PHONE_MAX_WIDTH = 576  # Bootstrap's "sm" breakpoint
NAVBAR_ONE_LINE_MAX_HEIGHT = 72

FIND_OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const scrolls = el => {
        for (let node = el.parentElement; node; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) return true;
        }
        return false;
    };
    const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.className && typeof el.className === "string"
           ? "." + el.className.trim().split(/\\s+/).join(".") : "");
    const found = [...document.body.querySelectorAll("*")]
        .filter(el => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
        .slice(0, 5)
        .map(el => name(el) + " (right edge "
             + Math.round(el.getBoundingClientRect().right) + " px)");
    if (found.length) return found;
    // Inside a scrolling box, an element positioned against an ancestor outside the box (a
    // visually hidden label in a wide table) still widens the page.
    return [...document.body.querySelectorAll("*")]
        .filter(el => el.getBoundingClientRect().right > width + 1
                && getComputedStyle(el).position === "absolute")
        .slice(0, 5)
        .map(el => name(el) + " (positioned, right edge "
             + Math.round(el.getBoundingClientRect().right) + " px)")
        .concat(["the page (" + document.documentElement.scrollWidth + " px)"]);
}"""


class Portal:
    def __init__(self, page, base_url: str, viewport: dict):
        self.page = page
        self.base_url = base_url
        self.viewport = viewport
        self.problems: list[str] = []
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        page.on("console", self._on_console)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    # What the browser reports while pages load ------------------------------------------

    def _on_console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"Refused by the Content-Security-Policy: {message.text}")

    def _on_response(self, response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.problems.append(f"{response.url} answered {response.status}")

    def _on_request_failed(self, request) -> None:
        if request.resource_type != "document" and request.failure != "net::ERR_ABORTED":
            self.problems.append(f"{request.url} failed: {request.failure}")

    # Navigation ---------------------------------------------------------------------------

    @property
    def is_phone(self) -> bool:
        return self.viewport["width"] < PHONE_MAX_WIDTH

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def goto(self, path: str, status: int = 200):
        response = self.page.goto(self.url(path))
        assert response.status == status, f"GET {path} answered {response.status}, not {status}"
        landed = urlsplit(self.page.url).path
        assert landed == urlsplit(self.url(path)).path, f"GET {path} was sent on to {landed}"
        self.check()
        return response

    def click_and_load(self, locator) -> None:
        """Click something that loads a new page (a link, a form's submit), then check it."""
        with self.page.expect_navigation():
            locator.click()
        self.check()

    def check(self) -> None:
        """What every page the journeys reach must satisfy: its assets load, its scripts run
        without an error or a Content-Security-Policy refusal, it fits the window's width, the
        navbar holds on one line at desktop width, and axe finds nothing serious."""
        page = self.page
        page.wait_for_load_state("load")
        problems, self.problems = self.problems, []
        assert not problems, f"On {page.url}:\n" + "\n".join(problems)
        if "/admin/" not in page.url:
            assert page.evaluate("typeof bootstrap === 'object' && typeof htmx === 'object'"), (
                f"Bootstrap or htmx did not load on {page.url}"
            )
            overflowing = page.evaluate(FIND_OVERFLOW)
            assert not overflowing, (
                f"{page.url} is wider than {self.viewport['width']} px: " + "; ".join(overflowing)
            )
            if not self.is_phone:
                height = page.locator("nav.navbar").first.bounding_box()["height"]
                assert height <= NAVBAR_ONE_LINE_MAX_HEIGHT, (
                    f"The navbar wraps at {self.viewport['width']} px ({height:.0f} px high)"
                )
        check_accessibility(page)

    # Gestures -----------------------------------------------------------------------------

    def sign_in(self, user) -> None:
        """Start the tab with `user`'s session, as if they had logged in (journeys that are
        not about logging in skip its two pages)."""
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        self.page.context.add_cookies(
            [{"name": name, "value": client.cookies[name].value, "url": self.base_url}]
        )

    def login(self, user) -> None:
        """Log in through the login page."""
        self.goto("/accounts/login/")
        self.page.get_by_label("Username").fill(user.username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.click_and_load(self.page.get_by_role("button", name="Log in"))
        assert "/accounts/login/" not in self.page.url, f"{user.username} could not log in"

    def submit(self, name: str = "Save", scope=None) -> None:
        scope = scope or self.page
        self.click_and_load(scope.get_by_role("button", name=name, exact=True))

    def expect_message(self, text: str) -> None:
        expect(self.page.get_by_role("alert").filter(has_text=text).first).to_be_visible()

    def open_filters(self) -> None:
        """At phone width the filters fold behind a button; open them if they are folded."""
        first_field = self.page.locator("#filter-form [name='q']")
        if not first_field.is_visible():
            self.page.get_by_role("button", name=re.compile(r"filter", re.I)).first.click()
            expect(first_field).to_be_visible()

    def choose_in_filter(self, label: str, *choices: str) -> None:
        """Tick `choices` in the multiple-choice filter whose dropdown is labelled `label`."""
        group = self._filter_group(label)
        group.get_by_role("button").first.click()
        for choice in choices:
            group.get_by_label(choice, exact=True).check()
        group.get_by_role("button").first.click()

    def apply_filters(self) -> None:
        """Press Filter: htmx swaps the results and pushes the filtered URL."""
        with self.page.expect_response(lambda response: "?" in response.url):
            self.page.locator("#filter-form").get_by_role("button", name="Filter").click()
        # A locator, not wait_for_function: the policy forbids evaluating strings as script.
        expect(
            self.page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
        ).to_have_count(0)
        self.check()

    def filter_button_text(self, label: str) -> str:
        self.open_filters()  # on a phone the filters fold again once the results arrive
        return self._filter_group(label).get_by_role("button").first.inner_text().strip()

    def _filter_group(self, label: str):
        return self.page.locator("#filter-form").locator(
            f"xpath=.//label[normalize-space()='{label}']/following-sibling::div[1]"
        )

    def table_references(self) -> list[str]:
        """References of the rows of the results table, in their order on screen."""
        return (
            self.page.locator("#results table tbody tr td a[href]")
            .filter(has_text=re.compile(r"^[A-Z]+-\d{4}-\d+$"))
            .all_inner_texts()
        )
