"""一窗: a project's page in a real headless Chromium against the real stack, at desktop and phone widths.

The demo enterprise has a project with a 标准地 case under review (受理通知书 issued), a 环评 case and a signed
代办委托. It opens 我的项目, sees every item with its status, next step and documents and one merged timeline,
and starts a second item from the page with the project already chosen. A reviewer of 自然资源局 sees the same
project with its own department's case only; another enterprise gets 404. Set-up is written through the
services (not handed to Prefect), as the other e2e tests do.
"""

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from services.agency import service as agency
from services.core import clock
from services.core.db import session_scope
from services.core.users import get_by_username
from services.eia import service as eia
from services.models import Application, Document
from tests import factories
from tests.e2e.pages import PHONE, log_in, no_horizontal_scroll
from tests.samples import ELECTRONICS


@pytest.fixture
def project_with_items(stack) -> dict:
    """A project of the demo enterprise with a 标准地 case in review, a 环评 case and a mandate."""
    name = f"一窗测试项目-{uuid.uuid4().hex[:6]}"
    with session_scope() as session:
        land, _ = factories.case_in_review(session, project_name=name)
        enterprise = get_by_username(session, "enterprise")
        environment, _ = eia.submit(session, enterprise, eia.EiaApplicationInput.model_validate({
            "project_id": land.project_id, "scale": "年产智能传感器500万件", "facts": ELECTRONICS,
            "route": "commitment", "commitment_confirmed": True}), str(uuid.uuid4()))
        today = clock.today()
        mandate, _ = agency.sign(session, enterprise, agency.MandateInput(
            project_id=land.project_id, item_codes=["DB02"], valid_from=today,
            valid_until=today + timedelta(days=365), signed_by_name="林晓", agree=True), uuid.uuid4().hex)
        notice = session.exec(select(Document).where(Document.application_id == land.id,
                                                     Document.kind == "acceptance_notice")).first()
        assert notice is not None
        return {"name": name, "project_id": land.project_id, "land": land.case_no, "eia": environment.case_no,
                "mandate": mandate.number, "notice_title": notice.title,
                "land_id": land.id, "eia_id": environment.id}


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_an_enterprise_sees_every_item_of_its_project_on_one_page(new_page, shots, project_with_items, viewport):
    p = project_with_items
    page = new_page(viewport=viewport)
    log_in(page, "enterprise")
    page.goto(f"/applications/{p['land_id']}")
    page.get_by_test_id("project-link").click()  # the case page names its project: one click to the window
    expect(page.get_by_test_id("project-label")).to_contain_text(p["name"])
    expect(page.get_by_test_id("project-label")).to_contain_text(p["land"])  # never confused with a namesake
    expect(page.get_by_test_id("project-code")).to_have_text(re.compile(r"^XM-\d{6}$"))
    items = page.locator("[data-testid=project-items] tbody tr")
    expect(items).to_have_count(2)
    land = page.locator(f"tr[data-case='{p['land']}']")
    expect(land).to_contain_text("标准地")
    expect(land).to_contain_text("自然资源局")  # its next step and department
    expect(land.get_by_role("link", name=p["notice_title"])).to_be_visible()
    expect(page.locator(f"tr[data-case='{p['eia']}']")).to_contain_text("环评")
    expect(page.get_by_test_id("project-mandates")).to_contain_text(p["mandate"])
    timeline = page.get_by_test_id("project-timeline")
    for text in (f"出具《{p['notice_title']}》", "签署代办委托书", "提交", p["eia"], p["land"]):
        expect(timeline).to_contain_text(text)
    no_horizontal_scroll(page)
    page.screenshot(path=str(shots / f"project-{'phone' if viewport else 'desktop'}.png"), full_page=True)

    page.get_by_test_id("start-links").get_by_role("link", name="签署代办委托").click()
    expect(page.locator("select[name=project_id] option:checked")).to_contain_text(p["name"])
    page.go_back()
    page.get_by_test_id("start-links").get_by_role("link", name="申请标准地预评估").click()
    expect(page.locator("input[name=project_name]")).to_have_value(p["name"])
    expect(page.locator("input[name=industry_code]")).to_have_value("3983")
    expect(page.locator("select[name=parcel_id] option:checked")).to_contain_text("DG-SSL-BIO-2026-01")


def test_a_reviewer_sees_its_departments_items_and_another_enterprise_none(new_page, project_with_items):
    p = project_with_items
    page = new_page()
    log_in(page, "reviewer")  # 自然资源局: the 标准地 case, not the 环评 one
    page.goto(f"/projects/{p['project_id']}")
    expect(page.locator("[data-testid=project-items] tbody tr")).to_have_count(1)
    expect(page.locator(f"tr[data-case='{p['land']}']")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(p["eia"])
    expect(page.get_by_test_id("start-links")).to_have_count(0)  # staff start nothing for an enterprise

    with session_scope() as session:
        stranger = factories.other_enterprise_user(session)
        username = stranger.username
        assert session.get(Application, p["eia_id"]) is not None
    other = new_page()
    log_in(other, username, factories.PASSWORD)
    response = other.goto(f"/projects/{p['project_id']}")
    assert response is not None and response.status == 404
    expect(other.locator("body")).not_to_contain_text(p["name"])
    other.goto("/projects")
    expect(other.locator("body")).not_to_contain_text(p["name"])
