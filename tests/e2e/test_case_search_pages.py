"""Finding cases on 申请总览 as a person does: words and filters in the form, the count, the 台账 download
(an Excel workbook of exactly what the page found), a filter typed wrong in the address named in Chinese, and
the same search through the API with its total in ``X-Total-Count``."""

import uuid
from io import BytesIO

import httpx
from openpyxl import load_workbook
from playwright.sync_api import expect

from services.core.db import session_scope
from tests.e2e.pages import PHONE, log_in, no_horizontal_scroll
from tests.factories import submitted_case


def test_a_supervisor_finds_a_case_by_its_project_and_downloads_the_ledger_of_what_it_found(signed_in, stack,
                                                                                             new_page):
    tag = uuid.uuid4().hex[:8]
    with session_scope() as session:
        case_no = submitted_case(session, project_name=f"台账查找项目{tag}").case_no
    page = signed_in("supervisor")
    page.goto("/applications")
    page.get_by_test_id("search-words").fill(f"台账查找项目{tag}")
    page.select_option("select[name=process]", "standard_land")
    page.get_by_test_id("search-cases").click()
    expect(page.get_by_test_id("cases-count")).to_have_text("共1件")
    rows = page.get_by_test_id("applications").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case_no)
    with page.expect_download() as info:
        page.get_by_test_id("ledger-xlsx").click()
    assert info.value.suggested_filename.startswith("案件台账-") and info.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(BytesIO(info.value.path().read_bytes()))
    listed = [row[0] for row in book["案件台账"].iter_rows(min_row=2, values_only=True)]
    assert listed == [case_no]
    page.select_option("select[name=process]", "eia")  # the same words in another process: nothing
    page.get_by_test_id("search-cases").click()
    expect(page.locator(".empty")).to_contain_text("没有符合条件的案件")

    response = page.goto("/applications?light=blue&since=2026-02-30")
    assert response.status == 422
    expect(page.locator("main")).to_contain_text("亮灯只能是")
    expect(page.locator("main")).to_contain_text("提交日期（起）请按“年-月-日”填写")
    phone = new_page(viewport=PHONE)
    log_in(phone, "supervisor")
    phone.goto(f"/applications?q=台账查找项目{tag}")
    expect(phone.get_by_test_id("cases-count")).to_have_text("共1件")
    no_horizontal_scroll(phone)

    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        found = client.get("/api/v1/applications", params={"q": case_no}, headers=stack.token("supervisor"))
        assert found.status_code == 200 and found.headers["X-Total-Count"] == "1"
        assert [row["case_no"] for row in found.json()] == [case_no]
        hidden = client.get("/api/v1/applications", params={"q": case_no}, headers=stack.token("eia_reviewer"))
        assert hidden.json() == [] and hidden.headers["X-Total-Count"] == "0"  # not a 生态环境局 case
        bad = client.get("/api/v1/applications", params={"status": "done"}, headers=stack.token("supervisor"))
        assert bad.status_code == 422 and "状态只能是" in bad.json()["errors"]["status"]
