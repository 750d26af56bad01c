"""标准地 rules: indicator verdicts, assessment reuse, energy review, proposal, verification."""

import json
from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.standard_land.models import Parcel, ParcelIndicator, RegionalAssessment
from services.standard_land.rules import (
    DEFAULT_MARGIN,
    AssessmentSpec,
    IndicatorSpec,
    Liability,
    Verdict,
    assessment_reuse,
    energy_review,
    evaluate,
    evaluate_indicator,
    fmt_decimal,
    propose,
    verify,
)

INTENSITY = IndicatorSpec("investment_intensity", "固定资产投资强度", "万元/亩", "ge", D("150.0000"), None,
                          "completion")
OFFICE = IndicatorSpec("office_share", "行政办公及生活服务设施用地比例", "%", "le", D("7"), None, "completion")
FAR = IndicatorSpec("far", "容积率", "", "between", D("1.0"), D("1.8"), "completion")
TAX = IndicatorSpec("tax_per_mu", "亩均税收", "万元/亩·年", "ge", D("20"), None, "ramp_up_end")
RND = IndicatorSpec("rnd_ratio", "研发经费占比", "%", "ge", D("2"), None, "annual")
SPECS = [INTENSITY, FAR, OFFICE, TAX, RND]

ASSESSMENT = AssessmentSpec("QP-2024-001", "plan_eia", "松山湖区域规划环评", "生态环境局", date(2024, 1, 1),
                            date(2029, 12, 31), frozenset({1, 2}), ("39",), "仅限电子信息类项目")
TODAY = date(2026, 3, 2)

decimals = st.decimals(min_value=D("0"), max_value=D("100000"), places=4, allow_nan=False, allow_infinity=False)
thresholds = st.decimals(min_value=D("0.0001"), max_value=D("10000"), places=4, allow_nan=False, allow_infinity=False)
RANK = {"fail": 0, "at_risk": 1, "pass": 2}


def verdict(spec: IndicatorSpec, planned: str) -> str:
    return evaluate_indicator(spec, D(planned), DEFAULT_MARGIN).verdict.value


# --------------------------------------------------------------------------- evaluate_indicator


@pytest.mark.parametrize(("planned", "expected"), [
    ("149.9999", "fail"), ("150", "at_risk"), ("150.0001", "at_risk"),
    ("164.9999", "at_risk"), ("165", "pass"), ("165.0001", "pass"), ("180", "pass"),
])
def test_ge_boundaries(planned, expected):
    assert verdict(INTENSITY, planned) == expected


@pytest.mark.parametrize(("planned", "expected"), [
    ("7.0001", "fail"), ("7", "at_risk"), ("6.9999", "at_risk"),
    ("6.3001", "at_risk"), ("6.3", "pass"), ("6.2999", "pass"), ("0", "pass"),
])
def test_le_boundaries(planned, expected):
    assert verdict(OFFICE, planned) == expected


@pytest.mark.parametrize(("planned", "expected"), [
    ("0.9999", "fail"), ("1", "at_risk"), ("1.0001", "at_risk"), ("1.0799", "at_risk"), ("1.08", "pass"),
    ("1.4", "pass"), ("1.72", "pass"), ("1.7201", "at_risk"), ("1.8", "at_risk"), ("1.8001", "fail"),
])
def test_between_boundaries(planned, expected):
    assert verdict(FAR, planned) == expected


def test_margin_is_configurable():
    assert evaluate_indicator(INTENSITY, D("160"), D("0.05")).verdict == Verdict.pass_
    assert evaluate_indicator(INTENSITY, D("150"), D("0")).verdict == Verdict.pass_
    with pytest.raises(ValueError):
        evaluate_indicator(INTENSITY, D("160"), D("1"))


def test_arithmetic_sentences():
    assert evaluate_indicator(INTENSITY, D("180")).arithmetic == "计划值 180 ≥ 控制值 150，高出 30（20.0%）"
    assert evaluate_indicator(INTENSITY, D("140")).arithmetic == "计划值 140 < 控制值 150，差额 10（6.7%）"
    assert evaluate_indicator(INTENSITY, D("160")).arithmetic == \
        "计划值 160 ≥ 控制值 150，高出 10（6.7%），余量小于临界幅度 10%"
    assert evaluate_indicator(OFFICE, D("8")).arithmetic == "计划值 8 > 控制值 7，超出 1（14.3%）"
    assert evaluate_indicator(OFFICE, D("5")).arithmetic == "计划值 5 ≤ 控制值 7，低于控制值 2（28.6%）"
    assert evaluate_indicator(FAR, D("2")).arithmetic == "计划值 2 > 控制上限 1.8（区间 1～1.8），超出 0.2（11.1%）"
    assert evaluate_indicator(FAR, D("0.8")).arithmetic == "计划值 0.8 < 控制下限 1（区间 1～1.8），差额 0.2（20.0%）"
    assert "距下限 0.4、距上限 0.4" in evaluate_indicator(FAR, D("1.4")).arithmetic


def test_zero_threshold_has_no_percentage():
    spec = IndicatorSpec("x", "某指标", "", "le", D("0"), None, "annual")
    result = evaluate_indicator(spec, D("1"))
    assert result.verdict == Verdict.fail and "%" not in result.arithmetic


def test_float_and_bad_specs_are_refused():
    with pytest.raises(TypeError):
        evaluate_indicator(INTENSITY, 150.0)
    with pytest.raises(ValueError):
        IndicatorSpec("far", "容积率", "", "between", D("1.8"), D("1.0"), "completion")
    with pytest.raises(ValueError):
        IndicatorSpec("far", "容积率", "", "between", D("1.0"), None, "completion")


@given(threshold=thresholds, a=decimals, b=decimals)
def test_ge_more_is_never_worse(threshold, a, b):
    spec = IndicatorSpec("x", "x", "", "ge", threshold, None, "completion")
    low, high = sorted((a, b))
    assert RANK[evaluate_indicator(spec, low).verdict] <= RANK[evaluate_indicator(spec, high).verdict]


@given(threshold=thresholds, a=decimals, b=decimals)
def test_le_less_is_never_worse(threshold, a, b):
    spec = IndicatorSpec("x", "x", "", "le", threshold, None, "completion")
    low, high = sorted((a, b))
    assert RANK[evaluate_indicator(spec, low).verdict] >= RANK[evaluate_indicator(spec, high).verdict]


@given(low=thresholds, width=thresholds, t=st.decimals(min_value=D(0), max_value=D(1), places=4))
def test_between_inside_band_never_fails(low, width, t):
    spec = IndicatorSpec("x", "x", "", "between", low, low + width, "completion")
    planned = low + width * t
    assert evaluate_indicator(spec, planned).verdict != Verdict.fail


@given(threshold=thresholds, comparator=st.sampled_from(["ge", "le"]))
def test_exact_threshold_is_never_fail(threshold, comparator):
    spec = IndicatorSpec("x", "x", "", comparator, threshold, None, "completion")
    assert evaluate_indicator(spec, threshold).verdict != Verdict.fail


@given(low=thresholds, width=thresholds)
def test_exact_band_bounds_are_never_fail(low, width):
    spec = IndicatorSpec("x", "x", "", "between", low, low + width, "completion")
    assert evaluate_indicator(spec, low).verdict != Verdict.fail
    assert evaluate_indicator(spec, low + width).verdict != Verdict.fail


@given(threshold=thresholds, planned=decimals, comparator=st.sampled_from(["ge", "le"]))
def test_arithmetic_shows_the_numbers(threshold, planned, comparator):
    spec = IndicatorSpec("x", "x", "", comparator, threshold, None, "completion")
    text = evaluate_indicator(spec, planned).arithmetic
    assert f"计划值 {fmt_decimal(planned)} " in text
    assert f"控制值 {fmt_decimal(threshold)}" in text


def test_fmt_decimal_plain_notation():
    assert fmt_decimal(D("150.0000")) == "150"
    assert fmt_decimal(D("4000000")) == "4000000"
    assert fmt_decimal(D("0.0500")) == "0.05"
    assert fmt_decimal(D("0.0000")) == "0"


# --------------------------------------------------------------------------- assessment_reuse


def test_assessment_reusable_with_positive_reason():
    reuse = assessment_reuse(ASSESSMENT, 1, "3983", TODAY)
    assert reuse.reusable
    assert reuse.reasons[0] == "有效期至2029年12月31日"
    assert any("有效期、范围、行业均符合" in r for r in reuse.reasons)


def test_assessment_valid_on_last_and_first_day():
    assert assessment_reuse(ASSESSMENT, 1, "3983", date(2029, 12, 31)).reusable
    assert assessment_reuse(ASSESSMENT, 1, "3983", date(2024, 1, 1)).reusable


def test_assessment_expired():
    reuse = assessment_reuse(ASSESSMENT, 1, "3983", date(2030, 1, 1))
    assert not reuse.reusable
    assert reuse.reasons == ("评估已过有效期（有效期至2029年12月31日）",)


def test_assessment_not_yet_valid():
    reuse = assessment_reuse(ASSESSMENT, 1, "3983", date(2023, 12, 31))
    assert not reuse.reusable and "尚未生效" in reuse.reasons[0]


def test_assessment_lists_every_failed_reason():
    reuse = assessment_reuse(ASSESSMENT, 9, "2710", date(2030, 1, 1))
    assert not reuse.reusable
    assert len(reuse.reasons) == 3
    assert "过有效期" in reuse.reasons[0]
    assert reuse.reasons[1] == "项目地块不在评估范围内"
    assert reuse.reasons[2] == "行业代码2710不在评估准入行业（39）内"


def test_assessment_industry_prefix():
    narrow = AssessmentSpec("A", "energy", "区域能评", "发改局", date(2024, 1, 1), None, frozenset({1}), ("3983",))
    assert assessment_reuse(ASSESSMENT, 1, "3983", TODAY).reusable  # "39" admits "3983"
    assert not assessment_reuse(narrow, 1, "3981", TODAY).reusable
    assert not assessment_reuse(narrow, 1, "39", TODAY).reusable  # "3983" does not admit the division "39"
    assert assessment_reuse(narrow, 1, "3983", TODAY).reusable
    assert "未提供行业代码" in assessment_reuse(narrow, 1, "", TODAY).reasons[0]


def test_assessment_empty_industry_list_admits_any_and_open_ended():
    any_industry = AssessmentSpec("B", "flood", "区域防洪影响评价", "水务局", date(2024, 1, 1), None, frozenset({1}))
    reuse = assessment_reuse(any_industry, 1, "1311", date(2099, 1, 1))
    assert reuse.reusable and "长期有效" in reuse.reasons[0]
    assert reuse.to_dict()["valid_until"] is None


# --------------------------------------------------------------------------- energy_review


@pytest.mark.parametrize(("tce", "kwh", "level"), [
    ("999", "0", "none"), ("1000", "0", "local"), ("9999", "0", "local"), ("10000", "0", "provincial"),
    ("0", "4999999", "none"), ("0", "5000000", "local"), ("999", "4999999", "none"), ("10000", "9999999", "provincial"),
])
def test_energy_thresholds(tce, kwh, level):
    review = energy_review(D(tce), D(kwh))
    assert review.level == level
    assert review.needed is (level != "none")


def test_energy_reason_texts():
    assert energy_review(D(800), D(4_000_000)).reason == \
        "年综合能耗800吨标准煤且年电力消费400万千瓦时，均低于1000吨标准煤/500万千瓦时，无需单独进行节能审查"
    local = energy_review(D(500), D(6_000_000)).reason
    assert "年电力消费达到500万千瓦时" in local and "市/县级" in local
    assert "省级" in energy_review(D(12000), D(0)).reason


def test_energy_missing_inputs_count_as_zero_and_say_so():
    review = energy_review(None, None)
    assert review.level == "none"
    assert "未填报年综合能耗，按0计" in review.reason and "未填报年电力消费，按0计" in review.reason
    assert review.to_dict()["annual_energy_tce"] is None
    assert energy_review(None, D(6_000_000)).level == "local"


# --------------------------------------------------------------------------- propose


def test_propose_results():
    none = energy_review(D(1), D(1))
    ok = evaluate_indicator(INTENSITY, D(200))
    risky = evaluate_indicator(OFFICE, D("6.9"))
    bad = evaluate_indicator(FAR, D("0.5"))
    assert propose([ok], none).result == "approve"
    assert propose([ok], none).result_zh == "建议通过"
    with_risks = propose([ok, risky], none)
    assert with_risks.result == "approve_with_risks"
    assert with_risks.result_zh == "建议有条件通过（存在临界指标）"
    assert any("行政办公及生活服务设施用地比例" in r for r in with_risks.reasons)
    rejected = propose([ok, risky, bad], none)
    assert rejected.result == "reject" and rejected.result_zh == "建议不予通过"
    assert rejected.reasons[0].startswith("容积率不符合控制指标")
    assert len(rejected.reasons) == 2


def test_energy_review_is_only_a_reminder():
    ok = evaluate_indicator(INTENSITY, D(200))
    proposal = propose([ok], energy_review(D(20000), None))
    assert proposal.result == "approve"
    assert any("节能审查" in r for r in proposal.reasons)


# --------------------------------------------------------------------------- evaluate

INDICATOR_KEYS = {"code", "name_zh", "unit", "comparator", "threshold", "threshold_high", "threshold_text",
                  "measured_at", "measured_at_zh", "planned", "verdict", "verdict_zh", "arithmetic"}
ASSESSMENT_KEYS = {"code", "kind", "name", "authority", "valid_from", "valid_until", "conditions", "reusable",
                   "reasons"}
PLANNED = {"investment_intensity": D(180), "far": D("1.4"), "office_share": D(5), "tax_per_mu": D(30),
           "rnd_ratio": D(3)}


def test_evaluate_to_dict_matches_contract():
    result = evaluate(SPECS, PLANNED, [ASSESSMENT], 1, "3983", TODAY, D(800), D(4_000_000)).to_dict()
    json.dumps(result, ensure_ascii=False)
    assert set(result) == {"rules_version", "margin", "indicators", "assessments", "energy", "proposal"}
    assert result["rules_version"] == "standard_land/1" and result["margin"] == "0.10"
    assert [i["code"] for i in result["indicators"]] == [s.code for s in SPECS]
    assert all(set(i) == INDICATOR_KEYS for i in result["indicators"])
    assert set(result["assessments"][0]) == ASSESSMENT_KEYS
    assert set(result["energy"]) == {"annual_energy_tce", "annual_electricity_kwh", "needed", "level", "reason"}
    assert set(result["proposal"]) == {"result", "result_zh", "reasons"}
    first = result["indicators"][0]
    assert first == {"code": "investment_intensity", "name_zh": "固定资产投资强度", "unit": "万元/亩",
                     "comparator": "ge", "threshold": "150", "threshold_high": None,
                     "threshold_text": "≥ 150 万元/亩", "measured_at": "completion", "measured_at_zh": "竣工验收时",
                     "planned": "180", "verdict": "pass", "verdict_zh": "符合",
                     "arithmetic": "计划值 180 ≥ 控制值 150，高出 30（20.0%）"}
    assert result["indicators"][1]["threshold_high"] == "1.8"
    assert result["indicators"][1]["threshold_text"] == "1～1.8"
    assert result["energy"]["annual_electricity_kwh"] == "4000000"
    assert result["proposal"]["result"] == "approve"


def test_evaluate_missing_planned_values():
    partial = {"investment_intensity": D(180), "far": None}
    with pytest.raises(ValueError, match="far") as err:
        evaluate(SPECS, partial, [], 1, "3983", TODAY, None, None)
    assert "office_share" in str(err.value) and "investment_intensity" not in str(err.value)


def test_evaluate_accepts_rows():
    row = ParcelIndicator(parcel_id=1, code="investment_intensity", name_zh="固定资产投资强度", unit="万元/亩",
                          comparator="ge", threshold=D("150.0000"), measured_at="completion")
    assessment = RegionalAssessment(code="QP", kind="plan_eia", name="规划环评", authority="生态环境局",
                                    valid_from=date(2024, 1, 1), allowed_industry_codes=[], conditions="")
    spec = AssessmentSpec.from_row(assessment, parcel_ids=[1])
    result = evaluate([row], {"investment_intensity": D(140)}, [spec], 1, "3983", TODAY, None, None)
    assert result.indicators[0].spec == IndicatorSpec.from_row(row)
    assert result.proposal.result == "reject"
    assert result.assessments[0].reusable


# --------------------------------------------------------------------------- verify

LIABILITY = Liability(land_price_wan=D(1000), damages_rate=D(1), rectification_months=6, credit_record=True)
COMMITTED = {"investment_intensity": D(180), "office_share": D(7), "tax_per_mu": D(30), "rnd_ratio": D(3)}
ROW_KEYS = {"code", "name_zh", "unit", "comparator", "committed", "committed_text", "actual", "met", "shortfall",
            "shortfall_ratio", "arithmetic"}
CONSEQUENCE_KEYS = {"rectification_deadline", "rectification_months", "damages_wan", "damages_formula",
                    "credit_record", "statements"}


def completion(actual, liability=LIABILITY, measured_on=date(2026, 12, 31)):
    return verify(SPECS, COMMITTED, actual, "completion", measured_on, liability)


def test_verify_all_met():
    result = completion({"investment_intensity": D(185), "far": D("1.2"), "office_share": D(7)})
    assert result.all_met
    data = result.to_dict()
    json.dumps(data, ensure_ascii=False)
    assert set(data) == {"checkpoint", "checkpoint_zh", "rows", "all_met", "consequences"}
    assert data["checkpoint_zh"] == "对标验收"
    assert all(set(r) == ROW_KEYS for r in data["rows"])
    c = data["consequences"]
    assert set(c) == CONSEQUENCE_KEYS
    assert c["rectification_deadline"] is None and c["damages_wan"] is None and c["credit_record"] is False
    assert "达到承诺标准" in c["statements"][0]


def test_verify_ge_shortfall_damages_by_hand():
    result = completion({"investment_intensity": D(170), "far": D("1.2"), "office_share": D(6)})
    data = result.to_dict()
    row = data["rows"][0]
    assert row == {"code": "investment_intensity", "name_zh": "固定资产投资强度", "unit": "万元/亩", "comparator": "ge",
                   "committed": "180", "committed_text": "≥ 180 万元/亩", "actual": "170", "met": False,
                   "shortfall": "10", "shortfall_ratio": "0.0556",
                   "arithmetic": "实际值 170 < 承诺值 180，差额 10（5.56%）"}
    c = data["consequences"]
    # 1000 万元 × 10/180 × 1 = 55.555… → 55.56
    assert c["damages_wan"] == "55.56"
    assert c["damages_formula"] == "违约金 = 出让价款 1000 万元 × 差额比例 5.56% × 系数 1 = 55.56 万元"
    assert c["rectification_deadline"] == "2027-06-30" and c["rectification_months"] == 6
    assert c["credit_record"] is True
    assert any("纳入企业信用记录" in s for s in c["statements"])
    assert any("55.56万元" in s for s in c["statements"])
    half = completion({"investment_intensity": D(170), "far": D("1.2"), "office_share": D(6)},
                      Liability(D(1000), D("0.5"), 3, False))
    assert half.consequences.damages_wan == D("27.78")  # 1000 × 0.0555… × 0.5 = 27.777…
    assert not any("信用" in s for s in half.consequences.statements)


def test_verify_le_excess():
    result = completion({"investment_intensity": D(200), "far": D("1.2"), "office_share": D(8)},
                        Liability(D(700), D(1), 6, True))
    row = result.to_dict()["rows"][2]
    assert row["met"] is False and row["shortfall"] == "1" and row["shortfall_ratio"] == "0.1429"
    assert row["arithmetic"] == "实际值 8 > 承诺值 7，超出 1（14.29%）"
    assert result.consequences.damages_wan == D("100.00")  # 700 × 1/7 × 1


def test_verify_between_band():
    below = completion({"investment_intensity": D(200), "far": D("0.8"), "office_share": D(5)},
                       Liability(D(500), D(1), 6, True))
    row = below.to_dict()["rows"][1]
    assert row["committed_text"] == "1～1.8"
    assert row["shortfall"] == "0.2" and row["shortfall_ratio"] == "0.2000"
    assert below.consequences.damages_wan == D("100.00")  # 500 × 0.2/1 × 1
    above = completion({"investment_intensity": D(200), "far": D("2"), "office_share": D(5)},
                       Liability(D(900), D(1), 6, True))
    row = above.to_dict()["rows"][1]
    assert row["shortfall"] == "0.2" and row["shortfall_ratio"] == "0.1111"
    assert above.consequences.damages_wan == D("100.00")  # 900 × 0.2/1.8 × 1
    inside = completion({"investment_intensity": D(200), "far": D("1.8"), "office_share": D(5)})
    assert inside.all_met


def test_verify_damages_cap():
    result = completion({"investment_intensity": D(36), "far": D("0.2"), "office_share": D(7)})
    # ratios 144/180 = 0.8 and 0.8/1 = 0.8 → 1000 × 1.6 × 1 = 1600 > cap 1000
    c = result.consequences
    assert c.damages_wan == D("1000.00")
    assert "上限" in c.damages_formula and "1600.00" in c.damages_formula
    assert "固定资产投资强度 80.00%" in c.damages_formula and "容积率 80.00%" in c.damages_formula


def test_verify_without_land_price():
    result = completion({"investment_intensity": D(170), "far": D("1.2"), "office_share": D(6)},
                        Liability(None, D(1), 6, True))
    c = result.to_dict()["consequences"]
    assert c["damages_wan"] is None
    assert any("出让合同" in s and "确定" in s for s in c["statements"])


def test_verify_checkpoint_filtering():
    ramp = verify(SPECS, COMMITTED, {"tax_per_mu": D(25), "rnd_ratio": D(3)}, "ramp_up_end", date(2029, 6, 30),
                  LIABILITY)
    assert [r.spec.code for r in ramp.rows] == ["tax_per_mu", "rnd_ratio"]
    assert ramp.to_dict()["checkpoint_zh"] == "达产复核"
    assert not ramp.all_met
    assert ramp.consequences.damages_wan == D("166.67")  # 1000 × 5/30 × 1
    done = completion({"investment_intensity": D(200), "far": D("1.2"), "office_share": D(5)})
    assert [r.spec.code for r in done.rows] == ["investment_intensity", "far", "office_share"]


def test_verify_missing_values():
    with pytest.raises(ValueError, match="far"):
        completion({"investment_intensity": D(200), "office_share": D(5)})
    with pytest.raises(ValueError, match="office_share"):
        verify(SPECS, {"investment_intensity": D(180)}, {"investment_intensity": D(200), "far": D("1.2"),
                                                         "office_share": D(5)}, "completion", TODAY, LIABILITY)
    with pytest.raises(ValueError):
        verify(SPECS, COMMITTED, {}, "annual", TODAY, LIABILITY)


@pytest.mark.parametrize(("measured_on", "deadline"), [
    (date(2026, 8, 31), "2027-02-28"), (date(2027, 8, 31), "2028-02-29"), (date(2026, 12, 31), "2027-06-30"),
])
def test_rectification_deadline_calendar_months(measured_on, deadline):
    result = completion({"investment_intensity": D(170), "far": D("1.2"), "office_share": D(6)},
                        measured_on=measured_on)
    assert result.to_dict()["consequences"]["rectification_deadline"] == deadline


def test_liability_from_parcel_row():
    parcel = Parcel(base_id=1, number="2026-01", location="松山湖", area_m2=D("10000"), land_price_wan=D("1000.00"),
                    rectification_months=12, damages_rate=D("0.5000"), credit_record=False)
    assert Liability.from_row(parcel) == Liability(D("1000.00"), D("0.5"), 12, False)
    assert Liability.from_row(SimpleNamespace(land_price_wan=None, damages_rate=D(1), rectification_months=6,
                                              credit_record=True)).land_price_wan is None
