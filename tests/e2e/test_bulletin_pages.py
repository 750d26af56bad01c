"""部门月度通报 from 统计分析, as a supervisor does it: a month typed wrong or not yet over is named beside its field,
a department's bulletin for last month is issued once (asking again opens the same), and its PDF (CJK font
embedded, the figures in the text) and Word file (LibreOffice opens it) download; a reviewer gets 403."""

import httpx
from playwright.sync_api import expect

from services.supervision import bulletin
from tests.document_files import convert_with_libreoffice, needs_soffice, pdftotext, run


@needs_soffice
def test_a_supervisor_issues_a_departments_bulletin_once_and_downloads_both_files(signed_in, stack, tmp_path):
    page = signed_in("supervisor")
    page.goto("/statistics")
    form = page.get_by_test_id("bulletin-form")
    form.locator("[name=month]").fill("2026/11")
    form.get_by_test_id("issue-bulletin").click()
    expect(form.locator(".has-error .error-text")).to_have_text("月份请按“年-月”填写，例如 2026-11")
    form = page.get_by_test_id("bulletin-form")
    form.locator("[name=month]").fill("2099-01")
    form.get_by_test_id("issue-bulletin").click()
    expect(page.get_by_test_id("bulletin-form").locator(".has-error .error-text")).to_have_text(
        "只能通报已经结束的月份")

    month = f"{bulletin.last_month():%Y-%m}"
    rows = page.get_by_test_id("bulletin-row").filter(has_text="生态环境局")
    before = rows.count()
    for _ in range(2):  # asked twice: one bulletin
        form = page.get_by_test_id("bulletin-form")
        form.locator("[name=department]").select_option("生态环境局")
        form.locator("[name=month]").fill(month)
        form.get_by_test_id("issue-bulletin").click()
        page.wait_for_url("**/statistics#bulletin-*")
    expect(rows).to_have_count(max(before, 1))
    with page.expect_download() as pdf_info:
        rows.first.locator("a:has-text('PDF')").click()
    pdf = tmp_path / "bulletin.pdf"
    pdf_info.value.save_as(pdf)
    assert "CID" in run("pdffonts", pdf) and "FandolFang" in run("pdffonts", pdf)
    text = "".join(pdftotext(pdf).split())
    assert "部门办理情况月度通报" in text and "生态环境局" in text and "按时办结率" in text
    with page.expect_download() as docx_info:
        rows.first.locator("a:has-text('Word')").click()
    docx = tmp_path / "bulletin.docx"
    docx_info.value.save_as(docx)
    converted = convert_with_libreoffice([docx], tmp_path) / "bulletin.pdf"
    assert "部门办理情况月度通报" in "".join(pdftotext(converted).split())

    with httpx.Client(base_url=stack.base_url, timeout=30) as anonymous:
        assert anonymous.get(rows.first.locator("a:has-text('PDF')").get_attribute("href") or "").status_code == 303
    reviewer = signed_in("reviewer")
    assert reviewer.goto("/statistics").status == 403
    href = rows.first.locator("a:has-text('PDF')").get_attribute("href") or ""
    assert reviewer.goto(href).status == 404  # not its document
