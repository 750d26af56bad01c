"""标准地信息公开 in a real headless Chromium against the real stack, at desktop and phone widths.

A person without an account opens the platform, finds a parcel on the map (no tiles configured: the
outlines are drawn on a plain background), opens it from the map's popup, checks a project against it
(a wrong figure first, named next to its field), sees pass / 临界 / fail with the arithmetic, and goes on to
apply: the sign-in page brings the enterprise back to the application form prefilled with the parcel
and the figures. A supervisor uploads outlines as GeoJSON (a wrong file imports nothing) and the new
parcel appears on the public map. Screenshots go to ``/tmp/gc-shots``.
"""

import json
import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import PHONE, log_in, no_horizontal_scroll
from tests.samples import DEMO_PASSWORD

PLAN = {"investment_intensity": "600", "output_per_mu": "825", "tax_per_mu": "36", "floor_area_ratio": "2.5",
        "building_coefficient": "47.5", "office_share": "3.5", "rd_ratio": "4.5"}


def _open_parcel_from_the_map(page: Page, number: str) -> None:
    """The whole park is in view at first, each parcel a few pixels with a marker: the person has the list row's
    在图上定位 bring the parcel into view, clicks its outline on the map, reads the popup and follows its link."""
    page.goto("/parcels")
    expect(page.locator("#parcel-map[data-ready=true]")).to_be_visible()
    expect(page.locator("path.parcel-marker")).not_to_have_count(0)
    page.locator(f"tr[data-number='{number}'] button.locate").click()
    expect(page.locator("path.parcel-marker")).to_have_count(0)  # zoomed in: outlines only
    page.locator(".leaflet-popup-close-button").click()
    page.locator(f"path.parcel-outline[data-number='{number}']").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(number)
    expect(popup).to_contain_text("固定资产投资强度")
    popup.get_by_role("link", name="查看详情与项目自检").click()
    expect(page.locator("h1")).to_contain_text(number)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_visitor_finds_a_parcel_on_the_map_checks_a_project_and_goes_on_to_apply(new_page, shots, viewport):
    page = new_page(viewport=viewport)
    page.goto("/login")
    page.get_by_test_id("public-parcels-link").click()
    expect(page.locator("h1")).to_have_text("标准地信息公开")
    expect(page.locator("[data-testid=public-parcels] tbody tr")).not_to_have_count(0)
    expect(page.locator("#parcel-map")).to_have_class(re.compile(r"\bno-tiles\b"))  # no tile source in the tests
    expect(page.get_by_role("button", name="放大")).to_be_visible()
    no_horizontal_scroll(page)
    page.screenshot(path=str(shots / f"public-parcels-{'phone' if viewport else 'desktop'}.png"), full_page=True)

    _open_parcel_from_the_map(page, "DG-SSL-BIO-2026-01")
    expect(page.get_by_test_id("parcel-status")).to_have_text("挂牌中（可申请）")
    expect(page.locator("[data-testid=public-indicators] tbody tr")).to_have_count(7)
    expect(page.locator("path.parcel-outline")).to_have_count(1)  # its own outline on the small map

    page.fill("input[name=industry_code]", "3983")
    for code, value in PLAN.items():
        page.fill(f"input[name=ind_{code}]", value)
    page.fill("input[name=ind_floor_area_ratio]", "二点五")  # a slip first
    page.click("#check-button")
    expect(page.locator("#field-ind_floor_area_ratio .error-text")).to_have_text("容积率：请填写数字，如 12.5")
    expect(page.locator("input[name=ind_tax_per_mu]")).to_have_value("36")  # what was typed is kept
    page.fill("input[name=ind_floor_area_ratio]", "2.5")
    page.click("#check-button")
    result = page.get_by_test_id("check-result")
    expect(page.get_by_test_id("check-proposal")).to_have_text("建议有条件通过（存在临界指标）")
    expect(result.locator("tr[data-code=tax_per_mu]")).to_contain_text("临界（有风险）")
    expect(result.locator("tr[data-code=tax_per_mu]")).to_contain_text("36")
    expect(result.locator("tr[data-code=investment_intensity]")).to_contain_text("符合")
    no_horizontal_scroll(page)
    page.screenshot(path=str(shots / f"project-check-{'phone' if viewport else 'desktop'}.png"), full_page=True)

    page.get_by_test_id("apply-link").click()
    page.wait_for_url(re.compile(r"/login\?next=/applications/new%3Fparcel_id%3D"))
    page.fill("input[name=username]", "enterprise")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(re.compile(r"/applications/new\?parcel_id="))
    expect(page.locator("select[name=parcel_id] option:checked")).to_contain_text("DG-SSL-BIO-2026-01")
    expect(page.locator("input[name=industry_code]")).to_have_value("3983")
    group = page.locator(".indicator-group:not([hidden])")
    expect(group.locator("input[name$=_tax_per_mu]")).to_have_value("36")
    expect(group.locator("input[name$=_floor_area_ratio]")).to_have_value("2.5")
    expect(page.locator("input[name=enterprise_name]")).not_to_be_empty()  # the account's own details too
    # the totals agree with the per-亩 values checked (× the parcel's 亩), so the form is not refused for them
    expect(page.locator("input[name=land_area_mu]")).not_to_be_empty()
    area = Decimal(page.locator("input[name=land_area_mu]").input_value())
    expect(page.locator("input[name=expected_annual_tax_wan]")).to_have_value(
        f"{(36 * area).quantize(Decimal('0.01')).normalize():f}")


def test_a_supervisor_uploads_outlines_and_the_parcel_appears_on_the_public_map(new_page, shots, tmp_path):
    number = f"E2E-MAP-{uuid.uuid4().hex[:6].upper()}"
    page = new_page()
    log_in(page, "supervisor")
    page.goto("/catalogue/parcels/new")
    page.select_option("select[name=base_code]", "EAST-IM")
    page.fill("input[name=number]", number)
    page.fill("input[name=location]", "东部工业园测试片区地图地块")
    page.fill("input[name=area]", "40")
    page.select_option("select[name=area_unit]", "mu")
    for i, (low, high) in enumerate([("320", ""), ("1.2", "2.5"), ("40", "65"), ("400", ""), ("18", "")]):
        page.locator("input[name=ind_threshold]").nth(i).fill(low)
        if high:
            page.locator("input[name=ind_threshold_high]").nth(i).fill(high)
    page.fill("textarea[name=outline]", '{"type": "Polygon", "coordinates": [[[22.98, 114.01]]]}')
    page.click("#save-button")
    expect(page.locator("#field-outline .error-text")).to_contain_text("宗地范围")
    page.fill("textarea[name=outline]", "")
    page.click("#save-button")
    page.wait_for_url("**/catalogue?saved_parcel=*")

    ring = [[114.01, 22.98], [114.013, 22.98], [114.013, 22.982], [114.01, 22.982], [114.01, 22.98]]
    wrong = tmp_path / "wrong.geojson"
    wrong.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"number": number}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {"number": "NO-SUCH-9"}, "geometry": {"type": "Polygon",
                                                                                "coordinates": [ring]}}]}))
    page.goto("/catalogue/import")
    page.set_input_files("#outline-form input[type=file]", str(wrong))
    page.click("#outline-button")
    expect(page.get_by_test_id("outline-error")).to_contain_text("宗地编号 NO-SUCH-9 不在地块目录中")
    expect(page.get_by_test_id("outline-error")).to_contain_text("未导入任何宗地范围")

    right = tmp_path / "right.geojson"
    right.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"宗地编号": number},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}, ensure_ascii=False))
    page.set_input_files("#outline-form input[type=file]", str(right))
    page.click("#outline-button")
    expect(page.get_by_test_id("outline-result")).to_contain_text("更新 1 宗")
    page.screenshot(path=str(shots / "outline-import.png"), full_page=True)

    visitor = new_page()
    visitor.goto("/parcels")
    expect(visitor.locator(f"path.parcel-outline[data-number='{number}']")).to_have_count(1)
    _open_parcel_from_the_map(visitor, number)
    expect(visitor.locator("path.parcel-outline")).to_have_count(1)
