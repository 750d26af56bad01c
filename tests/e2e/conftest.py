"""Browser fixtures: one headless Chromium per session, a fresh context (cookies) per page.

The system Chromium is used (``/usr/bin/chromium``); Playwright's own browser download is never
needed. Every page talks to the real stack started by the ``stack`` fixture in ``tests/conftest.py``.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.pages import DESKTOP, log_in

SHOTS = Path("/tmp/gc-shots")  # screenshots for a human to look at; never inside the repository
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def new_page(browser: Browser, stack) -> Iterator[Callable[..., Page]]:
    """``new_page(viewport={"width": 390, "height": 844})``: a page in its own browser context (own
    cookies), closed after the test."""
    contexts = []

    def make(viewport: dict | None = None, **options) -> Page:
        context = browser.new_context(base_url=stack.base_url, viewport=viewport or DESKTOP, locale="zh-CN",
                                      timezone_id="Asia/Shanghai", accept_downloads=True, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def enterprise_page(new_page) -> Page:
    """A desktop page signed in as the demo enterprise, through the login page as a person would."""
    page = new_page()
    log_in(page, "enterprise")
    return page


@pytest.fixture
def application_ids(stack) -> Callable[[], set[int]]:
    """Ids of the newest applications (the API lists up to 200, newest first), as staff see them.

    Comparing the sets before and after an action tells how many applications it wrote, even when
    the database holds more than one page of them.
    """
    headers = stack.token("supervisor")

    def ids() -> set[int]:
        r = httpx.get(f"{stack.base_url}/api/v1/applications", headers=headers, timeout=30)
        r.raise_for_status()
        return {row["id"] for row in r.json()}

    return ids


@pytest.fixture
def signed_in(new_page) -> Callable[[str], Page]:
    """``signed_in("reviewer")``: a desktop page signed in as that demo account, through the login page."""

    def sign_in(username: str) -> Page:
        page = new_page()
        log_in(page, username)
        return page

    return sign_in
