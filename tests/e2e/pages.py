"""What the browser tests do on the pages, shared by them: sign in, fill the 标准地 form, check the layout.

Kept out of the ``test_*.py`` modules (a test module imported by another would run its tests' module
set-up twice and tie two files together) and out of ``conftest.py`` (fixtures only).
"""

import re
import time

from playwright.sync_api import Page

from tests.samples import DEMO_PASSWORD

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
DATE_ZH = re.compile(r"\d{4}年[1-9]\d?月[1-9]\d?日")
# the 标准地预评估 form's text inputs, in the order a person fills them
TEXT_FIELDS = ["enterprise_name", "uscc", "legal_representative", "contact_name", "contact_phone",
               "project_name", "industry_code", "total_investment_wan", "land_area_mu",
               "expected_annual_output_wan", "expected_annual_tax_wan", "annual_energy_tce", "annual_electricity_kwh",
               "planned_start_on", "planned_completion_on", "planned_production_on"]


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login page, as a person would."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/applications")


def click_menu(page: Page, name: str) -> None:
    """Click a 主导航 link as a person would: on a phone the links fold behind 菜单, which is opened first."""
    summary = page.locator("nav.main-nav summary")
    if summary.is_visible() and not page.locator("nav.main-nav details").evaluate("menu => menu.open"):
        summary.click()
    page.click(f"nav.main-nav >> text={name}")


def fill_form(page: Page, values: dict) -> None:
    """Open 标准地预评估申请 from the menu and type every field (the parcel is chosen by value)."""
    click_menu(page, "标准地预评估申请")
    page.wait_for_url("**/applications/new")
    for name in TEXT_FIELDS:
        page.fill(f"#application-form [name={name}]", str(values[name]))
    page.select_option("#application-form select[name=parcel_id]", value=str(values["parcel_id"]))
    for code, value in values.get("planned_indicators", {}).items():  # the chosen parcel's indicator inputs
        page.fill(f"#application-form [name=ind_{values['parcel_id']}_{code}]", str(value))


def no_horizontal_scroll(page: Page) -> None:
    viewport = page.viewport_size
    assert viewport is not None, "the page has no fixed viewport"
    width, screen = page.evaluate("document.documentElement.scrollWidth"), viewport["width"]
    assert width <= screen, f"{page.url}: the page is {width}px wide on a {screen}px screen"


def reload_until(page: Page, selector: str, timeout: float = 120) -> None:
    """Reload until ``selector`` is on the page (what a flow did shows only after a reload)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.locator(selector).count():
            return
        time.sleep(1)
        page.reload()
    raise AssertionError(f"{selector} did not appear on {page.url}")
