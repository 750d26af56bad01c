"""Accessibility (GB/T 37668-2019, about WCAG 2.1 AA): axe-core finds nothing serious or critical on any page.

Every HTML page route of the app is visited as every demo role (and the anonymous pages signed out): a route
with path parameters is filled from a link the role sees on the pages already visited, and the case page once
per kind of case (process and status) the role can read, so the Gantt, the decisions and the documents are
all checked. One browser context per role; axe-core comes from the PyPI package ``axe-playwright-python``.
"""

import re
from collections import Counter
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from fastapi.routing import APIRoute
from sqlmodel import select

from forms.app import create_app
from services.cases.models import Application
from services.core.db import session_scope
from tests.app_routes import api_routes
from tests.e2e.pages import log_in
from tests.samples import PASSING_PLAN, SAMPLE
from tests.stack_api import open_land_to_start_case, submit, waiting_for_decision

ROLES = ["enterprise", "agent", "reviewer", "eia_reviewer", "supervisor"]
ANONYMOUS = ["/login", "/verify", "/register", "/password/forgot", "/register/resend", "/parcels", "/parcels/1"]
BLOCKING = {"serious", "critical"}
CASE_PAGE = re.compile(r"^/applications/\d+$")
AXE = Axe()
# a case page reloads itself every 2 s while its case moves; axe reads the page as it was loaded instead
HOLD_STILL = """const wait = window.setTimeout;
window.setTimeout = (fn, ms, ...args) => String(fn).includes("location.reload") ? 0 : wait(fn, ms, ...args);"""


def _is_page(path: str, route: APIRoute) -> bool:
    """A route that answers an HTML page: GET, one of the web routers, not a download."""
    downloads = "." in path or path.startswith("/attachments/")
    return "GET" in route.methods and route.endpoint.__module__.startswith("forms.routes.") and not downloads


def page_routes() -> list[tuple[str, re.Pattern]]:
    """(path template, its regex) of every HTML page route, read from the app's router."""
    return [(path, re.compile("^" + re.sub(r"\{[^}]+\}", r"[^/]+", path) + "$"))
            for path, route in api_routes(create_app().routes) if _is_page(path, route)]


@pytest.fixture(scope="module")
def new_cases(stack) -> list[str]:
    """A 标准地 case waiting on its department (the reviewer's decision page) and a 拿地即开工 case (the
    Gantt), besides the demo data."""
    standard = submit(stack, dict(SAMPLE, planned_indicators=dict(PASSING_PLAN)))
    land = open_land_to_start_case(stack)
    waiting_for_decision(stack, standard)
    return [f"/applications/{standard}", f"/applications/{land}"]


def case_pages(stack, role: str) -> list[str]:
    """One case page per (process, status) among the cases ``role`` can read (the API lists them)."""
    r = httpx.get(f"{stack.base_url}/api/v1/applications", headers=stack.token(role), timeout=30)
    r.raise_for_status()
    ids = [row["id"] for row in r.json()]
    if not ids:
        return []
    with session_scope() as session:
        rows = session.exec(select(Application.id, Application.process_key, Application.status)
                            .where(Application.id.in_(ids)).order_by(Application.id)).all()  # type: ignore[union-attr]
    kinds: dict[tuple, int] = {}
    for id_, process, status in rows:
        kinds.setdefault((process, status), id_)
    return [f"/applications/{id_}" for id_ in kinds.values()]


def audit(page, path: str) -> list[tuple[str, str, str]] | None:
    """Open ``path`` and run axe: every finding as (impact, rule, "target on page: help"); None for a page
    this role may not open."""
    if path.startswith("/login/sso"):
        return None  # it sends the browser on to the park's 统一身份认证 provider: not our page to audit
    response = page.goto(path)
    if response is None or response.status >= 400:
        return None
    results = AXE.run(page)
    return [(v["impact"], v["id"], f"{node['target']} on {path}: {v['help']}")
            for v in results.response["violations"] for node in v["nodes"]]


def browser_page(new_page):
    """A desktop page whose case pages hold still (see HOLD_STILL); axe is injected whatever the page's CSP."""
    page = new_page(bypass_csp=True)
    page.add_init_script(HOLD_STILL)
    return page


def _links(page) -> list[str]:
    """The site-relative paths (with their query) of the page's links."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc == urlsplit(page.url).netloc:
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(page, start: list[str], routes: list[tuple[str, re.Pattern]]) -> tuple[list[tuple], set[str]]:
    """Audit ``start`` then one link per remaining route as they turn up; the findings and the pages audited."""
    todo, findings, covered, audited = list(start), [], set(), set()
    for path in start:
        covered |= {template for template, regex in routes if regex.match(path)}
    while todo:
        path = todo.pop(0)
        found = audit(page, path)
        if found is None:
            continue
        findings += found
        audited |= {template for template, regex in routes if regex.match(urlsplit(path).path)}
        for link in _links(page):
            for template, regex in routes:
                if template not in covered and regex.match(urlsplit(link).path):
                    covered.add(template)
                    todo.append(link)
    return findings, audited


def check(findings: list[tuple[str, str, str]], who: str) -> None:
    """Print every finding and a count by rule; fail on the serious and critical ones."""
    counts = Counter(f"{impact} {rule}" for impact, rule, _ in findings)
    print(f"{who}: axe findings by rule: {dict(counts) or 'none'}")
    blocking = [f"{impact} {rule} {where}" for impact, rule, where in findings if impact in BLOCKING]
    for line in blocking:
        print(line)
    assert not blocking, f"{len(blocking)} serious/critical axe findings:\n" + "\n".join(blocking)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_serious_axe_finding(new_page, stack, new_cases, role):
    routes = page_routes()
    page = browser_page(new_page)
    log_in(page, role)
    cases = case_pages(stack, role)
    start = [template for template, _ in routes if "{" not in template] + cases + sorted(set(new_cases) - set(cases))
    findings, audited = crawl(page, start, routes)
    print(f"{role}: {len(audited)} of {len(routes)} page routes audited; not opened: {set(dict(routes)) - audited}")
    check(findings, role)


def test_anonymous_pages_have_no_serious_axe_finding(new_page):
    page = browser_page(new_page)
    findings = [finding for path in ANONYMOUS for finding in audit(page, path) or []]
    check(findings, "anonymous")
