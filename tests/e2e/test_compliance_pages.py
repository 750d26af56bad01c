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

from tests import stack_api
from tests.samples import REPO
from tests.waiting import wait_for


def _sweep_on(day: date) -> None:
    done = subprocess.run([sys.executable, "-m", "deployments.cli", "sla-sweep", "--on", day.isoformat()],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_a_check_is_scheduled_lit_reminded_and_a_shortfall_opens_a_rectification(signed_in, stack,
                                                                                   sample_application, shots):
    today = date.today()  # a project finished soon: its 对标验收 is due within the 30 days that make it yellow
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
