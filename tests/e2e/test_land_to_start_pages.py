"""拿地即开工 in the browser, as the people do it: the enterprise applies from the menu (refused field by
field first, and once only however often the button is clicked) and follows its case on the case page
(steps, Gantt chart, 风险承诺书, expected start); the 公共资源交易中心 records a lost listing on the
decision page and the enterprise sees its case closed with the pre-reviews withheld; a case that got its
four certificates reports the start of construction; people who may not apply get a clear page.

Real stack, real Chromium. Decisions that are not themselves under test are given through the API, as
the flow test does (``tests/flows/test_land_to_start_flow.py``); each test opens its own project.
"""

import re
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from sqlalchemy import update

from services.cases.processes import get_definition
from services.core import clock
from services.core.db import session_scope
from services.core.formatting import format_date_zh
from services.core.users import create_user
from services.land_to_start import timeline
from services.models import Application, Role, Step
from tests.e2e.pages import PHONE, no_horizontal_scroll
from tests.factories import make_project
from tests.samples import REPO
from tests.stack_api import case_waiting as _waiting
from tests.stack_api import decide_as_department as _decide
from tests.stack_api import end_listing as _end_listing
from tests.stack_api import listing_ended as _listing_ended
from tests.stack_api import open_land_to_start_case as _open_case
from tests.stack_api import read_case as _read
from tests.waiting import wait_for_case as _wait

STEP_KEYS = [s.key for s in get_definition("land_to_start").steps]
CERTIFICATES = ("不动产权证书", "建设用地规划许可证", "建设工程规划许可证", "建筑工程施工许可证")
AGENT_PASSWORD = "Agent-Password-2026"
GOOD = {"project_code": "2611-441900-04-01-246810", "building_area_m2": "28000",
        "design_unit": "广东省建筑设计研究院", "contractor": "中建三局第一建设工程有限责任公司",
        "supervisor_unit": "广州建设工程监理有限公司"}


def _case_ids(stack) -> set[int]:
    """The enterprise's own applications, as it sees them through the API."""
    r = httpx.get(f"{stack.base_url}/api/v1/applications", headers=stack.token("enterprise"), timeout=30)
    r.raise_for_status()
    return {row["id"] for row in r.json()}


def _reload_until(page: Page, check, what: str, timeout: float = 90) -> None:
    """The case page shows what the flow did only after a reload (it reloads itself only in some states)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise AssertionError(f"the case page never showed {what}") from None
        time.sleep(1)
        try:
            page.reload()
        except PlaywrightError:  # the page was reloading itself (it does while a decision is being applied)
            page.wait_for_load_state()


def _on_phone(new_page, page: Page) -> Page:
    phone = new_page(viewport=PHONE)
    phone.context.add_cookies(page.context.cookies())
    return phone


def _chart_fits_or_scrolls_inside(page: Page) -> None:
    """The page body never scrolls sideways; a chart wider than the screen scrolls in its own box."""
    no_horizontal_scroll(page)
    box = page.locator("#timeline .chart-scroll")
    overflow = box.evaluate("e => getComputedStyle(e).overflowX")
    assert overflow in ("auto", "scroll")
    width = box.evaluate("e => e.clientWidth")
    assert width <= page.viewport_size["width"]


@pytest.fixture(scope="module")
def cases_at_the_deal(stack) -> tuple[int, int]:
    """Two cases whose pre-reviews are approved and whose listing has ended, both waiting on 成交确认
    (driven side by side: their segments run in parallel)."""
    ids = [_open_case(stack), _open_case(stack)]
    for app_id in ids:
        _waiting(stack, app_id, {"project_filing", "design_review"}, "the first branches")
    for app_id in ids:
        _decide(stack, app_id, "project_filing")
        _decide(stack, app_id, "design_review")
    for app_id in ids:
        _waiting(stack, app_id, {"eia", "drawing_review", "land_listing"}, "the next branches")
    for app_id in ids:
        _decide(stack, app_id, "eia")
        _decide(stack, app_id, "drawing_review")
    for app_id in ids:  # once the decisions' segments are through (they set the listing's deadline)
        _waiting(stack, app_id, {"land_listing"}, "the listing period alone")
        _end_listing(app_id)
    for app_id in ids:
        _listing_ended(stack, app_id, {"deal_confirmation"}, "the deal")
    return ids[0], ids[1]


# 1 ---------------------------------------------------------------------------------------------

def test_enterprise_applies_once_after_fixing_the_form_and_follows_the_case(signed_in, new_page, stack, shots):
    with session_scope() as session:
        project = make_project(session)
        project_id, project_name = project.id, project.name
    page = signed_in("enterprise")
    before = _case_ids(stack)
    page.click("nav.main-nav >> text=拿地即开工")
    page.wait_for_url("**/land-to-start/new")
    expect(page.locator("h1")).to_have_text("拿地即开工申请")
    expect(page.locator("input[name=risk_signed_by]")).not_to_be_empty()  # the signer is prefilled
    page.select_option("select[name=project_id]", str(project_id))

    # a 3-digit project code, no contractor, neither commitment ticked
    page.fill("input[name=project_code]", "123")
    page.fill("input[name=building_area_m2]", GOOD["building_area_m2"])
    page.fill("input[name=design_unit]", GOOD["design_unit"])
    page.fill("input[name=supervisor_unit]", GOOD["supervisor_unit"])
    with page.expect_navigation() as refused:
        page.click("#land-to-start-form button[type=submit]")
    assert refused.value.status == 422
    expect(page.locator(".alert.error")).to_contain_text("提交未成功")
    for selector, message in [("#field-project_code .error-text", "项目代码为24位"),
                              ("#field-contractor .error-text", "请填写施工单位"),
                              ("#field-funds_committed + .error-text", "请承诺建设资金已经落实"),
                              ("#field-risk_agreed + .error-text", "须阅读并签署风险承诺书")]:
        expect(page.locator(selector)).to_contain_text(message)
    expect(page.locator(".alert.error")).to_contain_text("共有4处")
    expect(page.locator("#field-project_code")).to_have_class(re.compile("has-error"))
    expect(page.locator("input[name=project_code]")).to_have_value("123")  # what was typed is kept
    expect(page.locator("input[name=design_unit]")).to_have_value(GOOD["design_unit"])
    expect(page.locator("input[name=supervisor_unit]")).to_have_value(GOOD["supervisor_unit"])
    expect(page.locator("select[name=project_id]")).to_have_value(str(project_id))
    page.screenshot(path=str(shots / "land-to-start-form-errors.png"), full_page=True)
    assert _case_ids(stack) == before, "a refused form opened a case"

    page.fill("input[name=project_code]", GOOD["project_code"])
    page.fill("input[name=contractor]", GOOD["contractor"])
    page.check("input[name=funds_committed]")
    page.check("input[name=risk_agreed]")
    page.dblclick("#land-to-start-form button[type=submit]")  # an impatient double click
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    case_url = page.url
    app_id = int(case_url.rsplit("/", 1)[1])
    assert _case_ids(stack) - before == {app_id}, "one case, however often the button was clicked"

    expect(page.get_by_test_id("status")).to_have_text(re.compile("已提交，待受理|已受理，审查中"))
    expect(page.locator("dl.facts")).to_contain_text(project_name)
    expect(page.locator("[data-testid=steps] li.step")).to_have_count(len(STEP_KEYS))
    expect(page.locator("[data-testid=steps] li[data-step=deal_confirmation]")).to_contain_text("成交确认")
    chart = page.locator("#timeline svg.chart.gantt")
    expect(chart).to_have_count(1)
    expect(chart.locator("g.row[data-key]")).to_have_count(len(STEP_KEYS))
    for position, key in enumerate(STEP_KEYS):  # expect() retries: the page reloads itself while the run starts
        expect(chart.locator("g.row[data-key]").nth(position)).to_have_attribute("data-key", key)
    expect(chart.locator("g.row[data-key=submission]")).to_have_attribute("data-status", "completed")

    # the case run signs the 风险承诺书 and opens the first pre-reviews (parallel branches): a fresh process of
    # the runner, which takes minutes when both CI runs load the machine; waited for through the API, whose
    # failure says what the case and its run were doing, then seen on the page
    _waiting(stack, app_id, {"project_filing", "design_review"}, "the case run to open the first pre-reviews")
    page.reload()
    documents = page.get_by_test_id("documents")
    expect(documents.locator("li", has_text="拿地前预审风险承诺书")).to_have_count(1)
    expect(chart.locator("g.row[data-key=design_review]")).to_have_attribute("data-status", "running")
    expect(chart.locator("g.row[data-key=project_filing]")).to_have_attribute("data-status", "running")
    expect(chart.locator("g.row[data-key=risk_commitment]")).to_have_attribute("data-status", "completed")
    expect(page.locator("[data-testid=steps] li[data-step=design_review] .badge")).to_have_text("办理中")

    with session_scope() as session:
        application = session.get(Application, app_id)
        plan = timeline.timeline(session, application, clock.today())
    expected_end = page.get_by_test_id("expected-end")
    expect(expected_end).to_contain_text(f"按关键路径预计可开工日期：{format_date_zh(plan.expected_end)}")
    expect(expected_end).to_contain_text("关键路径：")
    expect(expected_end).to_contain_text("挂牌出让（公告期及挂牌期）")
    # 法定时限 beside 承诺时限: shown with its basis; once passed it is marked, while the light keeps to the committed
    # limit (the statutory date is set back here, as if the department had sat on the scheme for weeks)
    statutory = page.get_by_test_id("statutory-design_review")
    expect(statutory).to_contain_text("法定时限 20个工作日")
    expect(statutory).to_have_attribute("title", re.compile("行政许可法"))
    expect(page.locator("[data-step=design_review]")).to_contain_text("承诺时限 7个工作日")
    expect(page.get_by_test_id("statutory-project_filing")).to_have_count(0)  # 备案: no statutory limit here
    expect(page.get_by_test_id("statutory-passed-design_review")).to_have_count(0)
    with session_scope() as session:
        session.execute(update(Step).where(Step.application_id == app_id, Step.key == "design_review")
                        .values(statutory_due_on=clock.today() - timedelta(days=1)))
    swept = subprocess.run([sys.executable, "-m", "deployments.cli", "sla-sweep"], cwd=REPO, capture_output=True,
                           text=True, timeout=300)  # today's lights, as the scheduled sweep sets them
    assert swept.returncode == 0, swept.stderr
    page.reload()
    expect(page.get_by_test_id("statutory-passed-design_review")).to_have_text("已超过法定时限")
    expect(page.locator("[data-step=design_review] [data-light]")).to_have_attribute("data-light", "green")
    steps = {s["key"]: s for s in _read(stack, app_id)["steps"]}
    assert steps["design_review"]["statutory_passed"] is True and not steps["project_filing"]["statutory_passed"]
    assert steps["design_review"]["statutory_due_on"] == (clock.today() - timedelta(days=1)).isoformat()
    page.screenshot(path=str(shots / "land-to-start-case.png"), full_page=True)
    page.locator("#timeline").screenshot(path=str(shots / "land-to-start-gantt.png"))

    phone = _on_phone(new_page, page)
    for url, name in [("/land-to-start/new", "land-to-start-form-phone"), (case_url, "land-to-start-case-phone")]:
        phone.goto(url)
        no_horizontal_scroll(phone)
        phone.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    _chart_fits_or_scrolls_inside(phone)
    phone.locator("#timeline").screenshot(path=str(shots / "land-to-start-gantt-phone.png"))


# 2 ---------------------------------------------------------------------------------------------

def test_the_trading_centre_records_a_lost_listing_and_the_enterprise_sees_the_case_closed(
        cases_at_the_deal, signed_in, new_page, stack, shots):
    app_id = cases_at_the_deal[0]
    staff = signed_in("trading_reviewer")
    staff.goto(f"/applications/{app_id}")
    expect(staff.get_by_test_id("decide-deal_confirmation")).to_be_visible()
    expect(staff.get_by_test_id("decide-contract")).to_have_count(0)  # not this department's, not yet open
    staff.get_by_test_id("decide-deal_confirmation").click()
    staff.wait_for_url(f"**/applications/{app_id}/steps/deal_confirmation/decision")
    expect(staff.locator("h1")).to_contain_text("成交确认")
    choices = staff.locator("#field-kind label")
    expect(choices).to_have_count(2)
    expect(choices.nth(0)).to_have_text("确认由本企业竞得")
    expect(choices.nth(1)).to_have_text("未竞得（由其他竞买人竞得）")
    expect(staff.locator("#field-items")).to_have_count(0)  # no 补正 on a deal
    staff.screenshot(path=str(shots / "land-to-start-deal-decision.png"), full_page=True)
    staff.get_by_label("未竞得（由其他竞买人竞得）").check()
    staff.fill("textarea[name=reasons]", "挂牌期满，由其他竞买人竞得")
    staff.click("#decide-button")
    staff.wait_for_url(re.compile(rf"/applications/{app_id}\?acted=\d+"))

    page = signed_in("enterprise")
    page.goto(f"/applications/{app_id}")
    status = page.get_by_test_id("status")
    _reload_until(page, lambda: expect(status).to_have_text("未竞得土地，已关闭", timeout=3000), "the lost case")
    expect(page.get_by_test_id("withheld")).to_contain_text("不移交其他竞得人")
    expect(page.get_by_test_id("withheld")).to_contain_text("风险承诺书")
    deal = page.locator("[data-testid=steps] li[data-step=deal_confirmation]")
    expect(deal).to_contain_text("审查结论：未竞得（由其他竞买人竞得）（挂牌期满，由其他竞买人竞得）")
    expect(page.get_by_test_id("expected-end")).to_have_count(0)
    expect(page.get_by_test_id("start-report")).to_have_count(0)
    documents = page.get_by_test_id("documents")
    expect(documents).to_contain_text("拿地前预审风险承诺书")
    for title in CERTIFICATES:
        expect(documents).not_to_contain_text(title)
    rows = page.locator("#timeline svg.chart.gantt g.row[data-key]")
    expect(rows).to_have_count(len(STEP_KEYS))
    expect(page.locator("#timeline g.row[data-key]:not([data-status=completed]):not([data-status=cancelled])")
           ).to_have_count(0)
    for key in ("contract", "payment", "certificates", "construction_start"):
        expect(page.locator(f"#timeline g.row[data-key={key}]")).to_have_attribute("data-status", "cancelled")
    page.screenshot(path=str(shots / "land-to-start-lost.png"), full_page=True)
    assert _read(stack, app_id)["status"] == "lost"

    phone = _on_phone(new_page, page)
    phone.goto(f"/applications/{app_id}")
    expect(phone.get_by_test_id("withheld")).to_be_visible()
    _chart_fits_or_scrolls_inside(phone)
    phone.screenshot(path=str(shots / "land-to-start-lost-phone.png"), full_page=True)


# 3 ---------------------------------------------------------------------------------------------

def test_a_case_with_its_four_certificates_reports_the_start_of_construction(cases_at_the_deal, signed_in, stack,
                                                                            shots):
    app_id = cases_at_the_deal[1]
    _decide(stack, app_id, "deal_confirmation", reasons="挂牌期满，由本企业竞得")
    _waiting(stack, app_id, {"contract"}, "the contract")
    _decide(stack, app_id, "contract")
    _waiting(stack, app_id, {"payment"}, "the payment")
    _decide(stack, app_id, "payment")
    _wait(lambda: _read(stack, app_id)["status"] == "permitted", what="the permits")

    page = signed_in("enterprise")
    page.goto(f"/applications/{app_id}")
    expect(page.get_by_test_id("status")).to_have_text("四证已核发，待开工")
    expect(page.get_by_test_id("contract-to-permits")).to_have_text(
        "从签订出让合同到四证核发：0个工作日（签约当日发证，拿地即开工）")
    expect(page.get_by_test_id("withheld")).to_have_count(0)
    documents = page.get_by_test_id("documents")
    for title in CERTIFICATES:
        expect(documents.locator("li", has_text=title)).to_have_count(1)
    expect(page.locator("#timeline g.row[data-key=certificates]")).to_have_attribute("data-status", "completed")
    report = page.get_by_test_id("start-report")
    expect(report).to_be_visible()
    expect(report.locator("input[name=started_on]")).to_have_value(clock.today().isoformat())
    page.screenshot(path=str(shots / "land-to-start-permitted.png"), full_page=True)

    report.locator("input[name=started_on]").fill((clock.today() + timedelta(days=3)).isoformat())
    with page.expect_navigation() as refused:
        report.locator("button[type=submit]").click()
    assert refused.value.status == 422
    expect(page.locator(".alert.error")).to_contain_text("开工日期不能晚于今天")
    page.screenshot(path=str(shots / "land-to-start-start-refused.png"), full_page=True)
    assert _read(stack, app_id)["status"] == "permitted"

    page.goto(f"/applications/{app_id}")
    report.locator("input[name=started_on]").fill(clock.today().isoformat())
    report.locator("button[type=submit]").click()
    page.wait_for_url(f"**/applications/{app_id}#timeline")
    expect(page.get_by_test_id("status")).to_have_text("已开工")
    expect(page.get_by_test_id("start-report")).to_have_count(0)
    expect(page.locator("[data-testid=steps] li[data-step=construction_start] .badge")).to_have_text("已完成")
    expect(page.locator("#timeline g.row[data-key=construction_start]")).to_have_attribute("data-status",
                                                                                          "completed")
    page.screenshot(path=str(shots / "land-to-start-started.png"), full_page=True)


# 4 ---------------------------------------------------------------------------------------------

def test_an_agent_without_a_mandate_sees_the_empty_state_and_staff_are_refused(new_page, signed_in, stack):
    tag = uuid.uuid4().hex[:6]
    with session_scope() as session:
        create_user(session, username=f"lts-agent-{tag}", password=AGENT_PASSWORD,
                    display_name=f"代办专员 测试{tag}", role=Role.agent, department="绿色通道服务中心")
    agent = new_page()
    agent.goto("/login")
    agent.fill("input[name=username]", f"lts-agent-{tag}")
    agent.fill("input[name=password]", AGENT_PASSWORD)
    agent.click("button:has-text('登录')")
    agent.wait_for_url("**/applications")
    response = agent.goto("/land-to-start/new")  # agents have no menu entry (staff menu); by address
    assert response.status == 200
    expect(agent.locator("section.empty")).to_contain_text("没有可申请的项目")
    expect(agent.locator("#land-to-start-form")).to_have_count(0)
    expect(agent.locator(".alert.info")).to_contain_text("代办专员")

    reviewer = signed_in("reviewer")
    expect(reviewer.locator("nav.main-nav a", has_text="拿地即开工")).to_have_count(0)
    response = reviewer.goto("/land-to-start/new")
    assert response.status == 403
    expect(reviewer.locator("h1")).to_have_text("无权访问")
    expect(reviewer.locator("main")).to_contain_text("拿地即开工由企业或受托的代办专员申请")
