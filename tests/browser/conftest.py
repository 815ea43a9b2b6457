"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser for the session, one context per test, each test at a desktop and a phone width.
When a journey fails, a screenshot and the page's HTML are kept under var/browser-failures/.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from .accessibility import AXE_PATH
from .pages import Portal

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
FAILURES_DIR = Path(settings.BASE_DIR) / "var" / "browser-failures"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Debian's Chromium, never a downloaded browser; without it the journeys skip (fail
    under CI)."""
    if not CHROMIUM:
        message = "Chromium is not installed (apt-get install chromium); see the README"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    # Playwright's sync API keeps an event loop in the main thread; the journeys seed and
    # check the database from that same thread, which Django refuses unless told it is safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request) -> dict:
    return VIEWPORTS[request.param]


@pytest.fixture
def context(new_context, viewport):
    # Reduced motion turns Bootstrap's transitions off: axe then never measures the contrast
    # of a button half-way through its hover fade.
    context = new_context(
        viewport=viewport,
        accept_downloads=True,
        timezone_id="Europe/London",
        reduced_motion="reduce",
    )
    # axe-core in every page the context opens, before the page's own scripts; the browser
    # adds it itself, so the portal's Content-Security-Policy needs no exception for it.
    context.add_init_script(path=AXE_PATH)
    return context


@pytest.fixture
def live_world(transactional_db, live_server, world):
    """The shared `world`, committed so that the live server's thread sees it."""
    return world


@pytest.fixture
def portal(page, live_server, viewport) -> Portal:
    return Portal(page, live_server.url, viewport)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    portal = item.funcargs.get("portal")
    if portal is None:
        return
    folder = FAILURES_DIR / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        (folder / "page.html").write_text(portal.page.content(), encoding="utf-8")
        (folder / "url.txt").write_text(portal.page.url + "\n", encoding="utf-8")
        portal.page.screenshot(path=str(folder / "screenshot.png"), full_page=True)
    except Exception as error:  # the page may have crashed; keep what could be saved
        (folder / "capture-error.txt").write_text(repr(error), encoding="utf-8")
    report.sections.append(("browser failure", f"Screenshot and HTML kept in {folder}"))
