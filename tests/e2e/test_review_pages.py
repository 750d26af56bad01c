"""标准地 review in the browser, as the people do it: the enterprise applies with the parcel's
indicators, the 自然资源局 reviewer asks for 补正 on the decision page, the enterprise uploads the
material and submits it, the reviewer approves, the documents appear; later the park records the
对标验收 values and gets the verification report. Real stack, real Prefect runs, real Chromium."""

import re
import time

from playwright.sync_api import expect

from tests.e2e.pages import fill_form, reload_until


def test_review_with_supplement_then_approval_and_verification(enterprise_page, signed_in, sample_application,
                                                                tmp_path, shots):
    page = enterprise_page
    fill_form(page, dict(sample_application, project_name="补正流程测试项目"))
    # the form asks for the chosen parcel's own indicators
    expect(page.locator("#indicators .indicator-group[data-parcel='1']")).to_be_visible()
    expect(page.locator("#indicators .indicator-group[data-parcel='2']")).to_be_hidden()
    page.click("#submit-button")
    page.wait_for_url(re.compile(r".*/applications/\d+$"))
    app_url = page.url
    case_no = page.locator(".case-no").inner_text()

    reviewer = signed_in("reviewer")
    reviewer.click("nav.main-nav >> text=待审查事项")
    reload_until(reviewer, f"tr[data-case='{case_no}'] a.button")
    reviewer.click(f"tr[data-case='{case_no}'] a.button")
    expect(reviewer.locator("[data-testid=evaluation] [data-indicator=investment_intensity]")).to_contain_text("符合")
    expect(reviewer.locator("[data-testid=reuse]")).to_contain_text("不可复用")  # the expired flood assessment
    reviewer.click("#decide-button")  # nothing chosen
    expect(reviewer.locator("#field-kind .error-text")).to_have_text("请选择审查决定")
    reviewer.check("input[name=kind][value=request_supplement]")
    reviewer.click("#decide-button")  # no items listed
    expect(reviewer.locator("#field-items .error-text")).to_contain_text("逐项列明")
    reviewer.fill("input[name=item_name_0]", "项目投资估算表")
    reviewer.fill("input[name=item_reason_0]", "缺少设备投资明细")
    reviewer.screenshot(path=str(shots / "review-decision-form.png"), full_page=True)
    reviewer.click("#decide-button")
    reviewer.wait_for_url(re.compile(r".*/applications/\d+\?acted=\d+$"))

    page.goto(app_url)
    # the page reads the case and its request in separate statements: reload until both show the 补正
    reload_until(page, "[data-testid=status].status-supplementing")
    reload_until(page, "[data-testid=supplement]")
    expect(page.locator("[data-testid=status]")).to_have_text("待补正（计时暂停）")
    expect(page.locator("[data-testid=documents]")).to_contain_text("一次性告知书")
    page.click("#submit-supplement")  # nothing uploaded yet
    expect(page.locator("[data-testid=supplement] .alert.error")).to_contain_text("项目投资估算表")
    estimate = tmp_path / "投资估算表.pdf"
    estimate.write_bytes(b"%PDF-1.4\n% estimate\n")
    page.set_input_files("[data-item='0'] input[type=file]", str(estimate))
    page.click("[data-item='0'] button:has-text('上传')")
    page.wait_for_load_state()
    page.screenshot(path=str(shots / "review-upload.png"), full_page=True)
    expect(page.locator("[data-item='0'] .files")).to_contain_text("投资估算表.pdf")
    page.screenshot(path=str(shots / "review-supplement.png"), full_page=True)
    page.click("#submit-supplement")
    page.wait_for_url(re.compile(r".*\?acted=\d+$"))

    reviewer.goto(app_url)
    reload_until(reviewer, "[data-testid=decide-land_review]")
    reviewer.click("[data-testid=decide-land_review]")
    reviewer.check("input[name=kind][value=approve]")
    reviewer.fill("textarea[name=reasons]", "补正后材料齐全，符合地块控制指标")
    reviewer.click("#decide-button")
    reviewer.wait_for_url(re.compile(r".*\?acted=\d+$"))
    reload_until(reviewer, "[data-testid=documents] >> text=履约监管协议（草案）")
    expect(reviewer.locator("[data-testid=status]")).to_have_text("预评估通过")
    for title in ("受理通知书", "一次性告知书", "标准地预评估报告", "投资建设承诺书"):
        expect(reviewer.locator("[data-testid=documents]")).to_contain_text(title)
    expect(reviewer.locator("[data-step=land_review] .hint")).to_contain_text("计时暂停")
    reviewer.screenshot(path=str(shots / "review-approved.png"), full_page=True)

    # later: the park records 对标验收 values; one indicator falls short
    park = signed_in("supervisor")
    park.goto(app_url)
    park.click("text=录入对标验收")
    park.fill("input[name=measured_on]", time.strftime("%Y-%m-%d"))
    park.fill("input[name=actual_investment_intensity]", "很多")
    park.click("button:has-text('核验并出具报告')")
    expect(park.locator("#field-actual_investment_intensity .error-text")).to_contain_text("数字")
    expect(park.locator("#field-evidence .error-text")).to_contain_text("核验依据")
    park.fill("input[name=actual_investment_intensity]", "540")  # committed 600
    park.fill("input[name=actual_floor_area_ratio]", "2.4")
    park.fill("input[name=actual_building_coefficient]", "46")
    park.fill("input[name=actual_office_share]", "3")
    park.fill("textarea[name=evidence]", "项目投资专项审计报告\n规划核实证明")
    park.click("button:has-text('核验并出具报告')")
    park.wait_for_url(re.compile(r".*#verification$"))
    record = park.locator("[data-testid=verification] .verification-record[data-checkpoint=completion]")
    expect(record).to_contain_text("未达到承诺标准")
    expect(record).to_contain_text("违约金")
    expect(park.locator("[data-testid=documents]")).to_contain_text("标准地对标核验报告")
    park.screenshot(path=str(shots / "verification.png"), full_page=True)
