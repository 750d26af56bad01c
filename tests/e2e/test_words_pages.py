"""Issue 15 in a real headless Chromium against the real stack: what a new user tripped on, seen on the pages.

No raw codes (环评 explanation, rule-set names, indicator codes in the parcel editor), no doubled role and no
zero-padded date in the inbox, one 亩 figure per parcel on the form, the catalogue and the 预评估报告, and one
办结期限 per case on the case page and in the 受理通知书. The same rules are checked without a browser in
``tests/services/test_words_numbers.py``.
"""

import re
import subprocess
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from services.agency import service as agency
from services.core import clock
from services.core.db import session_scope
from services.core.formatting import format_date_zh
from services.core.users import get_by_username
from tests.e2e.pages import DATE_ZH
from tests.stack_api import decide_as_department, project_of, submit, waiting_for_decision

RAW_KEY = re.compile(r"[a-z]+(?:_[a-z0-9]+)+|\b(?:pcb|national-2021|commitment-default)\b")
PARCEL_1_MU = "50.02"  # 33,350 m² = 50.025 亩, rounded down as intake's limit allows


def _document_text(page: Page, title: str, tmp_path: Path, timeout: float = 90) -> str:
    """The PDF of the case's document ``title`` as pdftotext reads it, whitespace dropped; reloads until issued."""
    documents = page.get_by_test_id("documents")
    deadline = time.monotonic() + timeout
    while title not in documents.inner_text():
        assert time.monotonic() < deadline, f"no {title} on {page.url}"
        time.sleep(1)
        page.reload()
    with page.expect_download() as info:
        documents.locator("li", has_text=title).locator("a", has_text="PDF").click()
    pdf = tmp_path / f"{uuid.uuid4().hex}.pdf"
    info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return "".join(text.split())


def test_the_case_page_and_the_acceptance_notice_give_one_end_date(stack, enterprise_page, sample_application,
                                                                    tmp_path):
    app_id = submit(stack, dict(sample_application, project_name="办结期限一致测试项目"))
    waiting_for_decision(stack, app_id)  # the indicator evaluation finished early, the later steps moved in
    page = enterprise_page
    page.goto(f"/applications/{app_id}")
    due = page.get_by_test_id("case-due")
    expect(due).to_contain_text(DATE_ZH)
    shown = DATE_ZH.search(due.inner_text())
    assert shown is not None
    assert f"办结期限：{shown.group(0)}" in _document_text(page, "受理通知书", tmp_path)


def test_a_parcel_shows_one_mu_figure_on_the_form_the_catalogue_and_the_report(stack, enterprise_page, signed_in,
                                                                               sample_application, tmp_path):
    app_id = submit(stack, dict(sample_application, project_name="亩数一致测试项目"))
    waiting_for_decision(stack, app_id)
    decide_as_department(stack, app_id, "land_review")
    page = enterprise_page
    page.goto("/applications/new")
    on_form = re.search(r"（([\d,.]+)亩", page.locator("select[name=parcel_id] option[value='1']").inner_text())
    supervisor = signed_in("supervisor")
    supervisor.goto("/catalogue")
    in_catalogue = re.search(r"折([\d,.]+)亩", supervisor.locator("#parcel-1").inner_text())
    page.goto(f"/applications/{app_id}")
    in_report = re.search(r"折合([\d,.]+)亩", _document_text(page, "标准地预评估报告", tmp_path))
    assert on_form and in_catalogue and in_report
    assert (on_form.group(1), in_catalogue.group(1), in_report.group(1)) == (PARCEL_1_MU,) * 3


def test_the_eia_explanation_and_the_case_page_name_questions_and_rule_sets_in_chinese(stack, enterprise_page,
                                                                                       sample_application):
    app_id = submit(stack, dict(sample_application, project_name="环评措辞测试项目"))
    page = enterprise_page
    page.goto("/eia/new")
    page.select_option("select[name=project_id]", value=str(project_of(app_id)))
    page.fill("input[name=main_code]", "3983")
    page.click("button:has-text('下一步')")
    page.click("#classify-button")  # nothing answered: the explanation states each assumption
    trail = page.get_by_test_id("trail")
    expect(trail).to_contain_text("未回答“是否为半导体材料制造？”，按“否”处理")
    assert RAW_KEY.findall(trail.inner_text()) == []
    expect(page.locator("main")).to_contain_text("分类依据：《建设项目环境影响评价分类管理名录（2021年版）》")
    for key in ("semiconductor_materials", "electronic_chemicals", "pcb", "cwa_only", "acid_pickling",
                "electroplating"):
        page.check(f"[data-question={key}] input[value=no]")
    page.check("[data-question=in_industrial_building] input[value=yes]")
    page.check("[data-question=sensitive_areas] input[value=none]")
    page.check("[data-question=organic_solvents] input[value=yes]")
    page.click("#classify-button")
    page.check("input[name=route][value=commitment]")
    page.fill("input[name=scale]", "年产智能传感器500万件")
    page.check("input[name=commitment_confirmed]")
    page.click("#submit-button")
    page.wait_for_url(re.compile(r".*/applications/\d+$"))
    section = page.get_by_test_id("eia-classification")
    expect(section.get_by_test_id("eia-rule-sets")).to_have_text(
        "分类依据 《建设项目环境影响评价分类管理名录（2021年版）》 · 承诺制条件 告知承诺制适用清单（默认）第1版")
    assert RAW_KEY.findall(section.inner_text()) == []


def test_supervisors_choose_an_indicator_by_its_chinese_name(signed_in):
    page = signed_in("supervisor")
    page.goto("/catalogue/parcels/new")
    first = page.locator("#indicator-table tbody tr").first
    expect(first.locator("select[name=ind_code] option:checked")).to_have_text("固定资产投资强度")
    assert RAW_KEY.findall(page.locator("#parcel-form").inner_text()) == []


def _late_contact_mandate() -> tuple[str, date]:
    """A mandate assigned to the demo agent (“代办专员 王敏”) whose first contact, due on a day before the 10th,
    is late; the sweep tells the agent. Its number and that date."""
    today = clock.today()
    due = today.replace(day=5) if today.day > 5 else (today.replace(day=1) - timedelta(days=1)).replace(day=5)
    with session_scope() as session:
        data = agency.MandateInput(project_name=f"措辞测试项目-{uuid.uuid4().hex[:6]}", item_codes=["DB02"],
                                   valid_from=today, valid_until=today + timedelta(days=365), signed_by_name="林晓",
                                   agree=True)
        mandate, _ = agency.sign(session, get_by_username(session, "enterprise"), data, uuid.uuid4().hex)
        agency.assign(session, get_by_username(session, "supervisor"), mandate, get_by_username(session, "agent").id)
        mandate.contact_due_on = due
        session.add(mandate)
        session.flush()
        agency.remind_overdue_contacts(session, today)
        return mandate.number, due


def test_the_inbox_names_the_agent_once_and_writes_dates_without_leading_zeros(signed_in):
    number, due = _late_contact_mandate()
    page = signed_in("agent")
    page.goto("/inbox")
    message = page.get_by_test_id("inbox").locator("li.message", has_text=number).first
    expect(message.locator(".message-body")).to_contain_text(f"代办专员 王敏应于{format_date_zh(due)}前联系")
    body = message.inner_text()
    assert "代办专员代办专员" not in body and not re.search(r"月0\d日|年0\d月", body), body
    # the header names the person, then the role once (the demo name "代办专员 王敏" carries the role itself)
    expect(page.get_by_test_id("who")).to_have_text("王敏代办专员")
