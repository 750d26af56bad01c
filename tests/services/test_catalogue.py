"""The 标准地 parcel catalogue: saving parcels and assessments, their checks, the CSV import and the demo data.

Every test works in a session that is rolled back afterwards and uses parcel numbers of its own, so
it holds whatever else the shared test database contains (e.g. rows written by the browser tests).
"""

import dataclasses
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import select

from services import demo
from services.core import clock
from services.core.units import m2_to_mu
from services.core.users import get_by_username
from services.models import (
    AuditEvent,
    Enterprise,
    Parcel,
    ParcelIndicator,
    Project,
    RegionalAssessment,
    RegionalAssessmentParcel,
)
from services.standard_land import catalogue
from services.standard_land.catalogue import AssessmentInput, CatalogueError, ParcelInput
from services.standard_land.catalogue_csv import LAYOUTS, import_csv

SAMPLES = Path(__file__).resolve().parents[2] / "services" / "standard_land" / "data" / "samples"
PARCEL_HEADER = ",".join(LAYOUTS["parcels"])
ASSESSMENT_HEADER = ",".join(LAYOUTS["assessments"])


def _tag() -> str:
    return uuid.uuid4().hex[:8].upper()


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _counts(session) -> tuple[int, ...]:
    return tuple(_count(session, m) for m in (Parcel, ParcelIndicator, RegionalAssessment, RegionalAssessmentParcel,
                                              AuditEvent))


def _indicators() -> list[dict]:
    return [
        {"code": "investment_intensity", "name_zh": "固定资产投资强度", "unit": "万元/亩", "comparator": "≥",
         "threshold": "400", "measured_at": "竣工"},
        {"code": "floor_area_ratio", "name_zh": "容积率", "comparator": "介于", "threshold": "1.5",
         "threshold_high": "3.5", "measured_at": "completion"},
        {"code": "tax_per_mu", "name_zh": "亩均税收", "unit": "万元/亩·年", "comparator": "ge", "threshold": "35",
         "measured_at": "达产"},
    ]


def _parcel(number: str, **overrides) -> dict:
    data = {"base_code": "SSL-BIO", "number": number, "location": "松山湖园区测试路1号", "area": "45",
            "area_unit": "亩", "allowed_industry_codes": "27; 358", "land_price_wan": "6750",
            "indicators": _indicators()}
    return data | overrides


@pytest.fixture
def supervisor(session):
    return get_by_username(session, "supervisor")


# --- parcels ---------------------------------------------------------------------------------------

def test_save_parcel_creates_it_with_indicators_in_order_and_audits(session, supervisor):
    number = f"T-{_tag()}"
    parcel, outcome = catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(_parcel(number)))
    assert outcome == "created"
    assert parcel.area_m2 == Decimal("30000.00")  # 45 亩 × 2000/3
    assert parcel.status == "available" and parcel.allowed_industry_codes == ["27", "358"]
    view = catalogue.get_parcel(session, parcel.id)
    assert [(i.code, i.comparator, i.measured_at) for i in view.indicators] == [
        ("investment_intensity", "ge", "completion"), ("floor_area_ratio", "between", "completion"),
        ("tax_per_mu", "ge", "ramp_up_end")]
    assert [catalogue.indicator_text(i) for i in view.indicators] == ["≥400万元/亩", "1.5–3.5", "≥35万元/亩·年"]
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "parcel",
                                                  AuditEvent.entity_id == str(parcel.id))).one()
    assert event.action == "parcel.created" and event.actor_id == supervisor.id
    assert event.detail["number"] == number and len(event.detail["indicators"]) == 3


@pytest.mark.parametrize(("area", "unit", "m2"), [
    ("20000", "平方米", "20000.00"), ("20000.5", "m2", "20000.50"), ("30", "亩", "20000.00"), ("1", "mu", "666.67"),
    ("15", "亩", "10000.00"), ("102.7613", "亩", "68507.53"), ("1,234.5", "平方米", "1234.50"),
])
def test_area_is_given_in_square_metres_or_mu_and_stored_in_square_metres(area, unit, m2):
    data = ParcelInput.model_validate(_parcel("T-AREA", area=area, area_unit=unit))
    assert data.area_m2 == Decimal(m2)


def test_update_replaces_the_indicator_list_and_an_identical_save_writes_nothing(session, supervisor):
    number = f"T-{_tag()}"
    parcel, _ = catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(_parcel(number)))
    kept_id = catalogue.get_parcel(session, parcel.id).indicators[0].id
    indicators = _indicators()
    indicators[0]["threshold"] = "450"  # changed
    del indicators[2]  # removed: tax_per_mu
    indicators.append({"code": "rd_ratio", "name_zh": "研发经费支出与主营业务收入之比", "unit": "%",
                       "comparator": "≥", "threshold": "3", "measured_at": "年度"})  # added
    data = ParcelInput.model_validate(_parcel(number, id=parcel.id, location="松山湖园区测试路2号",
                                              indicators=indicators))
    _, outcome = catalogue.save_parcel(session, supervisor, data)
    assert outcome == "updated"
    view = catalogue.get_parcel(session, parcel.id)
    assert [(i.code, catalogue.plain(i.threshold)) for i in view.indicators] == [
        ("investment_intensity", "450"), ("floor_area_ratio", "1.5"), ("rd_ratio", "3")]
    assert view.indicators[0].id == kept_id
    assert view.parcel.location == "松山湖园区测试路2号"
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_id == str(parcel.id),
                                                   AuditEvent.action == "parcel.updated")).all()
    assert len(events) == 1
    assert set(events[0].detail["changes"]) == {"location", "indicators"}

    before = _counts(session)
    assert catalogue.save_parcel(session, supervisor, data)[1] == "unchanged"
    assert _counts(session) == before


def test_a_parcel_with_applications_may_be_edited_and_nothing_deletes_parcels(session, supervisor):
    number = f"T-{_tag()}"
    parcel, _ = catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(_parcel(number)))
    enterprise = session.exec(select(Enterprise)).first()
    session.add(Project(enterprise_id=enterprise.id, name="测试项目", industry_code="2710",
                        total_investment_wan=Decimal("18000"), land_area_mu=Decimal("45"), parcel_id=parcel.id,
                        expected_annual_output_wan=Decimal("30000"), expected_annual_tax_wan=Decimal("2000"),
                        created_at=clock.now()))
    session.flush()
    assert catalogue.get_parcel(session, parcel.id).application_count == 1
    data = ParcelInput.model_validate(_parcel(number, id=parcel.id, land_price_wan="7000"))
    assert catalogue.save_parcel(session, supervisor, data)[1] == "updated"
    assert not [name for name in dir(catalogue) if "delete" in name.lower()]


@pytest.mark.parametrize(("overrides", "key", "expected"), [
    ({"area": "-5"}, "area", "面积必须大于0"),
    ({"area": "abc"}, "area", "面积请填写数字"),
    ({"area": "100.123", "area_unit": "平方米"}, "area", "最多保留2位小数"),
    ({"area_unit": "公顷"}, "area_unit", "面积单位应为“平方米”或“亩”"),
    ({"number": "DG 01"}, "number", "宗地编号不能包含空格"),
    ({"location": ""}, "location", "请填写坐落"),
    ({"allowed_industry_codes": "27;9"}, "allowed_industry_codes", "允许行业代码“9”应为2–4位数字"),
    ({"allowed_industry_codes": "27;12345"}, "allowed_industry_codes", "允许行业代码“12345”应为2–4位数字"),
    ({"allowed_industry_codes": "99"}, "allowed_industry_codes", "不在园区受理范围内"),
    ({"initial_operating_years": "1.5"}, "initial_operating_years", "初始运行期请填写整数"),
    ({"damages_rate": "-1"}, "damages_rate", "违约金系数不能小于0"),
    ({"credit_record": "也许"}, "credit_record", "纳入信用记录请填写“是”或“否”"),
    ({"indicators": []}, "indicators", "请至少填写一项控制指标"),
])
def test_parcel_fields_are_checked_with_chinese_messages_naming_the_field(overrides, key, expected):
    with pytest.raises(ValidationError) as error:
        ParcelInput.model_validate(_parcel("T-BAD") | overrides)
    messages = catalogue.error_messages(error.value)
    assert expected in messages[key], messages


@pytest.mark.parametrize(("change", "field", "expected"), [
    ({"comparator": "介于", "threshold_high": None}, "threshold_high", "比较方式为“介于”时请填写阈值上限"),
    ({"comparator": "between", "threshold_high": "300"}, "threshold_high", "阈值上限应大于阈值（下限）400"),
    ({"threshold_high": "500"}, "threshold_high", "比较方式为“≥”或“≤”时不填阈值上限"),
    ({"comparator": "约等于"}, "comparator", "比较方式应为“≥”“≤”或“介于”"),
    ({"measured_at": "monthly"}, "measured_at", "考核节点应为“竣工”“达产”或“年度”"),
    ({"threshold": "四百"}, "threshold", "阈值请填写数字"),
    ({"code": "Tax Per Mu"}, "code", "指标代码应为小写英文字母开头"),
    ({"name_zh": ""}, "name_zh", "请填写指标名称"),
])
def test_indicator_fields_are_checked_per_row(change, field, expected):
    indicators = _indicators()
    indicators[0] = {k: v for k, v in (indicators[0] | change).items() if v is not None}
    with pytest.raises(ValidationError) as error:
        ParcelInput.model_validate(_parcel("T-BAD", indicators=indicators))
    assert expected in catalogue.error_messages(error.value)[f"indicators.0.{field}"]


def test_indicator_comparators_and_measuring_points_accept_their_usual_spellings():
    rows = [{"code": f"x_{i}", "name_zh": "指标", "comparator": c, "threshold": "1", "measured_at": m}
            for i, (c, m) in enumerate([(">=", "竣工验收时"), ("≤", "ramp_up_end"), ("le", "年度"), ("GE", "达产")])]
    data = ParcelInput.model_validate(_parcel("T-ALIAS", indicators=rows))
    assert [(i.comparator.value, i.measured_at.value) for i in data.indicators] == [
        ("ge", "completion"), ("le", "ramp_up_end"), ("le", "annual"), ("ge", "ramp_up_end")]


def test_database_rules_refuse_and_write_nothing(session, supervisor):
    number = f"T-{_tag()}"
    catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(_parcel(number)))
    before = _counts(session)
    duplicate = _indicators() + [_indicators()[2]]
    with pytest.raises(CatalogueError) as error:
        catalogue.save_parcel(session, supervisor, ParcelInput.model_validate(
            _parcel(number, base_code="NOWHERE", indicators=duplicate)))
    assert error.value.errors == {
        "base_code": "所属基地编码“NOWHERE”不存在",
        "number": f"宗地编号“{number}”已存在，请勿重复登记",
        "indicators.3.code": "指标代码“tax_per_mu”与第3项指标重复，同一地块每个指标只能填写一次"}
    assert _counts(session) == before


# --- regional assessments --------------------------------------------------------------------------

def test_save_assessment_with_its_scope_then_change_the_scope(session, supervisor):
    code = f"RA-T-{_tag()}"
    data = AssessmentInput(code=code, kind="区域节能评价", name="测试区域节能评价", valid_from="2026/1/1",
                           valid_until="2028年12月31日", allowed_industry_codes="27;358",
                           parcel_numbers="DG-SSL-BIO-2026-01; DG-SSL-BIO-2026-02")
    assessment, outcome = catalogue.save_assessment(session, supervisor, data)
    assert outcome == "created" and assessment.kind == "energy"
    assert (assessment.valid_from, assessment.valid_until) == (date(2026, 1, 1), date(2028, 12, 31))
    assert catalogue.get_assessment(session, assessment.id).parcel_numbers == ["DG-SSL-BIO-2026-01",
                                                                                "DG-SSL-BIO-2026-02"]
    narrower = data.model_copy(update={"id": assessment.id, "parcel_numbers": ["DG-SSL-BIO-2026-02"]})
    assert catalogue.save_assessment(session, supervisor, narrower)[1] == "updated"
    assert catalogue.get_assessment(session, assessment.id).parcel_numbers == ["DG-SSL-BIO-2026-02"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "regional_assessment.updated",
                                                  AuditEvent.entity_id == str(assessment.id))).one()
    assert event.detail["changes"]["parcel_numbers"] == [["DG-SSL-BIO-2026-01", "DG-SSL-BIO-2026-02"],
                                                         ["DG-SSL-BIO-2026-02"]]


def test_assessment_checks(session, supervisor):
    with pytest.raises(ValidationError) as error:
        AssessmentInput(code="RA-X", kind="水文", name="x", valid_from="2026-13-01", valid_until="2025-01-01")
    messages = catalogue.error_messages(error.value)
    assert "评估类型应为以下之一" in messages["kind"]
    assert messages["valid_from"] == "生效日期“2026-13-01”不是有效日期，请按2026-03-01的格式填写"
    with pytest.raises(ValidationError) as error:
        AssessmentInput(code="RA-X", kind="flood", name="x", valid_from="2026-03-01", valid_until="2026-02-28")
    assert catalogue.error_messages(error.value) == {"valid_until": "失效日期不能早于生效日期（2026-03-01）"}
    before = _counts(session)
    with pytest.raises(CatalogueError) as error:
        catalogue.save_assessment(session, supervisor, AssessmentInput(
            code="RA-SSL-BIO-HP-2024", kind="flood", name="x", valid_from="2026-03-01",
            parcel_numbers="DG-SSL-BIO-2026-01;DG-NONE-01"))
    assert error.value.errors == {"code": "评估编号“RA-SSL-BIO-HP-2024”已存在，请勿重复登记",
                                  "parcel_numbers": "适用宗地“DG-NONE-01”不在地块目录中"}
    assert _counts(session) == before


# --- CSV import ------------------------------------------------------------------------------------

def _parcel_rows(number: str, base: str = "SSL-BIO", area: str = "45", unit: str = "亩") -> list[str]:
    common = f"{base},{number},松山湖园区导入路8号,{area},{unit},工业用地（M1）,27;358,6750,3,6,1,是"
    return [f"{common},investment_intensity,固定资产投资强度,万元/亩,≥,400,,竣工",
            f"{common},floor_area_ratio,容积率,,介于,1.5,3.5,竣工",
            f"{common},tax_per_mu,亩均税收,万元/亩·年,>=,35,,ramp_up_end"]


def _csv(header: str, rows: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def _problems(report) -> dict[tuple[int, str], str]:
    return {(p.line, p.column): p.message for p in report.problems}


def test_sample_files_import_and_importing_again_updates_instead_of_duplicating(session, supervisor):
    for kind, name, groups in [("parcels", "parcels.csv", 2), ("assessments", "regional_assessments.csv", 2)]:
        report = import_csv(session, supervisor, kind, (SAMPLES / name).read_bytes())
        assert report.ok, report.problems
        assert report.created + report.updated + report.unchanged == groups
        before = _counts(session)
        again = import_csv(session, supervisor, kind, (SAMPLES / name).read_bytes())
        assert (again.created, again.updated, again.unchanged) == (0, 0, groups)
        assert _counts(session)[:4] == before[:4]
    parcel = session.exec(select(Parcel).where(Parcel.number == "DG-YP-HE-2026-04")).one()
    assert parcel.area_m2 == Decimal("57000.00")  # 85.5 亩
    assert len(catalogue.get_parcel(session, parcel.id).indicators) == 6
    scope = catalogue.get_assessment(session, session.exec(select(RegionalAssessment.id).where(
        RegionalAssessment.code == "RA-YP-HE-DZ-2024")).one()).parcel_numbers
    assert scope == ["DG-YP-HE-2026-01", "DG-YP-HE-2026-02"]


def test_import_creates_then_updates_by_number_and_keeps_the_status(session, supervisor):
    number = f"T-CSV-{_tag()}"
    report = import_csv(session, supervisor, "parcels", _csv(PARCEL_HEADER, _parcel_rows(number)))
    assert (report.ok, report.rows, report.created) == (True, 3, 1)
    parcel = session.exec(select(Parcel).where(Parcel.number == number)).one()
    parcel.status = "reserved"
    session.add(parcel)
    rows = _parcel_rows(number)[:2]  # tax_per_mu dropped
    rows[0] = rows[0].replace(",400,", ",420,")
    report = import_csv(session, supervisor, "parcels", _csv(PARCEL_HEADER, rows))
    assert (report.ok, report.created, report.updated) == (True, 0, 1)
    view = catalogue.get_parcel(session, parcel.id)
    assert [(i.code, catalogue.plain(i.threshold)) for i in view.indicators] == [
        ("investment_intensity", "420"), ("floor_area_ratio", "1.5")]
    assert view.parcel.status == "reserved"
    assert session.exec(select(func.count()).select_from(Parcel).where(Parcel.number == number)).one() == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_utf8_with_or_without_bom_and_gb18030_are_read(session, supervisor, encoding):
    number = f"T-ENC-{_tag()}"
    header = PARCEL_HEADER.replace("允许行业代码", "允许行业代码（分号分隔）")
    header = header.replace("面积单位", "面积单位(平方米|亩)")  # notes in brackets are allowed
    report = import_csv(session, supervisor, "parcels", _csv(header, _parcel_rows(number), encoding))
    assert report.ok, report.problems
    parcel = session.exec(select(Parcel).where(Parcel.number == number)).one()
    assert parcel.location == "松山湖园区导入路8号" and parcel.area_m2 == Decimal("30000.00")
    assert m2_to_mu(parcel.area_m2) == Decimal("45.0000")


def test_every_parcel_error_is_reported_with_its_line_and_column_and_nothing_is_written(session, supervisor):
    good, bad = f"T-OK-{_tag()}", f"T-BAD-{_tag()}"
    rows = _parcel_rows(good)                                   # lines 2–4: fine
    rows += [r.replace("SSL-BIO,", "NOWHERE,") for r in _parcel_rows(f"{bad}-1")][:1]      # line 5
    second = _parcel_rows(f"{bad}-2")
    second[1] = second[1].replace(",1.5,3.5,", ",abc,3.5,")     # line 7: bad number
    second[2] = second[2].replace("tax_per_mu", "investment_intensity")  # line 8: duplicate code
    rows += second
    third = _parcel_rows(f"{bad}-3", area="45")
    third[1] = third[1].replace(",45,亩,", ",46,亩,")           # line 10: parcel fields disagree
    third[2] = third[2].replace(",竣工", ",月度").replace(",ramp_up_end", ",月度")  # line 11: measuring point
    rows += third
    rows.append(_parcel_rows(f"{bad}-4")[0].replace(",≥,400,,", ",介于,400,300,"))  # line 12: high ≤ low
    before = _counts(session)
    report = import_csv(session, supervisor, "parcels", _csv(PARCEL_HEADER, rows))
    assert not report.ok and report.created == report.updated == 0
    problems = _problems(report)
    assert problems == {
        (5, "基地编码"): "基地编码“NOWHERE”不存在（现有：DIGITAL、EAST-IM、LS-EI、NEW-MAT、SSL-BIO、SX-NE、YP-HE）",
        (7, "阈值"): "阈值请填写数字",
        (8, "指标代码"): "指标代码“investment_intensity”与第1项指标重复，同一地块每个指标只能填写一次",
        (10, "面积"): "同一宗地各行的“面积”应一致（第9行为“45”，本行为“46”）",
        (11, "考核节点"): "考核节点应为“竣工”“达产”或“年度”",
        (12, "阈值上限"): "阈值上限应大于阈值（下限）400",
    }, problems
    assert [p.line for p in report.problems] == sorted(p.line for p in report.problems)
    assert _counts(session) == before  # not even the good parcel of lines 2–4
    assert session.exec(select(Parcel).where(Parcel.number == good)).first() is None


def test_a_missing_column_is_reported_once_on_line_1(session, supervisor):
    header = PARCEL_HEADER.replace(",阈值上限", "")
    rows = [",".join(r.split(",")[:17] + r.split(",")[18:]) for r in _parcel_rows(f"T-{_tag()}")]
    before = _counts(session)
    report = import_csv(session, supervisor, "parcels", _csv(header, rows))
    assert [(p.line, p.column, p.message) for p in report.problems] == [(1, "阈值上限", "缺少必需的列“阈值上限”")]
    assert _counts(session) == before


def test_empty_and_header_only_files_are_refused(session, supervisor):
    assert _problems(import_csv(session, supervisor, "parcels", b"")) == {(1, ""): "文件为空或缺少表头行"}
    assert _problems(import_csv(session, supervisor, "parcels", _csv(PARCEL_HEADER, []))) == {
        (2, ""): "文件中没有数据行"}


def test_assessment_import_reports_bad_dates_unknown_parcels_and_duplicates(session, supervisor):
    code = f"RA-T-{_tag()}"
    rows = [f"{code}-1,flood,防洪影响评价A,东莞市水务局,2026-01-01,,27,DG-SSL-BIO-2026-01,",
            f"{code}-2,energy,区域节能评价B,东莞市发展和改革局,2026-02-30,2027-12-31,27,DG-SSL-BIO-2026-01,",
            f"{code}-3,plan_eia,规划环评C,东莞市生态环境局,2026-01-01,2025-12-31,27,DG-SSL-BIO-2026-01;DG-NONE-9,",
            f"{code}-1,flood,重复,东莞市水务局,2026-01-01,,27,DG-SSL-BIO-2026-01,"]
    before = _counts(session)
    report = import_csv(session, supervisor, "assessments", _csv(ASSESSMENT_HEADER, rows))
    assert _problems(report) == {
        (3, "生效日期"): "生效日期“2026-02-30”不是有效日期，请按2026-03-01的格式填写",
        (4, "失效日期"): "失效日期不能早于生效日期（2026-01-01）",
        (5, "评估编号"): f"评估编号“{code}-1”与第2行重复",
    }
    assert _counts(session) == before
    rows[2] = rows[2].replace(",2025-12-31,", ",2030-12-31,")
    report = import_csv(session, supervisor, "assessments", _csv(ASSESSMENT_HEADER, rows[2:3]))
    assert _problems(report) == {(2, "适用宗地"): "适用宗地“DG-NONE-9”不在地块目录中"}
    assert _counts(session) == before


def test_the_wrong_layout_is_refused_by_its_missing_columns(session, supervisor):
    report = import_csv(session, supervisor, "assessments", (SAMPLES / "parcels.csv").read_bytes())
    assert {p.line for p in report.problems} == {1}
    assert [p.column for p in report.problems] == [c for c in LAYOUTS["assessments"]
                                                   if c not in LAYOUTS["parcels"]]


# --- demo data -------------------------------------------------------------------------------------

DEMO_NUMBERS = [demo.parcel_number(code, j) for code, _, _ in demo.BASES for j in (1, 2, 3)]
RANGES = {"investment_intensity": (300, 450), "tax_per_mu": (15, 40), "output_per_mu": (300, 600),
          "rd_ratio": (2, 3), "office_share": (7, 7), "green_ratio": (15, 20)}


def test_demo_parcels_have_realistic_indicators_and_terms(session):
    views = {v.parcel.number: v for v in catalogue.list_parcels(session) if v.parcel.number in DEMO_NUMBERS}
    assert sorted(views) == sorted(DEMO_NUMBERS)
    assert views["DG-SSL-BIO-2026-01"].parcel.id == 1  # the intake samples apply for parcel 1 …
    assert m2_to_mu(views["DG-SSL-BIO-2026-01"].parcel.area_m2) >= 45  # … with 45 亩 …
    assert "3983" in views["DG-SSL-BIO-2026-01"].parcel.allowed_industry_codes  # … and industry 3983
    for number, view in views.items():
        codes = [i.code for i in view.indicators]
        assert 5 <= len(codes) <= 7, number
        assert {"investment_intensity", "tax_per_mu", "output_per_mu", "floor_area_ratio"} <= set(codes)
        for i in view.indicators:
            if i.code in RANGES:
                low, high = RANGES[i.code]
                assert low <= i.threshold <= high, (number, i.code, i.threshold)
            if i.code == "floor_area_ratio":
                assert Decimal("1.2") <= i.threshold < i.threshold_high <= Decimal("3.5")
            if i.code == "building_coefficient":
                assert 30 <= i.threshold < i.threshold_high <= 65
        assert view.parcel.land_price_wan > 0 and view.parcel.allowed_industry_codes


def test_demo_assessments_cover_each_base_and_show_an_expired_and_a_partial_scope(session):
    views = {v.assessment.code: v for v in catalogue.list_assessments(session, today=date(2026, 11, 27))}
    for code, _, _ in demo.BASES:
        parcels = [demo.parcel_number(code, j) for j in (1, 2, 3)]
        for suffix, kind in (("HP-2024", "plan_eia"), ("NP-2025", "energy")):
            view = views[f"RA-{code}-{suffix}"]
            assert view.assessment.kind == kind and view.status == "valid"
            assert view.parcel_numbers == parcels
    assert views["RA-SSL-BIO-FH-2021"].status == "expired"
    assert views["RA-SSL-BIO-FH-2021"].assessment.kind == "flood"
    assert "DG-SSL-BIO-2026-01" not in views["RA-SSL-BIO-SB-2025"].parcel_numbers
    assert views["RA-SSL-BIO-SB-2025"].status == "valid"


def test_loading_the_demo_again_changes_nothing_and_completes_parcels_of_the_old_seed(session):
    before = _counts(session)
    demo.load(session)
    assert _counts(session) == before
    # the earlier seed made parcels without indicators: loading completes them once
    parcel = session.exec(select(Parcel).where(Parcel.number == "DG-LS-EI-2026-02")).one()
    for row in session.exec(select(ParcelIndicator).where(ParcelIndicator.parcel_id == parcel.id)):
        session.delete(row)
    session.flush()
    demo.load(session)
    assert [i.code for i in catalogue.get_parcel(session, parcel.id).indicators] == [
        "investment_intensity", "output_per_mu", "tax_per_mu", "floor_area_ratio", "building_coefficient",
        "office_share"]


@pytest.mark.parametrize(("valid_from", "valid_until", "state", "public"), [
    (date(2026, 1, 1), None, "valid", "有效"),
    (date(2026, 1, 1), date(2026, 12, 7), "valid", "有效"),  # its last day is still in force
    (date(2026, 1, 1), date(2026, 12, 6), "expired", "已过期"),
    (date(2026, 12, 8), None, "pending", "未生效"),
])
def test_an_assessment_reads_the_same_in_the_staff_catalogue_and_on_the_public_platform(
        session, valid_from, valid_until, state, public):
    from services.standard_land import public_catalogue, rules

    assert catalogue.assessment_status(valid_from, valid_until, date(2026, 12, 7)) == state
    parcel = public_catalogue.list_parcels(session)[0]
    spec = rules.AssessmentSpec(code="T", kind="环评", name="测试评估", authority="测试", valid_from=valid_from,
                                valid_until=valid_until, parcel_ids=frozenset({parcel.id}))
    clock.set_clock(lambda: datetime(2026, 12, 7, 9))
    try:
        assert parcel.assessment_status(spec) == public
        assert parcel.assessment_status(dataclasses.replace(spec, parcel_ids=frozenset())) == \
            f"{public}（本地块不在评估范围内）"
    finally:
        clock.set_clock(None)
