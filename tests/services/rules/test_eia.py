"""EIA classification rules: encoding, conditions, units, notes 4 and 6, art. 4/5, validation,
questions, missing answers, commitment-route eligibility and configuration swaps."""

import json
import re
from datetime import date
from pathlib import Path

import pytest

from services.eia import rules as eia
from services.eia.eligibility import (
    check_commitment_route,
    has_plan_eia,
    load_commitment_config,
    plan_eia_for,
)
from services.eia.rules import (
    EXAMPLE_FACTS,
    CatalogueError,
    EiaFacts,
    EiaFactsError,
    MissingAnswers,
    classify,
    load_catalogue,
    parse_facts,
    questions_for,
)

SOURCE = Path(__file__).resolve().parents[2] / "data" / "eia_catalogue_2021.json"  # the extract, kept in the repo
DATA = Path(eia.__file__).parent / "data"


def facts(*codes: str, building=True, sensitive=(), **answers) -> dict:
    """Codes: the first is the main works; quantities as (value, unit) tuples, facts as booleans."""
    return {"industry_codes": [{"code": c, "role": "main" if i == 0 else "ancillary"} for i, c in enumerate(codes)],
            "in_industrial_building": building, "sensitive_areas": None if sensitive is None else list(sensitive),
            "facts": {k: v for k, v in answers.items() if isinstance(v, bool)},
            "quantities": {k: {"value": v[0], "unit": v[1]} for k, v in answers.items() if isinstance(v, tuple)}}


NO_COATING = {"solvent_coating": ("0", "t/a"), "low_voc_coating": ("0", "t/a")}


# --------------------------------------------------------------------------- the encoded catalogue


# the rows encoded so far (issue 18: all 173)
ENCODED = set(range(1, 174))


def test_catalogue_loads_with_version_and_rows():
    catalogue = load_catalogue()
    assert catalogue.version == "national-2021"
    numbers = {r.no for r in catalogue.rows}
    assert numbers >= ENCODED


def test_rows_are_verbatim_copies_of_the_catalogue_text():
    source = {r["no"]: r for r in json.loads(SOURCE.read_text(encoding="utf-8"))["rows"]}
    assert len(source) == 173
    manufacturing = [n for n, r in source.items() if re.search(r"\b(1[3-9]|[2-3]\d|4[0-3])$", r["section"].strip())]
    catalogue = load_catalogue()
    assert set(manufacturing) == set(range(15, 87))
    assert {r.no for r in catalogue.rows} == ENCODED
    for row in catalogue.rows:
        src = source[row.no]
        assert (row.section, row.category, row.sensitive_area_meaning) == \
            (src["section"], src["category"], src["sensitive_area_meaning"]), row.no
        assert dict(row.cells) == {k: src[k] for k in ("report_book", "report_form", "registration")}, row.no
        # every art. 3 entry is a piece of the row's last column, and every "；" piece of it is encoded
        assert all(entry.text in src["sensitive_area_meaning"] for entry in row.sensitive), row.no
        pieces = [p for p in src["sensitive_area_meaning"].split("；") if p]
        assert all(any(entry.text in piece for entry in row.sensitive) for piece in pieces), row.no
        for level in eia.LEVELS:  # "/" ⇔ no condition
            assert (src[level] == "/") == (not row.levels[level]), (row.no, level)
        if not row.codes_assigned:
            category = src["category"].split("（")[0] if row.no == 85 else src["category"]
            found = {c + s for c, s in re.findall(r"(\d{3,4})\s*(\*?)", category)}
            assert {r.prefix + ("*" if r.star else "") for r in row.codes} == found, row.no


# Rows that share a code on purpose: each of them names, in a [[rows.not_applicable]] entry, the fact that
# tells them apart (e.g. 7820 环境卫生管理: 转运站 105, 集中处置 106, 粪便处置 107; 4811 铁路 132–134).
SHARED_CODE_ROWS = {90, 101, 102, 105, 106, 107, 120, 121, 132, 133, 134, 138, 139, 140, 141, 142, 143, 144, 147, 148,
                    151, 154, 156, 157, 158, 159, 160, 162, 163}
# Rows that both apply to a code, the higher level deciding (art. 4): 0933 uranium mining is 有色金属矿采选 (row 10)
# and 铀矿开采 (row 169).
BOTH_APPLY = {frozenset({10, 169})}


def test_no_code_falls_into_two_rows():
    catalogue = load_catalogue()
    prefixes = [(ref.prefix, row.no) for row in catalogue.rows for ref in row.codes]
    for p, no in prefixes:
        others = [n for q, n in prefixes if n != no and (q.startswith(p) or p.startswith(q))]
        if others and frozenset({no, *others}) in BOTH_APPLY:
            continue
        if others:  # a shared code: every row involved is listed and has a selecting exclusion
            assert {no, *others} <= SHARED_CODE_ROWS, (p, no, others)
            assert all(catalogue.row(n).not_applicable for n in (no, *others)), (p, no, others)


def test_a_broken_file_is_refused(tmp_path):
    text = (DATA / "eia_catalogue_2021.toml").read_text(encoding="utf-8")
    bad = text.replace('fact = "fermentation"', 'fact = "fermentaton"', 1)
    bad = bad.replace('questions = "eia_questions.toml"', f'questions = "{DATA / "eia_questions.toml"}"')
    (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(CatalogueError, match="fermentaton"):
        load_catalogue(tmp_path / "bad.toml")


# --------------------------------------------------------------------------- conditions


@pytest.mark.parametrize(("answers", "level"), [
    ({"fermentation": True, "annual_processing": ("100", "t/a")}, "report_form"),
    ({"fermentation": False, "annual_processing": ("10000", "t/a")}, "report_form"),
    ({"fermentation": False, "annual_processing": ("9999.99", "t/a")}, "not_managed"),
    ({"fermentation": False, "annual_processing": ("1", "万t/a")}, "report_form"),
])
def test_alternatives_in_a_cell_are_or(answers, level):
    assert classify(facts("1311", **answers)).level == level


def test_every_fired_alternative_is_reported():
    result = classify(facts("1311", fermentation=True, annual_processing=("2", "万t/a")))
    assert result.trail[0]["fired"] == ["含发酵工艺的", "年加工1万吨及以上的"]


def test_chuwai_exclusions_carve_out_and_are_named():
    result = classify(facts("3311", electroplating=False, cwa_only=True, **NO_COATING))
    assert result.level == "not_managed"
    report_form = result.trail[0]["checked"][1]
    assert report_form["conditions"][0]["except"] == ["仅分割、焊接、组装的除外"]
    assert "仅分割、焊接、组装的除外" in result.trail[0]["explanation_zh"]
    # a little low-VOC coating cannot make a machining plant exempt
    machining = classify(facts("3311", electroplating=False, cwa_only=False, solvent_coating=("0", "t/a"),
                               low_voc_coating=("5", "t/a")))
    assert machining.level == "report_form"


def test_bracket_exclusion_of_the_report_book_falls_to_the_report_form():
    result = classify(facts("3612", electroplating=False, assembly_only=True, coating_only=False, **NO_COATING))
    entry = result.trail[0]
    assert entry["checked"][0]["conditions"][0]["except"] == ["仅组装的除外"]
    assert entry["level"] == "report_form"


def test_star_note_applies_only_in_industrial_buildings():
    inside = classify(facts("1340", raw_sugar=False, repacking_only=False))
    outside = classify(facts("1340", building=False))
    assert inside.level == "report_form" and outside.level == "not_managed"
    assert outside.trail[0]["applies"] is False and "注4" in outside.trail[0]["explanation_zh"]
    # a code without "*" applies wherever production happens
    assert classify(facts("1363", building=False)).level == "report_form"
    # row 83 marks only 403*: clocks outside a building are not listed, instruments are
    assert classify(facts("4031", building=False, electroplating=True)).level == "not_managed"
    assert classify(facts("4011", building=False, electroplating=True)).level == "report_book"


@pytest.mark.parametrize(("capacity", "level"), [
    (("0.7", "MW"), "not_managed"), (("1", "t/h"), "not_managed"), (("700", "kW"), "not_managed"),
    (("0.71", "MW"), "report_form"), (("1.01", "t/h"), "report_form"),
])
def test_gas_boiler_t_h_and_mw(capacity, level):
    result = classify(facts("4430", gas_boiler_capacity=capacity, coal_oil_boiler_capacity=("0", "t/h"),
                            boiler_other_high_polluting_fuel=False))
    assert result.level == level


@pytest.mark.parametrize(("capacity", "level"), [
    (("45.5", "MW"), "report_form"), (("65", "t/h"), "report_form"), (("45.51", "MW"), "report_book"),
    (("65.01", "t/h"), "report_book"), (("0.5", "t/h"), "report_form"),
])
def test_coal_boiler_65_t_h_is_45_5_mw(capacity, level):
    result = classify(facts("4430", coal_oil_boiler_capacity=capacity))
    assert result.level == level


def test_converted_quantities_are_shown_in_the_trail():
    result = classify(facts("4430", gas_boiler_capacity=("1.4", "MW"), coal_oil_boiler_capacity=("0", "t/h"),
                            boiler_other_high_polluting_fuel=False))
    assert result.trail[0]["facts_used"]["quantities.gas_boiler_capacity"] == "1.4 MW（折合 2 t/h）"


@pytest.mark.parametrize("detail", ["electroless_plating", "anodizing"])
def test_electroless_plating_and_anodising_count_as_electroplating(detail):
    result = classify(facts("3322", electroplating=False, **{detail: True}))
    assert result.level == "report_book"
    entry = result.trail[0]
    assert entry["condition"] == "有电镀工艺的" and "注6" in entry["explanation_zh"]
    assert entry["facts_used"][f"facts.{detail}"] is True


def test_art4_takes_the_highest_level_across_rows():
    result = classify(facts("3484", "3360", "4430", electroplating=True, gas_boiler_capacity=("2", "t/h")))
    final = result.trail[-1]
    assert result.level == "report_book" and final["step"] == "art4"
    assert {r["row"]: r["level"] for r in final["rows"]} == {69: "report_book", 67: "report_book", 91: "report_form"}
    assert final["decided_by"] == [67, 69] and result.rows == (67, 69)
    assert "第四条" in final["rule_zh"]


def test_art4_a_managed_row_wins_over_an_exempt_one():
    result = classify(facts("3311", "4620", electroplating=False, cwa_only=True, industrial_ww=True,
                            ww_upgrade_only=False, captive_domestic_only=False, indirect_discharge=False,
                            **NO_COATING))
    assert result.level == "report_form" and result.rows == (95,)


def test_art5_unlisted_industry_is_not_managed():
    result = classify(facts("1411"))
    assert result.level == "not_managed" and result.level_zh == "不纳入建设项目环境影响评价管理"
    assert result.trail[0]["step"] == "code" and result.trail[0]["row"] is None
    assert result.trail[-1]["step"] == "art5" and "第五条" in result.trail[-1]["rule_zh"]


def test_nuclear_fuel_and_radiation_processing_are_classified_now():
    """Formerly refused (not_covered: rows 167 and 172 were not encoded)."""
    assert not load_catalogue().not_covered
    fuel = classify(facts("2530", new_expand_decommission=True, subcritical_assembly=False,
                          nonradioactive_in_control_area=False))
    assert fuel.level == "report_book" and fuel.rows == (167,) and fuel.complete
    assert classify(facts("4120", class3_ray_device=True)).level == "registration"


def test_every_division_is_covered_and_unlisted_codes_are_art5():
    catalogue = load_catalogue()
    for division in range(1, 98):
        assert catalogue.coverage_problem(f"{division:02d}99") is None, division
    assert catalogue.coverage_problem("9901") and catalogue.coverage_problem("0001")
    result = classify(facts("6513"))
    assert result.level == "not_managed" and result.trail[-1]["step"] == "art5"


def test_row_exclusion_in_the_category_sends_to_another_row():
    result = classify(facts("4210", hazardous_waste_feedstock=True, in_house_recycling=False,
                            collection_storage_only=False))
    assert result.trail[0]["applies"] is False and "第101行" in result.trail[0]["explanation_zh"]
    assert result.level == "report_book" and result.rows == (101,)


def test_result_is_json_able():
    result = classify(EXAMPLE_FACTS["report_form"]["value"])
    data = result.to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["catalogue_version"] == "national-2021" and data["level_zh"] == "环境影响报告表"


@pytest.mark.parametrize("level", ["report_book", "report_form", "registration", "not_managed"])
def test_openapi_examples_give_their_level(level):
    result = classify(EXAMPLE_FACTS[level]["value"])
    assert result.level == level and result.complete


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(("data", "field", "fragment"), [
    (facts("3311", foo=True), "facts.foo", "不是本环评分类配置"),
    (facts("3311", solvent_coating=("1", "吨")), "quantities.solvent_coating.unit", "只能是t/a、kg/a"),
    (facts("3311", gas_boiler_capacity=("1", "t/a")), "quantities.gas_boiler_capacity.unit", "t/h、MW、kW"),
    (facts("3311", bogus=("1", "t/a")), "quantities.bogus", "定义的数量"),
    (facts("33a1"), "industry_codes.0.code", "行业代码应为4位数字"),
    (facts("9901"), "industry_codes.0.code", "不在本环评分类配置"),
    (facts("3311", solvent_coating=("-1", "t/a")), "quantities.solvent_coating.value", "不能为负数"),
    ({**facts("3311"), "sensitive_areas": [4]}, "sensitive_areas.0", "1、2、3"),
    ({**facts("3311"), "colour": "red"}, "colour", "未知字段"),
    ({"industry_codes": []}, "industry_codes", "请至少填写一个行业代码"),
    ({**facts("3311"), "facts": {"electroplating": "maybe"}}, "facts.electroplating", "true（是）或 false（否）"),
])
def test_bad_facts_get_a_chinese_message_per_field(data, field, fragment):
    with pytest.raises(EiaFactsError) as raised:
        classify(data)
    assert field in raised.value.errors, raised.value.errors
    assert fragment in raised.value.errors[field]


def test_the_model_itself_rejects_unknown_keys():
    with pytest.raises(ValueError, match="facts.foo"):
        EiaFacts.model_validate(facts("3311", foo=True))


# --------------------------------------------------------------------------- questions


def keys(codes):
    return [q.key for q in questions_for(codes)]


def test_questions_only_for_what_matched_rows_need():
    always = ["in_industrial_building", "sensitive_areas"]
    assert keys(["2720"]) == always  # 仅化学药品制剂制造: report form whatever the answers
    assert keys(["1363"]) == always  # 鱼油提取: report form by its class
    assert keys(["1411"]) == always  # not listed at all
    assert keys(["1311"]) == always + ["fermentation", "annual_processing"]
    assert keys(["3311"]) == always + ["electroplating", "electroless_plating", "anodizing", "solvent_coating",
                                       "cwa_only", "low_voc_coating"]
    # a class-specific condition of the row asks nothing for another class (row 59: 3071 vs 3072)
    assert "sanitary_ceramic_output" not in keys(["3071"]) and "sanitary_ceramic_output" in keys(["3072"])
    # row 85's exclusion brings row 101's questions
    assert {"hazardous_waste_feedstock", "in_house_recycling"} <= set(keys(["4220"]))


def test_questions_carry_text_units_and_targets():
    by_key = {q.key: q for q in questions_for(["4430", "7010"])}
    boiler = by_key["gas_boiler_capacity"]
    assert boiler.kind == "quantity" and boiler.units == ("t/h", "MW", "kW") and boiler.rows == (91,)
    assert boiler.target == "quantities.gas_boiler_capacity"
    assert by_key["standard_factory"].target == "facts.standard_factory"
    assert by_key["sensitive_areas"].rows == (97,) and by_key["sensitive_areas"].kind == "parts"
    star = {q.key: q for q in questions_for(["1340"])}["in_industrial_building"]
    assert star.rows == (17,)
    assert json.dumps([q.to_dict() for q in by_key.values()], ensure_ascii=False)


def test_questions_for_a_bad_code():
    with pytest.raises(EiaFactsError, match="4位数字"):
        questions_for(["331"])


# --------------------------------------------------------------------------- missing answers


def test_missing_answers_are_assumed_visibly_not_guessed():
    result = classify(facts("3311"))
    assert result.level == "report_form" and not result.complete
    assert set(result.questions_unanswered) == {"electroplating", "solvent_coating", "cwa_only", "low_voc_coating"}
    text = " ".join(result.trail[0]["assumptions"])
    assert "按“否”处理" in text and "按0处理" in text
    assert "含假定" in result.trail[0]["explanation_zh"]


def test_strict_mode_raises_naming_the_questions():
    with pytest.raises(MissingAnswers, match="是否有电镀工艺") as raised:
        classify(facts("3311"), strict=True)
    assert "electroplating" in raised.value.keys


def test_answers_that_cannot_change_the_level_are_not_asked_for():
    result = classify(facts("3360", electroplating=True))
    assert result.level == "report_book" and result.complete


def test_unanswered_building_is_assumed_inside_and_reported():
    data = facts("1340", raw_sugar=False, repacking_only=False)
    data["in_industrial_building"] = None
    result = classify(data)
    assert result.level == "report_form" and result.questions_unanswered == ("in_industrial_building",)
    assert "工业建筑" in result.trail[0]["assumptions"][0]


def test_unanswered_sensitive_area_is_reported():
    result = classify(facts("7010", sensitive=None))
    assert result.level == "not_managed" and "sensitive_areas" in result.questions_unanswered


# --------------------------------------------------------------------------- commitment route

PHONES = dict(electroplating=False, cwa_only=False, **NO_COATING)
MEAT = {**facts("1353", slaughtering=False, meat_processing=True, electroplating=False),
        "quantities": {"meat_processing": {"value": "8000", "unit": "t/a"}}}


def eligibility(data, plan=True, config=None):
    return check_commitment_route(classify(data), data, plan, config)


def failed(result):
    return [c.key for c in result.conditions if not c.met]


def test_a_report_form_project_in_a_park_with_plan_eia_is_eligible():
    result = eligibility(facts("3921", **PHONES))
    assert result.eligible and failed(result) == []
    assert [c.key for c in result.conditions] == ["level", "plan_eia", "not_sensitive", "not_electroplating",
                                                  "positive_list"]
    assert result.config_version == "commitment-default/1" and result.catalogue_version == "national-2021"
    assert "自愿" in result.voluntary_zh
    assert json.dumps(result.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize(("data", "plan", "key", "fragment"), [
    (facts("3921", "4430", coal_oil_boiler_capacity=("70", "t/h"), **PHONES), True, "level", "报告书"),
    (MEAT, True, "level", "登记表"),
    (facts("3921", cwa_only=True, electroplating=False, **NO_COATING), True, "level", "不纳入环评管理"),
    (facts("3921", **PHONES), False, "plan_eia", "未完成规划环评"),
    (facts("3921", sensitive=[3], **PHONES), True, "not_sensitive", "第三条（三）"),
    (facts("3921", sensitive=None, **PHONES), True, "not_sensitive", "尚未回答"),
    (facts("3921", **{**PHONES, "electroplating": True}), True, "not_electroplating", "电镀工艺（含化学镀、阳极氧化）"),
    (facts("3921", **{**PHONES, "anodizing": True}), True, "not_electroplating", "电镀"),
    (facts("3921", cwa_only=False, **NO_COATING), True, "not_electroplating", "尚未回答"),
    (facts("2231", paper_converting=True, electroplating=False), True, "positive_list", "2231"),
])
def test_each_condition_fails_alone_with_its_explanation(data, plan, key, fragment):
    result = eligibility(data, plan)
    assert not result.eligible
    assert failed(result) == [key], [c.explanation_zh for c in result.conditions]
    assert fragment in next(c.explanation_zh for c in result.conditions if c.key == key)


def test_report_books_only_where_the_local_rule_allows(tmp_path):
    text = (DATA / "eia_commitment.toml").read_text(encoding="utf-8")
    (tmp_path / "city.toml").write_text(text.replace("allow_report_book = false", "allow_report_book = true")
                                        .replace('version = "commitment-default/1"', 'version = "city-2025/1"'),
                                        encoding="utf-8")
    data = facts("3921", "4430", coal_oil_boiler_capacity=("70", "t/h"), **PHONES)
    assert not eligibility(data).eligible
    local = eligibility(data, config=load_commitment_config(tmp_path / "city.toml"))
    assert local.eligible and local.config_version == "city-2025/1"


def test_a_city_positive_list(tmp_path):
    (tmp_path / "city.toml").write_text('version = "dongguan-2025/1"\npositive_list = ["3921", "3982"]\n'
                                        'source = "东莞市环评告知承诺制正面清单"\npublished_on = 2025-01-01\n'
                                        'excluded_facts = ["electroplating", "organic_solvents"]\n'
                                        '[explanations]\npositive_list_failed = "行业{codes}不在东莞正面清单内"\n',
                                        encoding="utf-8")
    city = load_commitment_config(tmp_path / "city.toml")
    ok = eligibility(facts("3921", organic_solvents=False, **PHONES), config=city)
    assert ok.eligible and ok.config_version == "dongguan-2025/1"
    assert "not_organic_solvents" in [c.key for c in ok.conditions]
    bad = eligibility(facts("3484", organic_solvents=False, **PHONES), config=city)
    assert failed(bad) == ["positive_list"]
    assert bad.failed[0].explanation_zh == "行业3484不在东莞正面清单内"


def test_a_city_catalogue_is_used_and_its_version_reported(tmp_path):
    text = (DATA / "eia_catalogue_2021.toml").read_text(encoding="utf-8")
    local = text.replace('version = "national-2021"', 'version = "guangdong-2025"').replace(
        'questions = "eia_questions.toml"', f'questions = "{DATA / "eia_questions.toml"}"')
    # the city treats any boiler of gas above 0.5 t/h as a report form
    local = local.replace('text = "天然气锅炉总容量1吨/小时（0.7兆瓦）以上的"\nquantity = "gas_boiler_capacity"\n'
                          'op = ">"\nvalue = "1"', 'text = "天然气锅炉总容量0.5吨/小时以上的"\n'
                          'quantity = "gas_boiler_capacity"\nop = ">"\nvalue = "0.5"')
    (tmp_path / "gd.toml").write_text(local, encoding="utf-8")
    catalogue = load_catalogue(tmp_path / "gd.toml")
    data = facts("4430", gas_boiler_capacity=("0.7", "t/h"), coal_oil_boiler_capacity=("0", "t/h"),
                 boiler_other_high_polluting_fuel=False)
    assert classify(data).level == "not_managed"
    result = classify(data, catalogue)
    assert result.level == "report_form" and result.catalogue_version == "guangdong-2025"
    assert parse_facts(data, catalogue).industry_codes[0].code == "4430"


# --------------------------------------------------------------------------- plan EIA from plain data

ASSESSMENTS = [
    {"kind": "energy", "valid_from": "2020-01-01", "valid_until": None, "parcel_ids": [1, 2, 3]},
    {"kind": "plan_eia", "code": "QP-1", "valid_from": date(2024, 1, 1), "valid_until": date(2028, 12, 31),
     "parcel_ids": [1, 2]},
    {"kind": "plan_eia", "code": "QP-2", "valid_from": "2027-01-01", "valid_until": None, "parcel_ids": [5]},
]


@pytest.mark.parametrize(("parcel", "on", "expected"), [
    (1, date(2026, 3, 2), True), (2, date(2028, 12, 31), True), (1, date(2029, 1, 1), False),
    (1, date(2023, 12, 31), False), (3, date(2026, 3, 2), False), (5, date(2026, 12, 31), False),
    (5, date(2040, 1, 1), True),
])
def test_has_plan_eia(parcel, on, expected):
    assert has_plan_eia(ASSESSMENTS, parcel, on) is expected


def test_plan_eia_for_returns_the_assessment():
    assert plan_eia_for(ASSESSMENTS, 2, date(2026, 3, 2))["code"] == "QP-1"
