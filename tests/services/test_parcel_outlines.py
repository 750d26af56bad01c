"""宗地范围 (parcel outlines) and the public 标准地 platform's reading and 项目自检, on the real database.

Each test works in a session rolled back afterwards, with parcel numbers of its own.
"""

import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from services import demo
from services.core.users import get_by_username
from services.models import AuditEvent, Parcel
from services.standard_land import catalogue, outlines, public_catalogue
from services.standard_land.catalogue import ParcelInput
from services.standard_land.catalogue_csv import LAYOUTS, import_csv
from services.standard_land.intake import IntakeError, StandardLandApplicationInput, submit_application
from services.standard_land.outlines import OutlineError, parse_outline
from tests.samples import SAMPLE

SAMPLES = Path(__file__).resolve().parents[2] / "services" / "standard_land" / "data" / "samples"
SQUARE = {"type": "Polygon", "coordinates": [[[113.9, 22.9], [113.902, 22.9], [113.902, 22.902], [113.9, 22.902],
                                               [113.9, 22.9]]]}


def _number() -> str:
    return f"T-OUT-{uuid.uuid4().hex[:8].upper()}"


def _parcel(number: str, **overrides) -> dict:
    return {"base_code": "SSL-BIO", "number": number, "location": "松山湖园区测试路2号", "area": "30",
            "area_unit": "亩", "indicators": [
                {"code": "investment_intensity", "name_zh": "固定资产投资强度", "unit": "万元/亩", "comparator": "≥",
                 "threshold": "400", "measured_at": "竣工"}]} | overrides


@pytest.fixture
def supervisor(session):
    return get_by_username(session, "supervisor")


@pytest.mark.parametrize(("value", "message"), [
    ("{", "不是有效的GeoJSON"),
    ("[113.9, 22.9]", "应为GeoJSON对象"),
    ('{"type": "Point", "coordinates": [113.9, 22.9]}', "不能是“Point”"),
    ('{"type": "Feature", "properties": {}}', "没有几何图形"),
    (json.dumps({"type": "Polygon", "coordinates": [[[22.9, 113.9], [22.9, 113.902], [22.902, 113.902],
                                                     [22.9, 113.9]]]}), "纬度写在了前面"),
    (json.dumps({"type": "Polygon", "coordinates": [[[38500000, 2530000], [38500200, 2530000],
                                                     [38500200, 2530200], [38500000, 2530000]]]}), "投影坐标"),
    (json.dumps({"type": "Polygon", "coordinates": [[[113.9, 22.9], [113.902, 22.9], [113.902, 22.902]]]}),
     "至少需要4个坐标点"),
    (json.dumps({"type": "Polygon", "coordinates": [[[113.9, 22.9], [113.902, 22.9], [113.902, 22.902],
                                                     [113.9, 22.902]]]}), "闭合"),
    (json.dumps({"type": "Polygon", "coordinates": [[[190, 22.9], [191, 22.9], [191, 23], [190, 22.9]]]}),
     "超出经纬度范围"),
    ('{"type": "Polygon", "coordinates": [[[NaN, 22.9], [113.9, 22.9], [113.9, 23], [NaN, 22.9]]]}', "超出经纬度范围"),
    ('{"type": "Polygon", "coordinates": "x"}', "坐标格式不正确"),
])
def test_a_wrong_outline_is_refused_with_the_reason_in_chinese(value, message):
    with pytest.raises(OutlineError) as refused:
        parse_outline(value)
    assert message in str(refused.value)


def test_a_feature_or_a_multipolygon_is_stored_as_its_geometry():
    assert parse_outline(json.dumps({"type": "Feature", "properties": {"x": 1}, "geometry": SQUARE})) == SQUARE
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], SQUARE["coordinates"]]}
    assert parse_outline(multi) == multi
    assert parse_outline("  ") is None and parse_outline(None) is None
    too_many = {"type": "Polygon", "coordinates": [[[113.9 + i * 1e-6, 22.9] for i in range(6000)] + [[113.9, 22.9]]]}
    with pytest.raises(OutlineError, match="顶点过多"):
        parse_outline(too_many)


def test_the_parcel_form_sets_keeps_and_clears_an_outline_and_the_audit_says_so(session, supervisor):
    number = _number()
    parcel, _ = catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(
        _parcel(number, outline=json.dumps(SQUARE))))
    assert parcel.outline == SQUARE
    # an input without an outline (a CSV import, an API body without it) keeps the one drawn before
    _, outcome = catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(_parcel(number) | {
        "id": parcel.id}))
    assert outcome == "unchanged" and parcel.outline == SQUARE
    _, outcome = catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(_parcel(number) | {
        "id": parcel.id, "outline": ""}))
    assert outcome == "updated" and parcel.outline is None
    changes = session.exec(select(AuditEvent).where(AuditEvent.entity == "parcel", AuditEvent.entity_id == str(
        parcel.id), AuditEvent.action == "parcel.updated")).one().detail["changes"]
    assert list(changes) == ["outline"] and changes["outline"][1] == ""


def test_a_bad_outline_on_the_form_names_the_field(session):
    with pytest.raises(Exception) as refused:
        ParcelInput.model_validate(_parcel(_number(), outline='{"type": "LineString", "coordinates": []}'))
    assert catalogue.error_messages(refused.value) == {
        "outline": "宗地范围应为面（Polygon 或 MultiPolygon），不能是“LineString”"}


def test_a_csv_import_keeps_the_outlines(session, supervisor):
    number = _number()
    parcel, _ = catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(_parcel(number, outline=SQUARE)))
    common = f"SSL-BIO,{number},松山湖园区测试路2号,30,亩,工业用地（M1）,,,3,6,1,是"
    row = f"{common},investment_intensity,固定资产投资强度,万元/亩,≥,420,,竣工"
    body = "\r\n".join([",".join(LAYOUTS["parcels"]), row])
    report = import_csv(session, supervisor, "parcels", (body + "\r\n").encode())
    assert report.ok and report.updated == 1, report.problems
    assert session.get(Parcel, parcel.id).outline == SQUARE


def test_a_geojson_file_sets_outlines_all_or_nothing(session, supervisor):
    first, second = _number(), _number()
    for number in (first, second):
        catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(_parcel(number)))

    def collection(*features) -> bytes:
        return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()

    good = {"type": "Feature", "properties": {"number": first}, "geometry": SQUARE}
    bad = [
        {"type": "Feature", "properties": {"宗地编号": second}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
        {"type": "Feature", "properties": {}, "geometry": SQUARE},
        {"type": "Feature", "properties": {"number": "NO-SUCH-PARCEL"}, "geometry": SQUARE},
        good,
    ]
    with pytest.raises(OutlineError) as refused:
        outlines.import_outlines(session, supervisor, collection(good, *bad))
    text = str(refused.value)
    assert f"第2个要素（宗地编号 {second}）：宗地范围应为面" in text and "第3个要素：缺少宗地编号" in text
    assert "NO-SUCH-PARCEL 不在地块目录中" in text and f"第5个要素（宗地编号 {first}）：宗地编号在文件中重复" in text
    assert session.exec(select(Parcel.outline).where(Parcel.number == first)).one() is None  # nothing written
    for junk, message in [(b"\xff\xfe", "不是有效的GeoJSON"), (b'{"type": "FeatureCollection", "features": []}',
                                                               "至少含一个要素"), (b"[]", "FeatureCollection")]:
        with pytest.raises(OutlineError, match=message):
            outlines.import_outlines(session, supervisor, junk)

    result = outlines.import_outlines(session, supervisor, collection(good, {
        "type": "Feature", "properties": {"宗地编号": second}, "geometry": SQUARE}))
    assert sorted(result.updated) == sorted([first, second]) and result.unchanged == []
    again = outlines.import_outlines(session, supervisor, collection(good))
    assert (again.updated, again.unchanged) == ([], [first])
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "catalogue.outline_set")).all()
    assert {e.detail["number"] for e in events} >= {first, second}


def test_the_sample_outline_file_matches_the_demo_parcels(session, supervisor):
    result = outlines.import_outlines(session, supervisor, (SAMPLES / "parcel_outlines.geojson").read_bytes())
    assert len(result.updated) + len(result.unchanged) == 3
    seeded = {p.number: p.outline for p in demo.parcel_inputs()}
    for number in result.updated + result.unchanged:
        assert session.exec(select(Parcel.outline).where(Parcel.number == number)).one() == outlines.as_json(
            seeded[number])


def test_the_public_listing_and_geojson_leave_out_prices_and_show_the_supply_status(session, supervisor):
    number = _number()
    parcel, _ = catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(
        _parcel(number, outline=SQUARE, status="planned", land_price_wan="6000")))
    planned = public_catalogue.list_parcels(session, "planned")
    assert number in [p.view.parcel.number for p in planned]
    assert all(p.view.parcel.status == "planned" for p in planned)
    item = next(p for p in planned if p.view.parcel.number == number)
    assert (item.status_label, item.open_for_application) == ("拟供应", False)
    feature = next(f for f in public_catalogue.feature_collection(planned)["features"]
                   if f["properties"]["number"] == number)
    assert feature["geometry"] == SQUARE and feature["properties"]["status_zh"] == "拟供应"
    assert "land_price_wan" not in json.dumps(feature) and "6000" not in json.dumps(feature)
    assert feature["properties"]["indicators"] == [{"code": "investment_intensity", "name_zh": "固定资产投资强度",
                                                    "text": "≥400万元/亩"}]
    west, south, east, north = outlines.bounds(SQUARE)
    assert public_catalogue.map_settings([item])["extent"] == [[south, west], [north, east]]


def test_project_check_runs_the_pre_assessment_rules_and_names_each_wrong_field(session):
    item = public_catalogue.get_parcel(session, session.exec(select(Parcel.id).where(
        Parcel.number == "DG-SSL-BIO-2026-01")).one())
    codes = [i.code for i in item.view.indicators]
    refused = public_catalogue.check_project(item, {"industry_code": "1311", "ind_investment_intensity": "四百",
                                                    "annual_energy_tce": "-5", "ind_rd_ratio": "3\x7f",
                                                    "annual_electricity_kwh": "1e20"})
    assert refused.errors["ind_rd_ratio"] == "研发经费支出与主营业务收入之比：含有不可见的控制字符，请删除后重新填写"
    assert refused.values["ind_rd_ratio"] == ""
    assert refused.errors["annual_electricity_kwh"] == "年用电量：数值过大，请核对单位"
    assert refused.evaluation is None
    assert refused.errors["industry_code"].startswith("行业代码：地块DG-SSL-BIO-2026-01只准入以下行业")
    assert refused.errors["ind_investment_intensity"] == "固定资产投资强度：请填写数字，如 12.5"
    assert refused.errors["annual_energy_tce"] == "年综合能耗：不能为负数"
    assert all(f"ind_{c}" in refused.errors for c in codes)

    plan = {"investment_intensity": "600", "output_per_mu": "825", "tax_per_mu": "36", "floor_area_ratio": "2.5",
            "building_coefficient": "47.5", "office_share": "3.5", "rd_ratio": "4.5"}
    check = public_catalogue.check_project(item, {"industry_code": "3983", "annual_energy_tce": "1,200"} | {
        f"ind_{c}": plan[c] for c in codes})
    assert check.errors == {} and check.evaluation is not None
    verdicts = {r.spec.code: r.verdict.value for r in check.evaluation.indicators}
    assert verdicts["tax_per_mu"] == "at_risk" and verdicts["investment_intensity"] == "pass"
    assert check.evaluation.proposal.result == "approve_with_risks"
    assert "36" in next(r.arithmetic for r in check.evaluation.indicators if r.spec.code == "tax_per_mu")
    assert check.evaluation.energy.needed  # 1,200 tce: an energy review is needed
    query = check.apply_query(item.id)
    assert query["parcel_id"] == str(item.id) and query[f"ind_{item.id}_tax_per_mu"] == "36"
    assert query["industry_code"] == "3983" and query["annual_energy_tce"] == "1,200"
    assert "total_investment_wan" not in query  # without the parcel's area no totals are guessed
    # with the parcel's area the form also gets 用地面积 and totals that agree with the per-亩 values
    area = item.view.area_mu
    totals = check.apply_query(item.id, area)
    assert Decimal(totals["land_area_mu"]) == area
    assert Decimal(totals["total_investment_wan"]) == (600 * area).quantize(Decimal("0.01"))
    assert Decimal(totals["expected_annual_tax_wan"]) == (36 * area).quantize(Decimal("0.01"))
    assert Decimal(totals["expected_annual_output_wan"]) == (825 * area).quantize(Decimal("0.01"))


def test_a_parcel_not_yet_on_offer_is_shown_but_cannot_be_applied_for(session, supervisor):
    parcel, _ = catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(
        _parcel(_number(), status="planned", allowed_industry_codes="3983")))
    data = StandardLandApplicationInput.model_validate(dict(SAMPLE, parcel_id=parcel.id, planned_indicators={
        "investment_intensity": "600"}))
    with pytest.raises(IntakeError) as refused:
        submit_application(session, get_by_username(session, "enterprise"), data, uuid.uuid4().hex)
    assert refused.value.errors["parcel_id"] == f"地块{parcel.number}尚未挂牌供应，当前不可申请"
