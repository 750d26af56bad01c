"""督办, closed loop, as the people concerned do it in the browser: the department's reviewer answers a 督办通知 in
writing from the case page (a form sent empty first, then double-clicked), the supervisor rejects the reply with a
reason, the reviewer answers again and the supervisor accepts; the enterprise sees none of it. Desktop and phone."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from services.core import clock
from services.core.db import session_scope
from services.core.ids import stored_id
from services.models import EscalationReply
from tests import factories
from tests.e2e.pages import log_in, no_horizontal_scroll

PHONE = {"width": 390, "height": 844}


def _replies(escalation_id: int) -> list[tuple[int, str]]:
    with session_scope() as session:
        return [(r.round, r.verdict) for r in session.exec(select(EscalationReply).where(
            EscalationReply.escalation_id == escalation_id).order_by(EscalationReply.round))]


def _reply(page, reason: str, measures: str, promised_on: str, *, twice: bool = False) -> None:
    page.fill("textarea[name=reason]", reason)
    page.fill("textarea[name=measures]", measures)
    page.fill("input[name=promised_on]", promised_on)
    if twice:
        page.dblclick("#reply-form button[type=submit]")
    else:
        page.click("#reply-form button[type=submit]")
    expect(page.get_by_test_id("done")).to_contain_text("书面回复已提交")


def test_the_department_replies_the_supervisor_rejects_then_accepts(signed_in, new_page, stack, shots):
    with session_scope() as session:
        case, escalation = factories.escalated_case(session)
        case_id, escalation_id, case_no = stored_id(case), stored_id(escalation), case.case_no
    url = f"/applications/{case_id}/escalations/{escalation_id}"
    promised = (clock.today() + timedelta(days=10)).isoformat()

    reviewer = signed_in("reviewer")
    reviewer.goto(f"/applications/{case_id}")
    row = reviewer.locator(f"#escalations tr[data-escalation='{escalation_id}']")
    expect(row).to_have_attribute("data-state", "reply")
    expect(row).to_contain_text("待部门书面回复")
    row.get_by_role("link", name="书面回复").click()
    reviewer.wait_for_url(f"**{url}")
    expect(reviewer.get_by_test_id("escalation-state")).to_have_text("待部门书面回复")

    with reviewer.expect_navigation() as refused:  # sent empty: every field named, in Chinese, nothing stored
        reviewer.click("#reply-form button[type=submit]")
    assert refused.value.status == 422
    summary = reviewer.get_by_test_id("error-summary")
    expect(summary).to_contain_text("共有3处")
    expect(reviewer.locator("#field-reason .error-text")).to_have_text("请填写超期原因")
    expect(reviewer.locator("#field-measures .error-text")).to_have_text("请填写已采取的措施")
    expect(reviewer.locator("#field-promised_on .error-text")).to_contain_text("预计办结日期")
    reviewer.screenshot(path=str(shots / "escalation-reply-errors.png"), full_page=True)
    assert _replies(escalation_id) == []

    _reply(reviewer, "规划条件核实需征求住建部门意见", "已召开联席会议，明确由自然资源局牵头", promised, twice=True)
    assert _replies(escalation_id) == [(1, "pending")], "one reply, however often the button was clicked"
    expect(reviewer.get_by_test_id("escalation-state")).to_have_text("回复待审核")
    expect(reviewer.locator("#reply-form")).to_have_count(0)

    supervisor = signed_in("supervisor")
    supervisor.goto(f"/applications/{case_id}")
    supervisor.locator(f"#escalations tr[data-escalation='{escalation_id}']").get_by_role("link",
                                                                                        name="审核回复").click()
    supervisor.wait_for_url(f"**{url}")
    supervisor.check("input[name=verdict][value=reject]")
    with supervisor.expect_navigation() as no_reason:
        supervisor.click("#verdict-form button[type=submit]")
    assert no_reason.value.status == 422
    expect(supervisor.locator("#field-verdict_reason .error-text")).to_have_text(
        "不予接受时请写明理由，部门将据此重新回复")
    supervisor.fill("textarea[name=verdict_reason]", "未说明联席会议的结论和办结安排")
    supervisor.click("#verdict-form button[type=submit]")
    expect(supervisor.get_by_test_id("done")).to_contain_text("审核结论已记录")
    expect(supervisor.get_by_test_id("escalation-state")).to_have_text("待部门书面回复")
    assert _replies(escalation_id) == [(1, "rejected")]

    reviewer.goto(url)
    first = reviewer.locator("li[data-round='1']")
    expect(first).to_have_attribute("data-verdict", "rejected")
    expect(first).to_contain_text("未说明联席会议的结论和办结安排")
    _reply(reviewer, "规划条件核实需征求住建部门意见", "联席会议已明确规划条件，本周出具审查意见", promised)

    supervisor.goto(url)
    supervisor.check("input[name=verdict][value=accept]")
    supervisor.click("#verdict-form button[type=submit]")
    expect(supervisor.get_by_test_id("escalation-state")).to_have_text("回复已接受")
    assert _replies(escalation_id) == [(1, "rejected"), (2, "accepted")]
    supervisor.screenshot(path=str(shots / "escalation-closed.png"), full_page=True)
    supervisor.goto(f"/applications/{case_id}")
    expect(supervisor.locator(f"#escalations tr[data-escalation='{escalation_id}']")).to_contain_text("回复已接受")

    reviewer.goto("/inbox")
    expect(reviewer.locator("main")).to_contain_text(re.compile(f"【督办回复未接受】{case_no}"))

    enterprise = signed_in("enterprise")  # the applicant follows its case, not the departments' 督办
    enterprise.goto(f"/applications/{case_id}")
    expect(enterprise.locator("#escalations")).to_have_count(0)
    assert enterprise.goto(url).status == 403

    phone = new_page(viewport=PHONE)
    log_in(phone, "reviewer")
    phone.goto(url)
    no_horizontal_scroll(phone)
    phone.screenshot(path=str(shots / "escalation-phone.png"), full_page=True)
