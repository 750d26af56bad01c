"""Issue 18 in the browser: the wizard's result and the case page say the bundled positive list, 豁免 list
and 简化环评内容 list are the system's examples, not the park's published lists."""

import re
import uuid

from playwright.sync_api import expect

from tests.stack_api import project_of as _project_of

ANSWERS_NO = ["semiconductor_materials", "electronic_chemicals", "pcb", "cwa_only", "acid_pickling", "electroplating"]
EXAMPLE = "本正面清单为系统示例配置，非本地正式发布的清单"


def test_the_result_and_the_case_page_label_the_example_lists(enterprise_page, stack, sample_application):
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        app_id = c.post("/api/v1/applications", json=dict(sample_application, project_name="环评示例清单测试项目"),
                        headers=headers).json()["id"]
    page = enterprise_page
    page.goto("/eia/new")
    page.select_option("select[name=project_id]", value=str(_project_of(app_id)))
    page.fill("input[name=main_code]", "3983")
    page.click("button:has-text('下一步')")
    for key in ANSWERS_NO:
        page.check(f"[data-question={key}] input[value=no]")
    page.check("[data-question=organic_solvents] input[value=yes]")
    page.check("[data-question=in_industrial_building] input[value=yes]")
    page.check("[data-question=sensitive_areas] input[value=none]")
    page.click("#classify-button")
    expect(page.locator("[data-testid=eia-result]")).to_have_attribute("data-level", "report_form")
    expect(page.locator("[data-testid=positive-list-note]")).to_contain_text(EXAMPLE)
    expect(page.locator("[data-testid=eia-simplified]")).to_contain_text("区域环境质量现状调查")
    expect(page.locator("[data-testid=simplified-list-note]")).to_contain_text("系统示例配置")
    expect(page.locator("[data-testid=eia-exemption]")).to_contain_text("豁免名录未列出本项目的行业")
    page.check("input[name=route][value=commitment]")
    page.fill("input[name=scale]", "年产智能传感器500万件")
    page.check("input[name=commitment_confirmed]")
    page.click("#submit-button")
    page.wait_for_url(re.compile(r".*/applications/\d+$"))
    case = page.locator("[data-testid=eia-classification]")
    expect(case.locator("[data-testid=positive-list-note]")).to_contain_text(EXAMPLE)
    expect(case.locator("[data-testid=eia-simplified]")).to_contain_text("系统示例配置")
