"""The 标准地预评估 pages in a real headless Chromium against the real stack (no mocks).

Covers: sign-in, the application form (fill, submit, field errors, live USCC check, double and
concurrent submission), the status page with its deadlines and the 受理通知书 (PDF and DOCX downloads), the
list pages for enterprise and staff, CSRF and the phone-size layout. Screenshots go to
``/tmp/gc-shots`` for a person to look at.
"""

import re
import subprocess
import time
import uuid
from io import BytesIO

import docx
import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from services.cases.search import PAGE_SIZE
from services.demo import DEMO_PASSWORD
from tests.e2e.pages import DATE_ZH, DESKTOP, PHONE, TEXT_FIELDS, fill_form, log_in, no_horizontal_scroll

CASE_NO = re.compile(r"GC-\d{4}-\d{6}")
ENTERPRISE_NAME = "东莞松湖智造科技有限公司"


def form_values(page: Page) -> dict[str, str]:
    return page.evaluate("Object.fromEntries(new FormData(document.getElementById('application-form')))")


def wait_for_acceptance_notice(page: Page, timeout: float = 60) -> None:
    """The status page reloads itself until the 受理通知书 is issued; reload too in case it stopped."""
    deadline = time.monotonic() + timeout
    documents = page.get_by_test_id("documents")
    while time.monotonic() < deadline:
        try:
            expect(documents).to_contain_text("受理通知书", timeout=5000)
            return
        except AssertionError:
            try:
                page.reload()
            except PlaywrightError:  # the page's own reload got there first
                page.wait_for_load_state()
    expect(documents).to_contain_text("受理通知书", timeout=1000)


# 1 ---------------------------------------------------------------------------------------------

def test_enterprise_submits_and_downloads_acceptance_notice(enterprise_page, sample_application,
                                                           application_ids, shots, tmp_path):
    page = enterprise_page
    before = application_ids()
    fill_form(page, sample_application)
    expect(page.locator("#due-preview")).to_have_text(DATE_ZH)  # the live deadline preview
    page.screenshot(path=shots / "form-desktop.png", full_page=True)
    page.click("#submit-button")
    page.wait_for_url(re.compile(r"/applications/\d+$"))

    new = application_ids() - before
    assert len(new) == 1
    assert page.url.endswith(f"/applications/{new.pop()}")
    case_no = page.locator(".case-no").inner_text().strip()
    assert CASE_NO.fullmatch(case_no), case_no
    expect(page.locator("h1")).to_contain_text("标准地")
    expect(page.locator("dl.facts")).to_contain_text(sample_application["project_name"])

    steps = page.get_by_test_id("steps")
    expect(steps.locator("li").first).to_be_visible()
    assert steps.locator("li").count() >= 3
    deadlines = steps.locator(".due").all_inner_texts()
    assert deadlines, "no 办结期限 shown"
    for text in deadlines:
        assert re.search(r"办结期限\s*" + DATE_ZH.pattern, text), text

    wait_for_acceptance_notice(page)
    expect(page.get_by_test_id("status")).to_have_text("已受理，审查中")
    expect(page.locator("dl.facts div", has_text="受理时间").locator("dd")).to_have_text(
        re.compile(DATE_ZH.pattern + r"\d{1,2}时\d{2}分"))
    expect(steps.locator("li[data-step=submission] .badge")).to_have_text("已完成")
    expect(page.get_by_test_id("no-documents")).to_have_count(0)
    page.screenshot(path=shots / "status-desktop.png", full_page=True)
    notice = page.get_by_test_id("documents").locator("li", has_text="受理通知书")

    with page.expect_download() as info:
        notice.locator("a", has_text="PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = tmp_path / "notice.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    embedded = [line for line in fonts.splitlines() if "FandolFang" in line]
    assert embedded, fonts
    assert any(line.split()[-5] == "yes" for line in embedded), fonts  # columns: … emb sub uni object ID
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "受理通知书" in re.sub(r"\s+", "", text)
    assert case_no in text

    href = notice.locator("a", has_text="Word").get_attribute("href")
    response = page.context.request.get(href)  # the page's cookies
    assert response.ok
    assert "wordprocessingml" in response.headers["content-type"]
    document = docx.Document(BytesIO(response.body()))
    body = "\n".join(p.text for p in document.paragraphs)
    body += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "受理通知书" in re.sub(r"\s+", "", body)


# 2 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "bad_value", "message"), [
    ("uscc", "91441900MA4UJ2K31Y", "校验码"),
    ("land_area_mu", "-5", "用地面积"),
    ("project_name", "", "请填写项目名称"),
], ids=["uscc-check-digit", "negative-area", "missing-project-name"])
def test_bad_input_is_shown_next_to_its_field(enterprise_page, sample_application, application_ids, shots,
                                              field, bad_value, message):
    page = enterprise_page
    values = dict(sample_application, **{field: bad_value})
    before = application_ids()
    fill_form(page, values)
    page.click("#submit-button")
    page.wait_for_load_state()
    expect(page.locator(f"#err-{field}")).to_contain_text(message)
    error = page.locator(f"#err-{field}").inner_text()
    assert re.search(r"[\u4e00-\u9fff]", error), error
    expect(page.locator(f"#field-{field}")).to_have_class(re.compile("has-error"))
    expect(page.locator(".alert.error")).to_contain_text("提交未成功")
    assert page.url.endswith("/applications/new")
    for name in TEXT_FIELDS:  # what was typed is kept, the bad value included
        expect(page.locator(f"#application-form [name={name}]")).to_have_value(str(values[name]))
        if name != field:
            expect(page.locator(f"#err-{name}")).to_have_text("")
    expect(page.locator("select[name=parcel_id]")).to_have_value(str(values["parcel_id"]))
    assert application_ids() == before
    if field == "land_area_mu":
        page.screenshot(path=shots / "form-errors-desktop.png", full_page=True)


# 3 ---------------------------------------------------------------------------------------------

def test_live_uscc_check_normalises_and_explains(enterprise_page, sample_application, application_ids):
    page = enterprise_page
    before = application_ids()
    fill_form(page, sample_application)
    uscc = page.locator("#application-form [name=uscc]")

    uscc.fill("9144 1900 ma4u j2k3 17")
    uscc.blur()
    expect(uscc).to_have_value("91441900MA4UJ2K317")
    expect(page.locator("#err-uscc")).to_have_text("")

    uscc.fill("91441900MA4UJ2K31Y")
    uscc.blur()
    expect(page.locator("#err-uscc")).to_contain_text("校验码错误")
    expect(page.locator("#field-uscc")).to_have_class(re.compile("has-error"))
    expect(uscc).to_have_value("91441900MA4UJ2K31Y")
    assert page.url.endswith("/applications/new")

    uscc.fill("91441900MA4UJ2K317")  # corrected: the message goes away
    uscc.blur()
    expect(page.locator("#err-uscc")).to_have_text("")
    assert application_ids() == before


# 4 ---------------------------------------------------------------------------------------------

def test_double_submission_creates_one_application(enterprise_page, sample_application, application_ids):
    page = enterprise_page
    before = application_ids()
    fill_form(page, dict(sample_application, project_name="双击提交测试项目"))
    posted = form_values(page)
    assert posted["csrf_token"] and posted["idempotency_key"]
    page.dblclick("#submit-button")
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    status_url = page.url

    new = application_ids() - before
    assert len(new) == 1, new

    # The same form posted again (a browser retry, the back button): the same application, no new row.
    response = page.context.request.post("/applications/new", form=posted)
    assert response.ok
    assert response.url == status_url
    assert application_ids() - before == new


def test_concurrent_posts_of_one_form_create_one_application(enterprise_page, sample_application,
                                                             application_ids):
    """Chromium itself sends one POST on a double click; here the same form goes three times at once."""
    page = enterprise_page
    before = application_ids()
    fill_form(page, dict(sample_application, project_name="并发提交测试项目"))
    results = page.evaluate("""async () => {
        const body = new URLSearchParams(new FormData(document.getElementById("application-form")));
        const send = () => fetch("/applications/new", {method: "POST", body: body});
        const responses = await Promise.all([send(), send(), send()]);
        return responses.map((r) => [r.status, new URL(r.url).pathname]);
    }""")
    new = application_ids() - before
    assert len(new) == 1, (new, results)
    assert results == [[200, f"/applications/{new.pop()}"]] * 3, results


# 5 ---------------------------------------------------------------------------------------------

def test_staff_list_shows_every_application_with_deadline_and_flow_run(new_page, stack, sample_application,
                                                                       shots):
    headers = dict(stack.token("enterprise"), **{"Idempotency-Key": str(uuid.uuid4())})
    created = httpx.post(f"{stack.base_url}/api/v1/applications", json=sample_application, headers=headers,
                         timeout=60)
    assert created.status_code == 201, created.text
    case_no = created.json()["case_no"]
    # the flow run records itself on the application when it starts (until then the list says 待启动)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not httpx.get(
            f"{stack.base_url}/api/v1/applications/{created.json()['id']}", headers=headers,
            timeout=30).json()["flow_run_id"]:
        time.sleep(0.3)

    page = new_page()
    log_in(page, "supervisor")
    expect(page.locator("h1")).to_have_text("申请总览")
    table = page.get_by_test_id("applications")
    headings = table.locator("thead th").all_inner_texts()
    assert {"案件编号", "申请企业", "状态", "办结期限", "流程运行"} <= set(headings), headings
    row = table.locator("tbody tr", has_text=case_no)
    expect(row).to_have_count(1)
    expect(row.locator("td[data-label=申请企业]")).to_have_text(ENTERPRISE_NAME)
    expect(row.locator("td[data-label=状态] .badge")).not_to_be_empty()
    expect(row.locator("td[data-label=办结期限]")).to_have_text(DATE_ZH)
    link = row.locator("td[data-label=流程运行] a")
    expect(link).to_have_attribute("href", re.compile(r"/applications/\d+#runs$"))  # the runs in Chinese
    page.screenshot(path=shots / "staff-list-desktop.png", full_page=True)

    row.locator("td[data-label=案件编号] a").click()
    expect(page.locator(".case-no")).to_have_text(case_no)
    expect(page.get_by_test_id("prefect-link")).to_have_attribute("href", re.compile(r"/runs/flow-run/[0-9a-f-]{36}$"))

    for size, name in [(PHONE, "phone"), ({"width": 768, "height": 1024}, "tablet")]:
        page.set_viewport_size(size)
        page.goto("/applications")
        no_horizontal_scroll(page)
        page.screenshot(path=shots / f"staff-list-{name}.png", full_page=True)


def test_enterprise_sees_only_its_own_applications(enterprise_page, stack, sample_application):
    page = enterprise_page
    headers = stack.token("enterprise")
    own = httpx.get(f"{stack.base_url}/api/v1/applications", headers=headers, timeout=30).json()
    if not own:  # run alone: make one so there is a list to look at
        created = httpx.post(f"{stack.base_url}/api/v1/applications", json=sample_application,
                             headers=headers, timeout=60)
        assert created.status_code == 201, created.text
        own = httpx.get(f"{stack.base_url}/api/v1/applications", headers=headers, timeout=30).json()
    assert {row["enterprise_name"] for row in own} == {ENTERPRISE_NAME}
    page.goto("/applications")
    expect(page.locator("h1")).to_have_text("我的申请")
    table = page.get_by_test_id("applications")
    headings = table.locator("thead th").all_inner_texts()
    assert "流程运行" not in headings and "申请企业" not in headings, headings
    expect(table.locator("td[data-label=流程运行]")).to_have_count(0)
    expect(table.locator("a[href*='/runs/flow-run/']")).to_have_count(0)
    shown = set(table.locator("td[data-label=案件编号]").all_inner_texts())
    assert shown == {row["case_no"] for row in own[:PAGE_SIZE]}  # the newest page of them (the API: 200 a page)
    page.click(f"text={own[0]['case_no']}")
    expect(page.locator(".case-no")).to_have_text(own[0]["case_no"])
    expect(page.locator("dl.facts")).to_contain_text(ENTERPRISE_NAME)
    expect(page.locator("dl.facts")).not_to_contain_text("流程运行")
    expect(page.locator("a[href*='/runs/flow-run/']")).to_have_count(0)
    expect(page.locator("nav.main-nav")).not_to_contain_text("Prefect")

    response = page.goto("/applications/987654321")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    expect(page.locator("main")).to_contain_text("未找到该申请，或您无权查看")
    response = page.goto("/documents/987654321.pdf")
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("未找到该文书")


def test_pages_require_sign_in_and_return_after_it(new_page):
    page = new_page()
    page.goto("/applications/new")
    assert "/login?next=" in page.url
    expect(page.locator("h1")).to_have_text("用户登录")
    page.fill("input[name=username]", "enterprise")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/applications/new")
    expect(page.locator("h1")).to_have_text("标准地预评估申请")


# 6 ---------------------------------------------------------------------------------------------

def test_post_without_csrf_token_is_refused(enterprise_page, sample_application, application_ids):
    page = enterprise_page
    before = application_ids()
    form = {k: str(v) for k, v in sample_application.items()}
    form["idempotency_key"] = str(uuid.uuid4())
    response = page.context.request.post("/applications/new", form=form, max_redirects=0)
    assert response.status == 403
    assert "请刷新页面后重新提交" in response.text()
    wrong = page.context.request.post("/applications/new", form=dict(form, csrf_token="forged"),
                                      max_redirects=0)
    assert wrong.status == 403
    assert application_ids() == before


def test_wrong_password_is_refused(new_page):
    page = new_page()
    page.goto("/login")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", "not-the-password")
    page.click("button:has-text('登录')")
    expect(page.locator(".alert.error")).to_have_text("用户名或密码错误")
    assert page.url.endswith("/login")
    expect(page.locator("input[name=username]")).to_have_value("supervisor")
    expect(page.locator("input[name=password]")).to_have_value("")
    log_in(page, "supervisor")  # the right password still works (and clears the failure)


# 7 ---------------------------------------------------------------------------------------------

def test_phone_layout_has_no_horizontal_scrolling(new_page, sample_application, shots):
    page = new_page(viewport=PHONE)
    log_in(page, "enterprise")
    page.goto("/applications/new")
    expect(page.locator("#due-preview")).to_have_text(DATE_ZH)
    no_horizontal_scroll(page)
    page.screenshot(path=shots / "form-phone.png", full_page=True)

    fill_form(page, dict(sample_application, uscc="91441900MA4UJ2K31Y", land_area_mu="-5", project_name=""))
    page.click("#submit-button")
    expect(page.locator("#err-land_area_mu")).not_to_be_empty()
    no_horizontal_scroll(page)
    page.screenshot(path=shots / "form-errors-phone.png", full_page=True)

    fill_form(page, sample_application)
    page.click("#submit-button")
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    wait_for_acceptance_notice(page)
    no_horizontal_scroll(page)
    page.screenshot(path=shots / "status-phone.png", full_page=True)

    page.goto("/applications")
    no_horizontal_scroll(page)
    page.screenshot(path=shots / "list-phone.png", full_page=True)
    page.goto("/applications/987654321")
    no_horizontal_scroll(page)
    page.screenshot(path=shots / "not-found-phone.png", full_page=True)
    page.context.clear_cookies()
    page.goto("/login")
    no_horizontal_scroll(page)
    page.screenshot(path=shots / "login-phone.png", full_page=True)


def test_desktop_layout_has_no_horizontal_scrolling(new_page):
    page = new_page(viewport=DESKTOP)
    log_in(page, "agent")
    no_horizontal_scroll(page)
