"""The 环评 wizard in the browser: industry code → only the questions the matched rows need → the
level with its reason trail and the commitment-route check → route, confirmation, submission."""

import re
import time
import uuid

from playwright.sync_api import expect

from tests.stack_api import project_of as _project_of

ANSWERS_NO = ["semiconductor_materials", "electronic_chemicals", "pcb", "cwa_only", "acid_pickling", "electroplating",
              "in_industrial_building"]


def test_enterprise_classifies_its_project_and_applies_by_commitment(enterprise_page, stack, sample_application,
                                                                     shots):
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        app_id = c.post("/api/v1/applications", json=dict(sample_application, project_name="环评向导测试项目"),
                        headers=headers).json()["id"]
    page = enterprise_page
    page.goto(f"/applications/{app_id}")
    page.goto("/eia/new")
    page.select_option("select[name=project_id]", value=str(_project_of(app_id)))
    page.fill("input[name=main_code]", "39x")
    page.click("button:has-text('下一步')")
    expect(page.locator("#field-main_code .error-text")).to_contain_text("4位数字")
    page.fill("input[name=main_code]", "3983")
    page.click("button:has-text('下一步')")
    # only what row 81 and the commitment check need: no boiler or slaughter questions
    expect(page.locator("[data-question=organic_solvents]")).to_be_visible()
    expect(page.locator("[data-question=electroplating]")).to_be_visible()
    assert page.locator("[data-question=gas_boiler_capacity]").count() == 0
    for key in ANSWERS_NO:
        page.check(f"[data-question={key}] input[value=no]")
    page.check("[data-question=in_industrial_building] input[value=yes]")
    page.check("[data-question=sensitive_areas] input[value=none]")
    page.click("#classify-button")  # organic solvents not answered yet: a provisional result, marked
    expect(page.locator("[data-question=organic_solvents].unanswered")).to_be_visible()
    page.check("[data-question=organic_solvents] input[value=yes]")
    page.click("#classify-button")
    result = page.locator("[data-testid=eia-result]")
    expect(result).to_have_attribute("data-level", "report_form")
    expect(page.locator("[data-testid=trail]")).to_contain_text("第81行")
    expect(page.locator("[data-testid=eligibility]")).to_contain_text("规划环评")
    page.check("input[name=route][value=commitment]")
    page.fill("input[name=scale]", "年产智能传感器500万件")
    page.click("#submit-button")  # the commitment letter not confirmed
    expect(page.locator("#field-commitment_confirmed .error-text")).to_contain_text("告知承诺书")
    page.screenshot(path=str(shots / "eia-wizard.png"), full_page=True)
    page.check("input[name=commitment_confirmed]")
    page.click("#submit-button")
    page.wait_for_url(re.compile(r".*/applications/\d+$"))
    expect(page.locator("[data-testid=eia-classification]")).to_contain_text("环境影响报告表")
    deadline = time.monotonic() + 90
    while "告知承诺书" not in (page.locator("[data-testid=documents]").all_inner_texts() or [""])[0]:
        assert time.monotonic() < deadline, "no commitment letter"
        time.sleep(1)
        page.reload()
    expect(page.locator("[data-testid=documents]")).to_contain_text("受理通知书")
    page.screenshot(path=str(shots / "eia-case.png"), full_page=True)
