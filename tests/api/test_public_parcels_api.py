"""The public 标准地 platform on the running stack: pages and GeoJSON without signing in, 项目自检 refusing bad
figures in Chinese (422) and answering good ones, outlines written through the catalogue API, and the
prefilled application form behind the sign-in page."""

import re
import uuid
from urllib.parse import parse_qs, unquote, urlparse

import httpx

from tests.factories import demo_parcel_id
from tests.samples import DEMO_PASSWORD

SQUARE = {"type": "Polygon", "coordinates": [[[113.95, 22.95], [113.952, 22.95], [113.952, 22.952], [113.95, 22.952],
                                               [113.95, 22.95]]]}
BODY = {"base_code": "SSL-BIO", "location": "松山湖园区科技九路以北（公开测试）", "area_unit": "亩", "area": "30",
        "indicators": [{"code": "investment_intensity", "name_zh": "固定资产投资强度", "unit": "万元/亩",
                        "comparator": "≥", "threshold": "400", "measured_at": "completion"}]}


def test_anyone_reads_the_parcels_and_their_outlines_without_signing_in(stack):
    with httpx.Client(base_url=stack.base_url, timeout=30, follow_redirects=False) as anonymous:
        listing = anonymous.get("/parcels")
        assert listing.status_code == 200 and "DG-SSL-BIO-2026-01" in listing.text and "挂牌中" in listing.text
        assert "出让起始价" not in listing.text  # prices and liability terms stay with staff
        geo = anonymous.get("/api/v1/public/parcels")
        assert geo.status_code == 200 and geo.json()["type"] == "FeatureCollection"
        numbers = {f["properties"]["number"] for f in geo.json()["features"]}
        assert {"DG-SSL-BIO-2026-01", "DG-YP-HE-2026-03"} <= numbers  # the demo parcels come with outlines
        feature = next(f for f in geo.json()["features"] if f["properties"]["number"] == "DG-SSL-BIO-2026-01")
        assert feature["geometry"]["type"] == "Polygon" and feature["properties"]["url"] == f"/parcels/{feature['id']}"
        assert anonymous.get("/api/v1/public/parcels", params={"status": "nonsense"}).status_code == 422
        assert anonymous.get("/api/v1/parcels").status_code == 401  # the full catalogue still needs an account
        detail = anonymous.get(f"/parcels/{feature['id']}")
        assert detail.status_code == 200 and "项目自检" in detail.text and "规划环境影响评价" in detail.text
        assert anonymous.get("/parcels/987654321").status_code == 404
        assert anonymous.get("/parcels/abc").status_code in (404, 422)


def test_project_check_refuses_bad_figures_in_chinese_and_answers_good_ones(stack):
    parcel_id = demo_parcel_id("DG-SSL-BIO-2026-01")
    with httpx.Client(base_url=stack.base_url, timeout=30) as anonymous:
        bad = anonymous.get(f"/parcels/{parcel_id}/check", params={
            "industry_code": "13\x0011", "ind_investment_intensity": "1e99999", "ind_output_per_mu": "x" * 500})
        assert bad.status_code == 422
        assert "行业代码：含有不可见的控制字符" in bad.text and "\x00" not in bad.text
        assert "固定资产投资强度：数值过大" in bad.text and "亩均产值：请填写数字" in bad.text
        plan = {"investment_intensity": "300", "output_per_mu": "825", "tax_per_mu": "52.5", "floor_area_ratio": "2.5",
                "building_coefficient": "47.5", "office_share": "3.5", "rd_ratio": "4.5"}
        good = anonymous.get(f"/parcels/{parcel_id}/check", params={"industry_code": "3983"} | {
            f"ind_{code}": value for code, value in plan.items()})
        assert good.status_code == 200 and "建议不予通过" in good.text
        assert re.search(r"固定资产投资强度</td>.*?不符合", good.text, re.S)
        link = re.search(r'href="(/applications/new\?[^"]+)" data-testid="apply-link"', good.text)
        assert link is not None
        query = parse_qs(urlparse(link[1].replace("&amp;", "&")).query)
        assert query["parcel_id"] == [str(parcel_id)] and query[f"ind_{parcel_id}_investment_intensity"] == ["300"]
        # the form is behind the sign-in page, which brings the visitor back to it with the figures
        gate = anonymous.get(link[1].replace("&amp;", "&"), follow_redirects=False)
        assert gate.status_code == 303
        target = unquote(gate.headers["location"].split("next=", 1)[1])
        assert target.startswith("/applications/new?") and f"ind_{parcel_id}_investment_intensity=300" in target

        # the demo enterprise signs in there, and lands on the form prefilled with the checked figures
        login = anonymous.get(gate.headers["location"])
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)[1]
        next_field = re.search(r'name="next" value="([^"]+)"', login.text)[1].replace("&amp;", "&")
        assert next_field == target
        signed = anonymous.post("/login", data={"csrf_token": token, "username": "enterprise",
                                                "password": DEMO_PASSWORD, "next": next_field})
        assert signed.status_code == 303 and signed.headers["location"] == target
        form = anonymous.get(target)
        assert form.status_code == 200
        assert re.search(rf'name="ind_{parcel_id}_investment_intensity"[^>]*value="300"', form.text, re.S)
        assert re.search(r'name="industry_code"[^>]*value="3983"', form.text, re.S)


def test_outlines_are_written_and_read_through_the_catalogue_api(stack):
    number = f"PUB-{uuid.uuid4().hex[:8].upper()}"
    supervisor = stack.token("supervisor")
    with stack.client() as c:
        made = c.post("/api/v1/parcels", json=BODY | {"number": number, "outline": SQUARE, "status": "planned"},
                      headers=supervisor)
        assert made.status_code == 201, made.text
        assert made.json()["outline"] == SQUARE and made.json()["status"] == "planned"
        parcel_id = made.json()["id"]
        wrong = c.put(f"/api/v1/parcels/{parcel_id}", headers=supervisor, json=BODY | {
            "number": number, "outline": {"type": "Polygon", "coordinates": [[[22.95, 113.95], [22.95, 113.952],
                                                                              [22.952, 113.952], [22.95, 113.95]]]}})
        assert wrong.status_code == 422 and "纬度写在了前面" in wrong.json()["errors"]["outline"]
        kept = c.put(f"/api/v1/parcels/{parcel_id}", headers=supervisor, json=BODY | {"number": number})
        assert kept.status_code == 200 and kept.json()["outline"] == SQUARE  # not given: kept
    with httpx.Client(base_url=stack.base_url, timeout=30) as anonymous:
        planned = anonymous.get("/api/v1/public/parcels", params={"status": "planned"}).json()["features"]
        assert [f["properties"]["status_zh"] for f in planned if f["properties"]["number"] == number] == ["拟供应"]
        page = anonymous.get(f"/parcels/{parcel_id}/check", params={"industry_code": "3983",
                                                                     "ind_investment_intensity": "500"})
        assert page.status_code == 200 and 'data-testid="not-open"' in page.text and "apply-link" not in page.text
