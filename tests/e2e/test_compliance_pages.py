"""全周期监管 on the real stack: an approved 标准地 case's committed completion date (20 days away) becomes a
scheduled 对标验收 once the daily sweep runs (as an operator would: `greenchannel sla-sweep`); it is yellow on the
pages and the enterprise is told; the park records a shortfall from its 履约核验 page, a 整改复核 is scheduled and
the credit record export says 整改. (The lights on a controlled clock: tests/services/test_compliance.py.)"""

import csv
import io
import re
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta

import httpx
from playwright.sync_api import expect

from services.core import clock, uscc
from tests import stack_api
from tests.samples import REPO
from tests.waiting import wait_for


def _sweep_on(day: date) -> None:
    done = subprocess.run([sys.executable, "-m", "deployments.cli", "sla-sweep", "--on", day.isoformat()],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_a_check_is_scheduled_lit_reminded_and_a_shortfall_opens_a_rectification(signed_in, stack,
                                                                                   sample_application, shots):
    # a project finished soon: its 对标验收 is due within the 30 days that make it yellow. Today in China, as the
    # web app counts it: from 16:00 UTC on, the machine's own date is still yesterday there ("计划开工日期不能早于今天")
    today = clock.today()
    soon = dict(sample_application, project_name=f"全周期监管{uuid.uuid4().hex[:6]}",
                planned_start_on=today.isoformat(),
                planned_completion_on=(today + timedelta(days=20)).isoformat(),
                planned_production_on=(today + timedelta(days=30)).isoformat())
    app_id = stack_api.submit(stack, soon)
    case_no = stack_api.waiting_for_decision(stack, app_id)["case_no"]
    stack_api.decide_as_department(stack, app_id, "land_review")
    wait_for(lambda: stack_api.read(stack, app_id)["status"] == "approved", what="the case to be approved")
    _sweep_on(today)
    enterprise = signed_in("enterprise")
    enterprise.goto(f"/applications/{app_id}")
    row = enterprise.locator("[data-testid=compliance-checks] tr[data-kind=completion]")
    expect(row).to_have_attribute("data-light", "yellow")
    expect(enterprise.locator("[data-testid=compliance-checks] tr[data-kind=ramp_up_end]")).to_be_visible()
    enterprise.goto("/inbox")
    expect(enterprise.locator("main")).to_contain_text(f"【提醒】{case_no}的对标验收即将到期")

    park = signed_in("supervisor")
    park.click("nav.main-nav >> text=履约核验")
    mine = park.locator("[data-testid=open-checks] tr", has_text=case_no)
    expect(mine.first).to_have_attribute("data-light", "yellow")
    park.screenshot(path=str(shots / "compliance-checks.png"), full_page=True)
    mine.filter(has=park.locator("td", has_text="对标验收")).locator("text=录入核验结果").click()
    park.fill("input[name=measured_on]", time.strftime("%Y-%m-%d"))
    for name, value in (("investment_intensity", "540"), ("floor_area_ratio", "2.5"),
                        ("building_coefficient", "47.5"), ("office_share", "3")):
        park.fill(f"input[name=actual_{name}]", value)
    park.fill("textarea[name=evidence]", "项目投资专项审计报告")
    park.click("button:has-text('核验并出具报告')")
    park.wait_for_url(re.compile(r".*#verification$"))
    checks = park.locator("[data-testid=compliance-checks]")
    expect(checks.locator("tr[data-kind=completion]")).to_have_attribute("data-light", "done")
    expect(checks.locator("tr[data-kind=rectification]")).to_contain_text("整改复核（对标验收）")
    park.screenshot(path=str(shots / "compliance-rectification.png"), full_page=True)

    cookies = {c["name"]: c["value"] for c in park.context.cookies()}
    export = httpx.get(f"{stack.base_url}/compliance/credit.csv", cookies=cookies)
    assert export.status_code == 200 and export.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["统一社会信用代码", "企业名称"]
    assert any(r[3] == case_no and r[6] == "整改" for r in rows[1:]), rows
    assert httpx.get(f"{stack.base_url}/compliance/credit.csv",
                     cookies={c["name"]: c["value"] for c in enterprise.context.cookies()}).status_code == 403


def test_the_park_imports_a_year_of_returns_and_ranks_its_enterprises(signed_in, tmp_path, shots):
    def code(n: int) -> str:
        first17 = f"91441900{n:09d}"
        return first17 + uscc.check_character(first17)

    header = "统一社会信用代码,企业名称,年度,用地面积（亩）,实缴税收（万元）,工业总产值（万元）,综合能耗（吨标准煤）"
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(f"{header}\n{code(901)},甲公司,2094,0,1,1,1\n", encoding="utf-8")
    good = tmp_path / "returns.csv"
    good.write_text("\n".join([header, f"{code(901)},甲智造有限公司,2094,100,4000,60000,3000",
                               f"{code(902)},乙材料有限公司,2094,100,1000,20000,4000"]) + "\n", encoding="utf-8")
    park = signed_in("supervisor")
    park.goto("/compliance")
    park.click("[data-testid=nav-ranking]")
    expect(park.locator("[data-testid=illustrative]")).to_contain_text("示例")
    park.set_input_files("input[name=file]", str(wrong))
    park.click("[data-testid=import-returns]")
    expect(park.locator("[data-testid=import-problems]")).to_contain_text("第2行“用地面积（亩）”")
    park.set_input_files("input[name=file]", str(good))
    park.click("[data-testid=import-returns]")
    expect(park.locator("[data-testid=imported]")).to_contain_text("新增2条")
    table = park.locator("[data-testid=ranking-table]")
    expect(table.locator(f"tr[data-uscc='{code(901)}']")).to_have_attribute("data-grade", "A")
    expect(table.locator(f"tr[data-uscc='{code(902)}'] td").first).to_have_text("2")
    park.screenshot(path=str(shots / "mu-ranking.png"), full_page=True)
