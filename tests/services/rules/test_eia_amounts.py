"""环评: "用量未知（使用但数量不确定）" is an answer of its own — the level of each possible amount, the most
demanding one decided (``services.eia.rules``, issue 18)."""

import pytest

from services.eia import rules

METAL = {"industry_codes": [{"code": "3311", "role": "main"}], "in_industrial_building": True, "sensitive_areas": [],
         "facts": {"electroplating": False, "cwa_only": False}}
UNKNOWN = {"unknown": True, "unit": "t/a"}
NONE_USED = {"value": "0", "unit": "t/a"}


def test_an_unknown_amount_gives_the_level_of_each_possible_amount_and_the_most_demanding_decides():
    result = rules.classify(dict(METAL, quantities={"solvent_coating": UNKNOWN, "low_voc_coating": NONE_USED}))
    assert result.level == "report_book" and result.complete and result.questions_unanswered == ()
    [solvent] = result.unknown_amounts
    assert [(r["range_zh"], r["level"]) for r in solvent["ranges"]] == [("< 10 t/a", "report_form"),
                                                                       ("≥ 10 t/a", "report_book")]
    assert solvent["decided_for_zh"] == "≥ 10 t/a"
    last = result.trail[-1]
    assert last["step"] == "unknown_amounts" and last["explanation_zh"] == (
        "“年用溶剂型涂料（含稀释剂）量”用量未知：若 < 10 t/a：环境影响报告表；若 ≥ 10 t/a：环境影响报告书"
        " → 用量未知，按可能的最高级别确定：环境影响报告书")
    row = next(t for t in result.trail if t.get("step") == "row")
    assert row["facts_used"]["quantities.solvent_coating"] == "用量未知（按≥ 10 t/a判定）"
    assert "按0处理" not in str(result.to_dict())
    assert result.to_dict()["unknown_amounts"] == [solvent]


def test_an_omitted_amount_still_counts_as_zero_and_is_reported_unanswered():
    result = rules.classify(dict(METAL, quantities={"low_voc_coating": NONE_USED}))
    assert result.level == "report_form" and result.questions_unanswered == ("solvent_coating",)
    assert result.unknown_amounts == () and "按0处理" in str(result.trail)


def test_the_ranges_are_in_the_unit_the_applicant_chose():
    meat = {"industry_codes": [{"code": "1353", "role": "main"}], "in_industrial_building": True, "sensitive_areas": [],
            "facts": {"slaughtering": False, "meat_processing": True},
            "quantities": {"meat_processing": {"unknown": True, "unit": "万t/a"}}}
    result = rules.classify(meat)
    assert result.level == "report_form"
    assert result.unknown_amounts[0]["explanation_zh"] == (
        "“新增年肉类加工量”用量未知：若 < 2 万t/a：环境影响登记表；若 ≥ 2 万t/a：环境影响报告表")
    kg = rules.classify(dict(METAL, quantities={"solvent_coating": {"unknown": True, "unit": "kg/a"},
                                                "low_voc_coating": NONE_USED}))
    assert [r["range_zh"] for r in kg.unknown_amounts[0]["ranges"]] == ["< 10000 kg/a", "≥ 10000 kg/a"]


def test_an_amount_that_cannot_change_the_level_says_so():
    result = rules.classify(dict(METAL, quantities={"solvent_coating": NONE_USED, "low_voc_coating": UNKNOWN}))
    assert result.level == "report_form"
    assert result.unknown_amounts[0]["ranges"] == [{"range_zh": "任何用量", "level": "report_form",
                                                    "level_zh": "环境影响报告表"}]


def test_several_unknown_amounts_take_the_most_demanding_case_of_the_others():
    result = rules.classify(dict(METAL, quantities={"solvent_coating": UNKNOWN, "low_voc_coating": UNKNOWN}))
    assert result.level == "report_book" and [u["key"] for u in result.unknown_amounts] == [
        "solvent_coating", "low_voc_coating"]
    assert "每个区间取其他用量最不利的情形" in result.trail[-1]["explanation_zh"]


@pytest.mark.parametrize(("answer", "message"), [
    ({"unknown": True, "value": "3", "unit": "t/a"}, "已选择用量未知，不能同时填写数量"),
    ({"unit": "t/a"}, "或选择用量未知（unknown: true）"),
])
def test_unknown_and_a_value_exclude_each_other_and_one_is_needed(answer, message):
    with pytest.raises(rules.EiaFactsError) as refused:
        rules.classify(dict(METAL, quantities={"solvent_coating": answer}))
    assert message in refused.value.errors["quantities.solvent_coating.value"]


def test_the_schema_offers_the_unknown_answer():
    schema = rules.EiaFacts.model_json_schema()
    quantity = schema["$defs"]["QuantityIn"]["properties"]
    assert "unknown" in quantity and "用量未知" in quantity["unknown"]["description"]
