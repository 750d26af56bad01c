"""The 地块目录 pages in a real headless Chromium against the real stack (no mocks).

Covers: a supervisor creates a parcel and then edits it, adding an indicator row with the page's
script; a bad value is shown in Chinese next to its field with everything typed kept and nothing
written; a CSV with errors shows the 行/列/问题 report and imports nothing, a correct one imports;
a reviewer reads the catalogue but gets 403 on every change; the JSON read API; phone layout.
The tests create parcels of their own (numbers E2E-…) and leave the demo parcels as they are.
Screenshots go to ``/tmp/gc-shots``.
"""

import re
import uuid

import httpx
from playwright.sync_api import Page, expect

from services.demo import DEMO_PASSWORD

PHONE = {"width": 390, "height": 844}
PARCEL_HEADER = ("基地编码,宗地编号,坐落,面积,面积单位,用地性质,允许行业代码,出让起始价万元,初始运行期年,整改期限月,"
                 "违约金系数,纳入信用记录,指标代码,指标名称,单位,比较,阈值,阈值上限,考核节点")


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/applications")


def no_horizontal_scroll(page: Page) -> None:
    width, screen = page.evaluate("document.documentElement.scrollWidth"), page.viewport_size["width"]
    assert width <= screen, f"{page.url}: the page is {width}px wide on a {screen}px screen"


def api(stack, path: str, username: str = "reviewer") -> httpx.Response:
    return httpx.get(f"{stack.base_url}/api/v1{path}", headers=stack.token(username), timeout=30)


def parcel_numbers(stack) -> dict[str, int]:
    return {p["number"]: p["id"] for p in api(stack, "/parcels").json()}


def create_parcel(page: Page, number: str) -> int:
    """Fill 新增地块 (the five prefilled indicator rows get their thresholds) and save; returns the id."""
    page.goto("/catalogue")
    page.click("text=＋ 新增地块")
    page.wait_for_url("**/catalogue/parcels/new")
    page.select_option("select[name=base_code]", "YP-HE")
    page.fill("input[name=number]", number)
    page.fill("input[name=location]", "谢岗镇银瓶合作创新区测试片区E地块")
    page.fill("input[name=area]", "60")
    page.select_option("select[name=area_unit]", "mu")
    page.fill("input[name=allowed_industry_codes]", "34; 35")
    page.fill("input[name=land_price_wan]", "5100")
    thresholds = page.locator("input[name=ind_threshold]")
    highs = page.locator("input[name=ind_threshold_high]")
    for i, (low, high) in enumerate([("320", ""), ("1.2", "2.5"), ("40", "65"), ("400", ""), ("18", "")]):
        thresholds.nth(i).fill(low)
        if high:
            highs.nth(i).fill(high)
    page.click("#save-button")
    page.wait_for_url(re.compile(r"/catalogue\?saved_parcel=\d+"))
    return int(re.search(r"saved_parcel=(\d+)", page.url).group(1))


# 1 ---------------------------------------------------------------------------------------------

def test_supervisor_creates_a_parcel_then_edits_it_and_adds_an_indicator(new_page, stack, shots):
    page = new_page()
    log_in(page, "supervisor")
    page.click("nav.main-nav >> text=地块目录")
    page.wait_for_url("**/catalogue")
    expect(page.locator("h1")).to_have_text("标准地地块目录")
    expect(page.get_by_test_id("base-SSL-BIO")).to_contain_text("DG-SSL-BIO-2026-01")
    page.screenshot(path=shots / "catalogue-desktop.png", full_page=True)

    number = f"E2E-{uuid.uuid4().hex[:6].upper()}"
    parcel_id = create_parcel(page, number)
    expect(page.get_by_test_id("saved")).to_have_text(f"已保存地块 {number}。")
    row = page.locator(f"#parcel-{parcel_id}")
    expect(row).to_contain_text("40,000.00平方米")  # 60 亩 × 2000/3
    expect(row).to_contain_text("折60.00亩")
    expect(row.locator("ul.indicators")).to_contain_text("≥320万元/亩")
    detail = api(stack, f"/parcels/{parcel_id}").json()
    assert [i["code"] for i in detail["indicators"]] == [
        "investment_intensity", "floor_area_ratio", "building_coefficient", "output_per_mu", "tax_per_mu"]

    row.locator("a", has_text="编辑").click()
    page.wait_for_url(f"**/catalogue/parcels/{parcel_id}")
    rows = page.locator("#indicator-table tbody tr")
    expect(rows).to_have_count(5)  # the script drops the spare blank rows …
    page.click("#add-row")  # … and adds a row on demand …
    expect(rows).to_have_count(6)
    new_row = rows.nth(5)
    new_row.locator("select[name=ind_code]").select_option(label="研发经费支出与主营业务收入之比")  # by its name …
    expect(new_row.locator("input[name=ind_name_zh]")).to_have_value("研发经费支出与主营业务收入之比")  # … prefilled
    expect(new_row.locator("select[name=ind_comparator]")).to_have_value("ge")
    expect(new_row.locator("select[name=ind_measured_at]")).to_have_value("annual")
    new_row.locator("input[name=ind_threshold]").fill("2")
    page.fill("input[name=location]", "谢岗镇银瓶合作创新区测试片区E地块（调整）")
    page.screenshot(path=shots / "catalogue-parcel-edit-desktop.png", full_page=True)
    page.click("#save-button")
    page.wait_for_url(re.compile(rf"/catalogue\?saved_parcel={parcel_id}"))
    row = page.locator(f"#parcel-{parcel_id}")
    expect(row).to_contain_text("（调整）")
    expect(row.locator("li[data-code=rd_ratio]")).to_contain_text("≥2%")

    detail = api(stack, f"/parcels/{parcel_id}").json()
    assert detail["number"] == number and detail["base_code"] == "YP-HE"
    assert (detail["area_m2"], detail["area_mu"]) == ("40000.00", "60")
    assert detail["indicators"][-1] == {
        "code": "rd_ratio", "name_zh": "研发经费支出与主营业务收入之比", "unit": "%", "comparator": "ge",
        "threshold": "2", "threshold_high": None, "measured_at": "annual", "measured_at_zh": "每年度"}
    assert detail["indicators"][1]["threshold_high"] == "2.5"

    # without JavaScript the form offers two blank rows: fill one, clear another to remove it
    plain = new_page(java_script_enabled=False)
    log_in(plain, "supervisor")
    plain.goto(f"/catalogue/parcels/{parcel_id}")
    rows = plain.locator("#indicator-table tbody tr")
    expect(rows).to_have_count(6 + 2)
    expect(plain.locator("#add-row")).to_be_hidden()
    blank = rows.nth(6)
    blank.locator("select[name=ind_code]").select_option(label="绿地率")
    blank.locator("input[name=ind_name_zh]").fill("绿地率")
    blank.locator("input[name=ind_unit]").fill("%")
    blank.locator("select[name=ind_comparator]").select_option("le")
    blank.locator("input[name=ind_threshold]").fill("15")
    blank.locator("select[name=ind_measured_at]").select_option("completion")
    for field in ("name_zh", "unit", "threshold"):  # clear the tax_per_mu row
        rows.nth(4).locator(f"input[name=ind_{field}]").fill("")
    for field in ("code", "comparator", "measured_at"):
        rows.nth(4).locator(f"select[name=ind_{field}]").select_option("")
    plain.click("#save-button")
    plain.wait_for_url(re.compile(rf"/catalogue\?saved_parcel={parcel_id}"))
    detail = api(stack, f"/parcels/{parcel_id}").json()
    assert [i["code"] for i in detail["indicators"]] == [
        "investment_intensity", "floor_area_ratio", "building_coefficient", "output_per_mu", "rd_ratio",
        "green_ratio"]


# 2 ---------------------------------------------------------------------------------------------

def test_bad_values_are_shown_in_chinese_next_to_their_fields_and_nothing_is_written(new_page, stack, shots):
    parcel_id = parcel_numbers(stack)["DG-YP-HE-2026-03"]
    before = api(stack, f"/parcels/{parcel_id}").json()
    for viewport, name in [(None, "desktop"), (PHONE, "phone")]:
        page = new_page(viewport=viewport)
        log_in(page, "supervisor")
        page.goto(f"/catalogue/parcels/{parcel_id}")
        page.fill("input[name=area]", "-5")
        page.locator("input[name=ind_threshold]").nth(0).fill("四百")
        page.locator("select[name=ind_comparator]").nth(1).select_option("between")  # no upper bound given
        with page.expect_navigation() as navigation:
            page.click("#save-button")
        assert navigation.value.status == 422
        expect(page.locator(".alert.error")).to_contain_text("保存未成功")
        expect(page.locator("#err-area")).to_have_text("面积必须大于0")
        expect(page.locator("#field-area")).to_have_class(re.compile("has-error"))
        expect(page.locator("#err-indicators-0-threshold")).to_have_text("阈值请填写数字")
        expect(page.locator("#err-indicators-1-threshold_high")).to_have_text("比较方式为“介于”时请填写阈值上限")
        expect(page.locator("#err-location")).to_have_text("")
        # what was typed is kept, the bad values included
        expect(page.locator("input[name=area]")).to_have_value("-5")
        expect(page.locator("input[name=ind_threshold]").nth(0)).to_have_value("四百")
        expect(page.locator("input[name=number]")).to_have_value("DG-YP-HE-2026-03")
        no_horizontal_scroll(page)
        page.screenshot(path=shots / f"catalogue-parcel-errors-{name}.png", full_page=True)
    assert api(stack, f"/parcels/{parcel_id}").json() == before


# 3 ---------------------------------------------------------------------------------------------

def test_csv_with_errors_shows_the_report_and_imports_nothing_then_a_correct_file_imports(new_page, stack, shots,
                                                                                          tmp_path):
    tag = uuid.uuid4().hex[:6].upper()
    good = f"E2E-CSV-{tag}"
    common = f"YP-HE,{good},谢岗镇银瓶合作创新区导入片区,30,亩,工业用地（M1）,35;38,2550,3,12,0.5,是"
    rows = [f"{common},investment_intensity,固定资产投资强度,万元/亩,≥,300,,竣工",
            f"{common},tax_per_mu,亩均税收,万元/亩·年,≥,15,,达产"]
    bad = [*rows, f"NOWHERE,E2E-BAD-{tag},某地,10,亩,工业用地（M1）,35,,3,6,1,是,"
                  "tax_per_mu,亩均税收,万元/亩·年,≥,十五,,达产"]  # line 4: unknown base, bad number
    bad_file, good_file = tmp_path / "地块-有误.csv", tmp_path / "地块.csv"
    bad_file.write_bytes(("\r\n".join([PARCEL_HEADER, *bad]) + "\r\n").encode("gb18030"))
    good_file.write_bytes(("\r\n".join([PARCEL_HEADER, *rows]) + "\r\n").encode("utf-8-sig"))

    page = new_page()
    log_in(page, "supervisor")
    page.goto("/catalogue")
    page.click("text=CSV 批量导入")
    page.wait_for_url("**/catalogue/import")
    page.check("input[name=kind][value=parcels]")
    page.set_input_files("input[name=file]", str(bad_file))
    with page.expect_navigation() as navigation:
        page.click("#import-button")
    assert navigation.value.status == 422
    report = page.get_by_test_id("import-problems")
    expect(report).to_contain_text("未导入任何内容")
    cells = [[c.strip() for c in row] for row in
             page.evaluate("""() => Array.from(document.querySelectorAll('table.problems tbody tr'))
                                  .map((tr) => Array.from(tr.cells).map((td) => td.innerText))""")]
    assert cells == [["第4行", "基地编码", "基地编码“NOWHERE”不存在（现有：DIGITAL、EAST-IM、LS-EI、NEW-MAT、SSL-BIO、"
                                          "SX-NE、YP-HE）"],
                     ["第4行", "阈值", "阈值请填写数字"]], cells
    page.screenshot(path=shots / "catalogue-import-errors-desktop.png", full_page=True)
    assert good not in parcel_numbers(stack)  # not even the correct rows

    page.set_input_files("input[name=file]", str(good_file))
    page.click("#import-button")
    expect(page.get_by_test_id("import-result")).to_contain_text("导入成功")
    expect(page.get_by_test_id("created")).to_have_text("1")
    page.screenshot(path=shots / "catalogue-import-ok-desktop.png", full_page=True)
    parcel = api(stack, f"/parcels/{parcel_numbers(stack)[good]}").json()
    assert parcel["area_m2"] == "20000.00" and [i["code"] for i in parcel["indicators"]] == [
        "investment_intensity", "tax_per_mu"]

    page.set_viewport_size(PHONE)
    page.set_input_files("input[name=file]", str(bad_file))
    page.click("#import-button")
    expect(page.get_by_test_id("import-problems")).to_be_visible()
    no_horizontal_scroll(page)
    page.screenshot(path=shots / "catalogue-import-errors-phone.png", full_page=True)


# 4 ---------------------------------------------------------------------------------------------

def test_reviewer_reads_the_catalogue_but_may_not_change_it(new_page, stack, shots):
    page = new_page()
    log_in(page, "reviewer")
    page.click("nav.main-nav >> text=地块目录")
    page.wait_for_url("**/catalogue")
    expect(page.get_by_test_id("base-SSL-BIO")).to_contain_text("DG-SSL-BIO-2026-01")
    expect(page.locator("a", has_text="编辑")).to_have_count(0)
    expect(page.locator("text=＋ 新增地块")).to_have_count(0)
    flood = page.locator("tr[data-code=RA-SSL-BIO-FH-2021]")
    expect(flood.get_by_test_id("validity")).to_have_text("已过期")
    expect(page.locator("tr[data-code=RA-SSL-BIO-SB-2025] td[data-label=适用宗地]")).not_to_contain_text(
        "DG-SSL-BIO-2026-01")

    for path in ("/catalogue/parcels/1", "/catalogue/parcels/new", "/catalogue/assessments/1", "/catalogue/import"):
        response = page.goto(path)
        assert response.status == 403, path
        expect(page.locator("h1")).to_have_text("无权访问")
        expect(page.locator("main")).to_contain_text("只有督办管理员可以修改地块目录")

    before = api(stack, "/parcels/1").json()
    page.goto("/catalogue")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    form = {"csrf_token": token, "base_code": "SSL-BIO", "number": "DG-SSL-BIO-2026-01", "location": "改",
            "area": "1", "area_unit": "m2", "ind_code": "tax_per_mu", "ind_name_zh": "亩均税收", "ind_comparator": "ge",
            "ind_threshold": "1", "ind_measured_at": "annual"}
    response = page.context.request.post("/catalogue/parcels/1", form=form, max_redirects=0)
    assert response.status == 403
    assert api(stack, "/parcels/1").json() == before


def test_csrf_token_is_required_and_enterprises_see_no_catalogue_pages(new_page, stack):
    page = new_page()
    log_in(page, "supervisor")
    before = api(stack, "/parcels/1").json()
    response = page.context.request.post("/catalogue/parcels/1", form={"location": "改"}, max_redirects=0)
    assert response.status == 403 and "请刷新页面后重新提交" in response.text()
    assert api(stack, "/parcels/1").json() == before

    enterprise = new_page()
    log_in(enterprise, "enterprise")
    expect(enterprise.locator("nav.main-nav")).not_to_contain_text("地块目录")
    assert enterprise.goto("/catalogue").status == 403
    # the read API is open to every signed-in user, enterprises included
    listed = api(stack, "/parcels", "enterprise").json()
    first = next(p for p in listed if p["number"] == "DG-SSL-BIO-2026-01")
    assert (first["id"], first["area_m2"], first["area_mu"]) == (1, "33350.00", "50.025")
    assert httpx.get(f"{stack.base_url}/api/v1/parcels", timeout=30).status_code == 401
    assert api(stack, "/parcels/987654321").status_code == 404


def test_catalogue_list_on_a_phone(new_page, shots):
    page = new_page(viewport=PHONE)
    log_in(page, "agent")
    page.goto("/catalogue")
    expect(page.locator("#parcel-1")).to_be_visible()
    no_horizontal_scroll(page)
    page.screenshot(path=shots / "catalogue-phone.png", full_page=True)
