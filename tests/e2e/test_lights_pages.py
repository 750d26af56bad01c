"""What a yellow and a red step look like to the people concerned: the sweep is run as an operator
would (`greenchannel sla-sweep --on DATE`) for a day near and past the deadline, then the pages are read."""

import subprocess
import sys
import uuid
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.samples import REPO
from tests.stack_api import waiting_for_decision as _waiting_for_decision


def _sweep_on(day: date) -> str:
    done = subprocess.run([sys.executable, "-m", "deployments.cli", "sla-sweep", "--on", day.isoformat()],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_yellow_then_red_on_the_queue_the_case_page_and_in_the_inbox(signed_in, stack, sample_application, shots):
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        app_id = c.post("/api/v1/applications", json=dict(sample_application, project_name="亮灯测试项目"),
                        headers=headers).json()["id"]
    body = _waiting_for_decision(stack, app_id)
    due = date.fromisoformat({s["key"]: s for s in body["steps"]}["land_review"]["due_on"])
    case_no = body["case_no"]
    reviewer = signed_in("reviewer")

    _sweep_on(due)  # the last day: yellow
    reviewer.goto("/reviews")
    expect(reviewer.locator(f"tr[data-case='{case_no}'] [data-light=yellow]")).to_have_text("黄灯")
    reviewer.screenshot(path=str(shots / "lights-yellow-queue.png"), full_page=True)

    out = _sweep_on(due + timedelta(days=7))  # a week later: red, 督办通知 issued
    assert "notices issued" in out
    reviewer.goto(f"/applications/{app_id}")
    expect(reviewer.locator("[data-step=land_review] [data-light=red]")).to_have_text("红灯")
    expect(reviewer.locator("[data-testid=documents]")).to_contain_text("督办通知")
    reviewer.click("#progress-report-button")  # on demand: the 办理进度报告 of the project, with the red step
    expect(reviewer.locator("[data-testid=documents]")).to_contain_text("办理进度报告")
    reviewer.screenshot(path=str(shots / "lights-red-case.png"), full_page=True)
    reviewer.goto("/inbox")
    expect(reviewer.locator("main")).to_contain_text("【红灯")
    expect(reviewer.locator("main")).to_contain_text(case_no)
    reviewer.screenshot(path=str(shots / "lights-red-inbox.png"), full_page=True)
