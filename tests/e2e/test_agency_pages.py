"""代办 (agency service) in the browser, as the people do it: the enterprise signs a 代办委托 online
(refused field by field first, and once only however often the form is posted), the supervisor
assigns an agent from the notice, the agent records the first contact (限时回复), reads the
workbench with its red and yellow rows (desktop and phone), acts on behalf of the enterprise, and the
supervisor keeps the 代办事项目录清单. Real stack, real Chromium.

Set-up that is not itself under test (a signed mandate, cases waiting on the 自然资源局 review) is
written through the services in this process, on the database the stack reads, as the other e2e
tests do; those cases are never handed to Prefect (the test drives their steps itself).
"""

import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import FormData, Page, expect

from services.agency import service as agency
from services.calendar.schedules import work_calendar
from services.cases import acceptance
from services.core import clock
from services.core.db import session_scope
from services.core.formatting import format_date_zh
from services.core.settings import get_settings
from services.core.users import create_user, get_by_username
from services.models import Application, Role, Step
from services.standard_land import service as standard_land
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.e2e.pages import DATE_ZH, PHONE, TEXT_FIELDS, log_in, no_horizontal_scroll
from tests.samples import REPO, SAMPLE

PREFILLED = ("enterprise_name", "uscc", "legal_representative", "contact_name", "contact_phone", "project_name")
AGENT_PASSWORD = "Agent-Password-2026"


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _sign(project_name: str, codes: tuple[str, ...] = ("DB02",), agent: str | None = None) -> int:
    """A mandate the demo enterprise signed (and the supervisor assigned to ``agent``), via the services."""
    with session_scope() as session:
        today = clock.today()
        data = agency.MandateInput(project_name=project_name, item_codes=list(codes), valid_from=today,
                                   valid_until=today + timedelta(days=365), signed_by_name="林晓", agree=True)
        mandate, _ = agency.sign(session, get_by_username(session, "enterprise"), data, uuid.uuid4().hex)
        if agent:
            agency.assign(session, get_by_username(session, "supervisor"), mandate,
                          get_by_username(session, agent).id)
        return mandate.id


def _user_id(username: str) -> int:
    with session_scope() as session:
        return get_by_username(session, username).id


def _mandate_rows(page: Page) -> int:
    """How many mandates the signed-in person sees on /mandates (in a second tab, the form stays as it is)."""
    tab = page.context.new_page()
    try:
        tab.goto("/mandates")
        return tab.locator("[data-testid=mandates] tbody tr").count()
    finally:
        tab.close()


def _sign_in_as(new_page, username: str, password: str, viewport: dict | None = None) -> Page:
    page = new_page(viewport=viewport)
    log_in(page, username, password)
    return page


# 1 ---------------------------------------------------------------------------------------------

def test_enterprise_signs_a_mandate_once_after_fixing_the_form(enterprise_page, new_page, shots):
    page = enterprise_page
    project = _unique("代办签署测试项目")
    before = _mandate_rows(page)
    page.click("nav.main-nav >> text=代办委托")
    page.wait_for_url("**/mandates")
    page.click("a.button:has-text('签署代办委托书')")
    # polled, not one navigation awaited: on a loaded machine Chromium may report an interim navigation aborted
    expect(page).to_have_url(re.compile(r"/mandates/new$"))
    today = clock.today()
    expect(page.locator("input[name=valid_from]")).to_have_value(today.isoformat())
    expect(page.locator("input[name=signed_by_name]")).not_to_be_empty()

    # no item chosen, agreement not ticked, the end before the start
    page.fill("input[name=project_name]", project)
    page.fill("input[name=valid_until]", (today - timedelta(days=1)).isoformat())
    submit = page.locator("#mandate-form button[type=submit]")
    for field, message in [("item_codes", "请至少选择一项代办事项"), ("valid_until", "截止日期不能早于起始日期"),
                           ("agree", "请阅读并同意委托书条款")]:
        with page.expect_navigation() as refused:
            submit.click()
        assert refused.value.status == 422
        expect(page.locator(".alert.error")).to_contain_text("签署未成功")
        error = page.locator(f"#field-{field} .error-text" if field != "agree" else "#field-agree + .error-text")
        expect(error).to_contain_text(message)
        expect(page.locator("input[name=project_name]")).to_have_value(project)  # what was typed is kept
        if field == "item_codes":  # the first try reports all three problems at once
            expect(page.locator(".alert.error")).to_contain_text("共有3处")
            page.screenshot(path=str(shots / "mandate-form-errors.png"), full_page=True)
            page.check("input[name=item_codes][value=DB02]")
            page.check("input[name=item_codes][value=DB04]")
        elif field == "valid_until":
            expect(page.locator("input[name=item_codes][value=DB02]")).to_be_checked()
            page.fill("input[name=valid_until]", (today + timedelta(days=180)).isoformat())
    assert _mandate_rows(page) == before, "a refused form wrote a mandate"

    page.check("input[name=agree]")
    posted = page.evaluate("[...new FormData(document.getElementById('mandate-form'))]")
    page.dblclick("#mandate-form button[type=submit]")  # an impatient double click
    page.wait_for_url(re.compile(r"/mandates/\d+$"))
    mandate_url = page.url
    expect(page.get_by_test_id("mandate-status")).to_have_text("代办中")
    expect(page.get_by_test_id("mandate-agent")).to_have_text("待指派")
    expect(page.get_by_test_id("mandate-contact")).to_have_text("指派后开始计时")
    expect(page.get_by_test_id("mandate-items")).to_contain_text("DB02")
    expect(page.get_by_test_id("mandate-items")).to_contain_text("DB04")
    expect(page.locator("dl.facts")).to_contain_text(project)
    letter = page.get_by_test_id("mandate-documents").locator("li", has_text="代办服务委托书")
    expect(letter).to_have_count(1)
    number = page.locator("h1 .case-no").inner_text().strip()
    assert number and number in letter.inner_text()
    pdf = page.request.get(letter.locator("a", has_text="PDF").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    page.screenshot(path=str(shots / "mandate-signed.png"), full_page=True)

    # the same form posted again (back, then 签署 once more): the same mandate, not a second one
    form = FormData()
    for name, value in posted:
        form.append(name, value)
    again = page.request.post("/mandates/new", form=form)
    assert again.ok and again.url == mandate_url
    page.goto("/mandates")
    expect(page.locator("[data-testid=mandates] tbody tr", has_text=project)).to_have_count(1)
    assert page.locator("[data-testid=mandates] tbody tr").count() == before + 1

    phone = new_page(viewport=PHONE)  # the same person on a phone
    phone.context.add_cookies(page.context.cookies())
    for url, name in [("/mandates/new", "mandate-form-phone"), (mandate_url, "mandate-phone"),
                      ("/mandates", "mandates-phone")]:
        phone.goto(url)
        no_horizontal_scroll(phone)
        phone.screenshot(path=str(shots / f"{name}.png"), full_page=True)


# 2 ---------------------------------------------------------------------------------------------

def test_supervisor_assigns_from_the_notice_and_the_agent_records_the_contact(signed_in, shots):
    project = _unique("代办指派测试项目")
    mandate_id = _sign(project, ("DB02", "DB04"))
    boss = signed_in("supervisor")
    boss.get_by_test_id("inbox-link").click()
    notice = boss.locator("li.message", has_text=f"【新代办委托】东莞松湖智造科技有限公司·{project}")
    expect(notice).to_contain_text("建议指派")
    notice.locator("button:has-text('查看')").click()
    boss.wait_for_url(f"**/mandates/{mandate_id}")
    choice = boss.locator("#assign-form select[name=agent_id]")
    expect(choice.locator("option:checked")).to_contain_text("建议")
    expect(choice.locator("option", has_text="陈静")).to_have_count(1)
    boss.screenshot(path=str(shots / "mandate-assign.png"), full_page=True)
    choice.select_option(value=str(_user_id("agent2")))
    boss.click("#assign-form button[type=submit]")
    boss.wait_for_url(f"**/mandates/{mandate_id}")
    expect(boss.get_by_test_id("mandate-agent")).to_contain_text("代办专员 陈静")
    with session_scope() as session:
        due = work_calendar(session).add_working_days(clock.today(), get_settings().agent_reply_working_days).due
    expect(boss.get_by_test_id("mandate-contact")).to_have_text(f"应于{format_date_zh(due)}前联系企业")
    expect(boss.get_by_test_id("mandate-events")).to_contain_text("指派代办专员")
    expect(boss.locator("#assign-form button[type=submit]")).to_have_text("改派")

    agent = signed_in("agent2")
    agent.click("nav.main-nav >> text=代办工作台")
    agent.wait_for_url("**/workbench")
    due_item = agent.locator(f"[data-testid=contacts-due] li[data-mandate='{mandate_id}']")
    expect(due_item).to_contain_text(project)
    expect(due_item).to_contain_text(f"应于{format_date_zh(due)}前联系林晓（13800138000）")
    due_item.locator("a").click()
    agent.wait_for_url(f"**/mandates/{mandate_id}")
    with agent.expect_navigation() as refused:
        agent.click("#contact-form button[type=submit]")  # nothing written down
    assert refused.value.status == 422
    expect(agent.locator("#contact-form .error-text")).to_contain_text("请写明联系方式和沟通内容")
    expect(agent.get_by_test_id("mandate-contact")).to_contain_text("应于")
    agent.fill("#contact-form input[name=note]", "电话联系企业联系人林晓，约定下周一提交用地申请材料")
    agent.click("#contact-form button[type=submit]")
    agent.wait_for_url(f"**/mandates/{mandate_id}")
    expect(agent.get_by_test_id("mandate-contact")).to_have_text(re.compile(
        r"已于" + DATE_ZH.pattern + r"\d{1,2}时\d{2}分联系企业"))
    expect(agent.get_by_test_id("mandate-events")).to_contain_text("约定下周一提交用地申请材料")
    agent.screenshot(path=str(shots / "mandate-contacted.png"), full_page=True)
    agent.goto("/workbench")
    expect(agent.locator(f"[data-testid=contacts-due] li[data-mandate='{mandate_id}']")).to_have_count(0)


# 3, 4 ------------------------------------------------------------------------------------------

@dataclass
class LitAgent:
    """An agent of their own whose mandate covers two cases in the 自然资源局 review: one red, one yellow."""

    username: str
    display_name: str
    project: str
    red: str  # case numbers
    yellow: str
    red_due: date
    yellow_due: date
    department: str


def _review_step(session, enterprise, project: str, project_id: int | None = None) -> Step:
    """A case of ``project`` accepted and waiting on the 用地审查 (land_review), without a Prefect run; with
    ``project_id``, filed under that project (a mandate covers the cases of its own project only)."""
    data = StandardLandApplicationInput.model_validate({**SAMPLE, "project_name": project})
    application, _ = submit_application(session, enterprise, data, uuid.uuid4().hex)
    application.flow_run_id = str(uuid.uuid4())  # so the dispatch sweep never hands it to Prefect
    if project_id is not None:
        application.project_id = project_id
    session.add(application)
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    standard_land.evaluate(session, application.id)
    return standard_land.open_review(session, application.id, str(uuid.uuid4()))


@pytest.fixture(scope="module")
def lit_agent(stack) -> LitAgent:
    tag = uuid.uuid4().hex[:6]
    project = f"工作台亮灯项目-{tag}"
    with session_scope() as session:
        agent = create_user(session, username=f"agent-{tag}", password=AGENT_PASSWORD,
                            display_name=f"代办专员 测试{tag}", role=Role.agent, department="绿色通道服务中心",
                            phone="0769-22880000")
        enterprise = get_by_username(session, "enterprise")
        today = clock.today()
        mandate, _ = agency.sign(session, enterprise, agency.MandateInput(
            project_name=project, item_codes=["DB02"], valid_from=today, valid_until=today + timedelta(days=365),
            signed_by_name="林晓", agree=True), uuid.uuid4().hex)
        agency.assign(session, get_by_username(session, "supervisor"), mandate, agent.id)
        agency.record_contact(session, agent, mandate, "电话联系企业联系人林晓")
        calendar = work_calendar(session)
        red_due = today - timedelta(days=1)
        while not calendar.is_workday(red_due):  # the last working day before today: just overdue
            red_due -= timedelta(days=1)
        yellow_due = today if calendar.is_workday(today) else calendar.add_working_days(today, 1).due
        cases: list[str] = []
        project_id = None
        for due in (yellow_due, red_due):  # the yellow case is the older one: the order is by light, not by id
            step = _review_step(session, enterprise, project, project_id)
            step.due_on = due
            session.add(step)
            case = session.get_one(Application, step.application_id)
            project_id = case.project_id  # the second case belongs to the project the first one linked
            cases.append(case.case_no)
        return LitAgent(agent.username, agent.display_name, project, red=cases[1], yellow=cases[0], red_due=red_due,
                        yellow_due=yellow_due, department=step.department)


def test_workbench_lists_red_before_yellow_with_what_to_do(new_page, lit_agent, shots):
    page = _sign_in_as(new_page, lit_agent.username, AGENT_PASSWORD)
    page.click("nav.main-nav >> text=代办工作台")
    page.wait_for_url("**/workbench")
    rows = page.locator("[data-testid=workbench] tbody tr")
    expect(rows).to_have_count(2)
    red, yellow = rows.nth(0), rows.nth(1)
    expect(red).to_have_attribute("data-case", lit_agent.red)
    expect(yellow).to_have_attribute("data-case", lit_agent.yellow)
    department = lit_agent.department
    for row, light, remaining, action in [  # the overdue count is checked loosely: 1 or 2 by the counting rule
            (red, "红灯", re.compile(r"超期\d+个工作日"), f"已超期：协调{department}尽快办结，并报督办管理员"),
            (yellow, "黄灯", "1个工作日", f"临近期限：联系{department}承办人确认办理进度")]:
        expect(row.locator("td[data-label=亮灯] .light")).to_have_text(light)
        expect(row.locator("td[data-label=剩余]")).to_have_text(remaining)
        expect(row.locator("td[data-label=等待]")).to_have_text("审批部门")
        expect(row.locator("td[data-label=下一步]")).to_have_text(action)
        expect(row.locator("td[data-label='企业 / 项目']")).to_contain_text(lit_agent.project)
        expect(row.locator("td[data-label=环节]")).to_contain_text(lit_agent.department)
    expect(red.locator("td[data-label=办结期限]")).to_have_text(format_date_zh(lit_agent.red_due))
    expect(yellow.locator("td[data-label=办结期限]")).to_have_text(format_date_zh(lit_agent.yellow_due))
    expect(page.locator(".page-head .muted")).to_contain_text("红灯 1 · 黄灯 1 · 绿灯 0 · 暂停 0")
    expect(page.get_by_test_id("contacts-due")).to_have_count(0)  # contacted already
    no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "workbench-desktop.png"), full_page=True)

    red.locator("td[data-label=案件] a").click()  # the case itself, for the agent to follow up
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    expect(page.locator(".case-no")).to_have_text(lit_agent.red)

    phone = _sign_in_as(new_page, lit_agent.username, AGENT_PASSWORD, viewport=PHONE)
    phone.goto("/workbench")
    expect(phone.locator("[data-testid=workbench] tbody tr").first.locator(".light")).to_have_text("红灯")
    expect(phone.locator("[data-testid=workbench] tbody tr").first).to_be_visible()
    no_horizontal_scroll(phone)
    phone.screenshot(path=str(shots / "workbench-phone.png"), full_page=True)


def test_supervisor_sees_each_agents_load_and_opens_a_workbench(signed_in, lit_agent, shots):
    done = subprocess.run([sys.executable, "-m", "deployments.cli", "sla-sweep", "--on", clock.today().isoformat()],
                          cwd=REPO, capture_output=True, text=True, timeout=300)  # as an operator would
    assert done.returncode == 0, done.stderr
    page = signed_in("supervisor")
    page.click("nav.main-nav >> text=代办工作台")
    page.wait_for_url("**/workbench")
    expect(page.locator("h1")).to_have_text("代办专员工作台")
    loads = page.get_by_test_id("agent-loads")
    for name in ("代办专员 王敏", "代办专员 陈静", lit_agent.display_name):
        expect(loads.locator("tbody tr", has_text=name)).to_have_count(1)
    row = loads.locator("tbody tr", has_text=lit_agent.display_name)
    for label, value in [("在办委托", "1"), ("在办环节", "2"), ("黄灯", "1"), ("红灯", "1"), ("待首次联系", "0")]:
        expect(row.locator(f"td[data-label={label}]")).to_have_text(value)
    page.screenshot(path=str(shots / "workbench-loads.png"), full_page=True)
    row.locator("a", has_text=lit_agent.display_name).click()
    page.wait_for_url(re.compile(r"/workbench\?agent=\d+$"))
    expect(page.locator("h1")).to_contain_text(lit_agent.display_name)
    expect(page.locator("[data-testid=workbench] tbody tr").nth(0)).to_have_attribute("data-case", lit_agent.red)
    expect(page.locator("[data-testid=workbench] tbody tr").nth(1)).to_have_attribute("data-case", lit_agent.yellow)


# 5 ---------------------------------------------------------------------------------------------

def test_catalogue_is_public_to_users_and_kept_by_the_supervisor(enterprise_page, signed_in, shots):
    page = enterprise_page
    page.goto("/agency/catalogue")
    table = page.get_by_test_id("agency-catalogue")
    expect(table.locator("tr[data-code=DB02]")).to_contain_text("标准地")
    expect(table.locator("tr[data-code=DB04]")).to_contain_text("环境影响评价")
    expect(page.locator("a:has-text('新增事项')")).to_have_count(0)
    expect(page.locator("a.button:has-text('签署代办委托书')")).to_be_visible()
    refused = page.goto("/agency/catalogue/new")
    assert refused.status == 403
    expect(page.locator("main")).to_contain_text("只有督办管理员可以维护代办事项目录")

    boss = signed_in("supervisor")
    boss.goto("/agency/catalogue")
    boss.click("a.button:has-text('新增事项')")
    boss.wait_for_url("**/agency/catalogue/new")
    code = "T" + uuid.uuid4().hex[:6].upper()
    boss.fill("input[name=code]", "DB02")  # taken
    boss.fill("input[name=name]", "测试代办事项（水土保持方案）")
    boss.fill("input[name=stage]", "用地")
    boss.fill("input[name=department]", "水务局")
    boss.fill("input[name=limit_text]", "10个工作日")
    boss.fill("input[name=position]", "900")
    with boss.expect_navigation() as refused:
        boss.click("button:has-text('保存')")
    assert refused.value.status == 422
    expect(boss.locator("#field-code .error-text")).to_contain_text("事项编码DB02已被")
    expect(boss.locator("input[name=name]")).to_have_value("测试代办事项（水土保持方案）")
    boss.screenshot(path=str(shots / "agency-item-error.png"), full_page=True)
    boss.fill("input[name=code]", code)
    boss.click("button:has-text('保存')")
    boss.wait_for_url(f"**/agency/catalogue?saved={code}")
    expect(boss.locator(".alert.ok")).to_have_text(f"已保存事项 {code}。")
    row = boss.get_by_test_id("agency-catalogue").locator(f"tr[data-code={code}]")
    expect(row).to_contain_text("测试代办事项（水土保持方案）")
    expect(row.locator("td[data-label=状态]")).to_have_text("公布中")
    boss.screenshot(path=str(shots / "agency-catalogue.png"), full_page=True)


# 6 ---------------------------------------------------------------------------------------------

def test_agent_applies_on_behalf_of_the_enterprise(signed_in, sample_application, shots):
    project = _unique("代为申报测试项目")
    mandate_id = _sign(project, ("DB02",), agent="agent")
    page = signed_in("agent")
    page.goto(f"/mandates/{mandate_id}")
    expect(page.get_by_test_id("mandate-cases")).to_have_count(0)
    page.click("a:has-text('代为申报标准地预评估')")
    page.wait_for_url(f"**/applications/new?mandate={mandate_id}")
    form = page.locator("#application-form")
    expect(form.locator("[name=enterprise_name]")).to_have_value("东莞松湖智造科技有限公司")
    expect(form.locator("[name=uscc]")).to_have_value("91441900MA4UJ2K317")
    expect(form.locator("[name=project_name]")).to_have_value(project)
    page.screenshot(path=str(shots / "agent-apply-form.png"), full_page=True)
    for name in TEXT_FIELDS:
        if name not in PREFILLED:
            form.locator(f"[name={name}]").fill(str(sample_application[name]))
    form.locator("select[name=parcel_id]").select_option(value=str(sample_application["parcel_id"]))
    for code, value in sample_application["planned_indicators"].items():
        form.locator(f"[name=ind_{sample_application['parcel_id']}_{code}]").fill(value)
    page.click("#submit-button")
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    case_no = page.locator(".case-no").inner_text().strip()
    expect(page.locator("dl.facts")).to_contain_text(project)

    page.goto(f"/mandates/{mandate_id}")
    expect(page.get_by_test_id("mandate-cases")).to_contain_text(case_no)
    page.screenshot(path=str(shots / "mandate-with-case.png"), full_page=True)
