"""What a new user tripped on in the forms (issue 15): every problem of a submission reported at once, an
error summary that takes the focus, no empty alerts, the 补正 error and deadline in view, and a decision
form that shows only what the chosen decision needs. Real stack, real Chromium."""

import re

from playwright.sync_api import Page, expect

from services.core.db import session_scope
from tests import stack_api
from tests.e2e.pages import DATE_ZH, fill_form, log_in, reload_until
from tests.factories import make_project

# parcel 1's indicators a person must type; 投资强度, 亩均产值 and 亩均税收 left empty are total ÷ 亩 (derived)
INDICATORS = ["floor_area_ratio", "building_coefficient", "office_share", "rd_ratio"]


def _focused_summary(page: Page) -> None:
    """The summary has the focus, is the one alert on the page, and every per-field slot is quiet."""
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(page.locator("[role=alert]")).to_have_count(1)


def test_one_submission_reports_every_problem(enterprise_page, sample_application, application_ids):
    """Missing fields, the parcel's industry, dates out of order and the indicators: all on the first try."""
    page = enterprise_page
    start = sample_application["planned_start_on"]
    values = dict(sample_application, project_name="", contact_name="", industry_code="1311",
                  planned_indicators={})
    values["planned_completion_on"] = str(int(start[:4]) - 1) + start[4:]  # a year before the start
    values["planned_production_on"] = str(int(start[:4]) - 2) + start[4:]  # before the completion
    before = application_ids()
    fill_form(page, values)
    page.click("#submit-button")
    page.wait_for_url("**/applications/new")
    expect(page.locator("#err-project_name")).to_contain_text("项目名称")
    expect(page.locator("#err-contact_name")).to_contain_text("联系人")
    expect(page.locator("#err-industry_code")).to_contain_text("只准入")
    expect(page.locator("#err-planned_completion_on")).to_contain_text("不能早于计划开工日期")
    expect(page.locator("#err-planned_production_on")).to_contain_text("不能早于计划竣工日期")
    for code in INDICATORS:
        expect(page.locator(f"#err-ind_1_{code}")).to_contain_text("请填写")
    expect(page.locator(".error-summary li")).to_have_count(5 + len(INDICATORS))
    expect(page.locator(".error-summary")).to_contain_text(f"共有{5 + len(INDICATORS)}处")
    assert application_ids() == before


def test_indicator_without_unit_has_no_empty_brackets(enterprise_page, sample_application):
    page = enterprise_page
    fill_form(page, dict(sample_application, planned_indicators={}))
    page.click("#submit-button")
    page.wait_for_url("**/applications/new")
    expect(page.locator("#err-ind_1_floor_area_ratio")).to_have_text("请填写容积率的计划值")
    expect(page.locator("#err-ind_1_building_coefficient")).to_have_text("请填写建筑系数的计划值（%）")
    expect(page.locator("#err-ind_1_investment_intensity")).to_have_text("")  # derived from the totals
    assert "（）" not in page.locator("main").inner_text()


def test_error_summary_takes_focus_and_links_to_each_field(enterprise_page, sample_application):
    page = enterprise_page
    fill_form(page, dict(sample_application, project_name="", land_area_mu="-5"))
    page.click("#submit-button")
    page.wait_for_url("**/applications/new")
    _focused_summary(page)
    link = page.locator(".error-summary a[href='#field-project_name']")
    expect(link).to_contain_text("项目名称")
    expect(page.locator(".error-summary a[href='#field-land_area_mu']")).to_contain_text("用地面积")
    link.click()
    expect(page.locator("#application-form [name=project_name]")).to_be_focused()
    # the per-field text is still tied to its input
    expect(page.locator("#application-form [name=project_name]")).to_have_attribute("aria-describedby",
                                                                                     "err-project_name")


def test_a_fresh_form_has_no_alerts(enterprise_page):
    page = enterprise_page
    page.goto("/applications/new")
    expect(page.locator("#application-form")).to_be_visible()
    expect(page.locator("[role=alert]")).to_have_count(0)


def test_other_forms_show_a_focused_summary(signed_in):
    """拿地即开工, the 代办委托 and the 代办事项 forms: the same summary, focused, one alert."""
    with session_scope() as session:
        make_project(session)  # 拿地即开工 needs a project of the enterprise
    page = signed_in("enterprise")
    page.goto("/land-to-start/new")
    page.click("#land-to-start-form button[type=submit]")
    page.wait_for_url("**/land-to-start/new")
    _focused_summary(page)
    expect(page.locator(".error-summary a[href='#field-project_code']")).to_be_visible()
    page.click(".error-summary a[href='#field-risk_agreed']")
    expect(page.locator("input[name=risk_agreed]")).to_be_focused()
    page.goto("/mandates/new")
    page.click("#mandate-form button[type=submit]")
    page.wait_for_url("**/mandates/new")
    _focused_summary(page)
    boss = signed_in("supervisor")
    boss.goto("/agency/catalogue/new")
    boss.click("form.form button[type=submit]")
    _focused_summary(boss)
    expect(boss.locator(".error-summary a[href='#field-code']")).to_be_visible()


def _case_with_supplement_request(stack, sample_application) -> int:
    application_id = stack_api.submit(stack, dict(sample_application, project_name="补正期限测试项目"))
    stack_api.waiting_for_decision(stack, application_id)
    stack_api.decide_as_department(stack, application_id, stack_api.REVIEW, "request_supplement",
                                   items=[{"name": "项目投资估算表", "reason": "缺少设备投资明细", "form": "电子件"}])
    return application_id


def test_supplement_error_in_view_and_deadline_shown_then_decision_form_shows_what_the_choice_needs(
        stack, new_page, signed_in, sample_application, tmp_path):
    application_id = _case_with_supplement_request(stack, sample_application)
    page = new_page(viewport={"width": 1280, "height": 700})
    log_in(page, "enterprise")
    page.goto(f"/applications/{application_id}")
    reload_until(page, "[data-testid=supplement]", timeout=300)  # the review run applies the request first
    deadline = page.locator("[data-testid=supplement-deadline]")
    expect(deadline).to_contain_text("补正期限")
    expect(deadline).to_have_text(re.compile(DATE_ZH.pattern + r".*还剩\d+个工作日"))

    page.click("[data-item='0'] button:has-text('上传')")  # no file chosen
    error = page.locator("[data-testid=supplement-error]")
    expect(error).to_contain_text("请选择要上传的文件")
    expect(error).to_be_in_viewport()
    expect(error).to_be_focused()
    page.click("#submit-supplement")  # nothing uploaded yet
    expect(error).to_contain_text("项目投资估算表")
    expect(error).to_be_in_viewport()
    expect(page.locator("[data-testid=supplement-deadline]")).to_be_visible()

    estimate = tmp_path / "投资估算表.pdf"
    estimate.write_bytes(b"%PDF-1.4\n% estimate\n")
    page.set_input_files("[data-item='0'] input[type=file]", str(estimate))
    page.click("[data-item='0'] button:has-text('上传')")
    expect(page.locator("[data-item='0'] .files")).to_contain_text("投资估算表.pdf")
    page.click("#submit-supplement")
    page.wait_for_url(re.compile(r".*\?acted=\d+$"))

    reviewer = signed_in("reviewer")
    reviewer.goto(f"/applications/{application_id}")
    reload_until(reviewer, f"[data-testid=decide-{stack_api.REVIEW}]", timeout=300)  # and then the 补正
    reviewer.click(f"[data-testid=decide-{stack_api.REVIEW}]")
    items, justification = reviewer.locator("#field-items"), reviewer.locator("#field-justification")
    reasons_star = reviewer.locator("#field-reasons .req")
    reviewer.check("input[name=kind][value=approve]")
    expect(items).to_be_hidden()
    expect(justification).to_be_hidden()
    expect(reasons_star).to_be_hidden()
    reviewer.check("input[name=kind][value=reject]")
    expect(items).to_be_hidden()
    expect(justification).to_be_hidden()
    expect(reasons_star).to_be_visible()
    reviewer.check("input[name=kind][value=request_supplement]")
    expect(items).to_be_visible()
    expect(justification).to_be_visible()
    expect(justification.locator(".req")).to_be_visible()
    expect(reasons_star).to_be_hidden()
    # the server still checks: a second request without a reason is refused, and the form keeps the choice
    reviewer.fill("input[name=item_name_0]", "补充环评材料")
    reviewer.fill("input[name=item_reason_0]", "项目变更")
    reviewer.click("#decide-button")
    expect(justification.locator(".error-text")).to_contain_text("须写明理由")
    expect(justification).to_be_visible()
    expect(items).to_be_visible()


def test_decision_form_without_script_shows_everything(stack, new_page, sample_application):
    application_id = stack_api.submit(stack, dict(sample_application, project_name="无脚本审查测试项目"))
    stack_api.waiting_for_decision(stack, application_id)
    page = new_page(java_script_enabled=False)
    log_in(page, "reviewer")
    page.goto(f"/applications/{application_id}/steps/{stack_api.REVIEW}/decision")
    page.check("input[name=kind][value=approve]")
    expect(page.locator("#field-items")).to_be_visible()
    expect(page.locator("input[name=item_name_5]")).to_be_visible()
