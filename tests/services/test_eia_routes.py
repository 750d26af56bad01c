"""Issue 18, EIA routes as data: the positive list's provenance, the 豁免 list, 简化环评内容 / 打捆, and the
illustrative label on pages' data and documents until a park loads its own files."""

from datetime import datetime

import pytest

from services.core.settings import get_settings
from services.eia import eligibility as el
from services.eia import exemption as ex
from services.eia import rules
from services.eia import service as eia
from services.eia import simplified as simp
from services.eia.provenance import EiaConfigError
from services.models import Project
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.document_files import needs_poppler, rendered_text
from tests.samples import ELECTRONICS, SAMPLE

EXAMPLE = "本正面清单为系统示例配置，非本地正式发布的清单"
PARK = ('version = "songshanhu-2026/1"\nsource = "《松山湖园区环评告知承诺制正面清单》（松环〔2026〕3号）"\n'
        'published_on = 2026-03-01\npositive_list = ["39"]\nexcluded_facts = ["electroplating"]\n')
WAREHOUSE = {"industry_codes": [{"code": "5920"}], "in_industrial_building": True, "sensitive_areas": [],
             "facts": {"hazardous_goods": False},
             "quantities": {"single_building_area": {"value": "1800", "unit": "m²"}}}


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- positive list provenance


def test_the_bundled_positive_list_says_it_is_an_example():
    config = el.load_commitment_config()
    assert config.provenance is not None and config.provenance.illustrative
    result = el.check_commitment_route(rules.classify(ELECTRONICS), ELECTRONICS, True, config).to_dict()
    assert result["positive_list"]["illustrative"] is True
    assert result["positive_list"]["note_zh"].startswith(EXAMPLE)


def test_a_park_positive_list_is_cited_by_source_and_date(tmp_path):
    config = el.load_commitment_config(_write(tmp_path, "park.toml", PARK))
    result = el.check_commitment_route(rules.classify(ELECTRONICS), ELECTRONICS, True, config).to_dict()
    assert result["eligible"] and result["config_version"] == "songshanhu-2026/1"
    listed = result["positive_list"]
    assert listed["illustrative"] is False and listed["published_on"] == "2026-03-01"
    assert listed["note_zh"] == ("本正面清单依据《松山湖园区环评告知承诺制正面清单》（松环〔2026〕3号）"
                                 "（2026年3月1日发布）")
    assert "示例" not in listed["note_zh"]


@pytest.mark.parametrize(("change", "key"), [
    (('source = "《松山湖园区环评告知承诺制正面清单》（松环〔2026〕3号）"\n', ""), "source"),
    (("published_on = 2026-03-01\n", ""), "published_on"),
    (("published_on = 2026-03-01", 'published_on = "2026年3月"'), "published_on"),
    (('version = "songshanhu-2026/1"\n', ""), "version"),
    (('positive_list = ["39"]\n', ""), "positive_list"),
    (('positive_list = ["39"]', "positive_list = [39]"), "positive_list"),
    (('excluded_facts = ["electroplating"]', 'excluded_facts = ["electroplatng"]'), "excluded_facts"),
    (('source = "', 'illustrative = "yes"\nsource = "'), "illustrative"),
])
def test_a_wrong_park_positive_list_is_refused_naming_the_key(tmp_path, change, key):
    path = _write(tmp_path, f"bad-{key}.toml", PARK.replace(*change))
    with pytest.raises(EiaConfigError, match=key):
        el.load_commitment_config(path)


# --------------------------------------------------------------------------- 豁免


def test_a_small_ordinary_warehouse_is_exempt_and_says_which_entry():
    classification = rules.classify(WAREHOUSE)
    result = ex.check_exemption(classification, WAREHOUSE).to_dict()
    assert result["applies"] is True and result["entry"]["key"] == "gz-simple-factory-warehouse"
    assert "豁免环评手续" in result["explanation_zh"] and "2500 m²" in result["explanation_zh"]
    assert "2500平方米" in result["entry"]["condition_zh"] and result["entry"]["inferred"] is True
    assert result["list"]["illustrative"] is True and "本豁免名录为系统示例配置" in result["list"]["note_zh"]


@pytest.mark.parametrize(("change", "reason"), [
    ({"quantities": {"single_building_area": {"value": "3000", "unit": "m²"}}}, "不符合"),
    ({"facts": {"hazardous_goods": True}}, "不符合"),
    ({"sensitive_areas": [3]}, "不符合"),
    ({"facts": {}}, "尚未回答"),
    ({"industry_codes": [{"code": "5920"}, {"code": "4430", "role": "ancillary"}]}, "未列出"),
])
def test_the_exemption_does_not_apply_when_a_condition_fails_or_is_unanswered(change, reason):
    facts = WAREHOUSE | change
    result = ex.check_exemption(rules.classify(facts), facts)
    assert result.applies is False and reason in result.explanation_zh
    if reason == "尚未回答":
        assert result.questions_unanswered == ("hazardous_goods",)


def test_an_exemption_never_lowers_a_report_book(tmp_path):
    hospital = {"industry_codes": [{"code": "8421"}], "in_industrial_building": False, "sensitive_areas": [],
                "facts": {"existing_building": True}, "quantities": {"hospital_beds": {"value": "600", "unit": "张"}}}
    classification = rules.classify(hospital)
    assert classification.level == "report_book"
    result = ex.check_exemption(classification, hospital)
    assert result.applies is False and "不降低报告书项目的类别" in result.explanation_zh
    # even a park entry with no condition at all for a plant that electroplates
    park = _write(tmp_path, "exempt.toml", (
        'version = "p/1"\nsource = "园区豁免清单"\npublished_on = 2026-01-01\n[[entries]]\nkey = "all"\n'
        'title = "全部金属表面处理"\ncondition_zh = "任何"\nsource = "测试"\ncodes = ["336"]\n'
        'max_level = "report_form"\n'))
    plating = {"industry_codes": [{"code": "3360"}], "in_industrial_building": True, "sensitive_areas": [],
               "facts": {"electroplating": True}}
    classification = rules.classify(plating)
    assert classification.level == "report_book"
    assert ex.check_exemption(classification, plating, ex.load_exemption_list(park)).applies is False
    with pytest.raises(EiaConfigError, match="max_level"):  # and no file may claim to waive a report book
        ex.load_exemption_list(_write(tmp_path, "book.toml", park.read_text(encoding="utf-8").replace(
            'max_level = "report_form"', 'max_level = "report_book"')))


def test_a_clinic_in_an_existing_building_without_beds_is_exempt_but_not_with_beds():
    clinic = {"industry_codes": [{"code": "8425"}], "in_industrial_building": False, "sensitive_areas": [],
              "facts": {"existing_building": True}, "quantities": {"hospital_beds": {"value": "0", "unit": "张"}}}
    assert ex.check_exemption(rules.classify(clinic), clinic).applies is True
    beds = clinic | {"quantities": {"hospital_beds": {"value": "30", "unit": "张"}}}  # 报告表 > the entry's 登记表
    result = ex.check_exemption(rules.classify(beds), beds)
    assert result.applies is False and "本条只豁免至环境影响登记表" in result.explanation_zh


@pytest.mark.parametrize(("entry", "key"), [
    ('codes = ["336"]\n', "codes"),
    ('[[entries.when]]\nfact = "no_such_fact"\n', "when.fact"),
    ('[[entries.when]]\nquantity = "single_building_area"\nop = "<"\nvalue = "2500"\nunit = "亩"\n', "unit"),
])
def test_a_wrong_park_exemption_list_is_refused_naming_the_key(tmp_path, entry, key):
    head = ('version = "p/1"\nsource = "园区豁免清单"\npublished_on = 2026-01-01\n[[entries]]\nkey = "x"\n'
            'title = "x"\ncondition_zh = "x"\nsource = "x"\n')
    text = head + ('codes = ["33a"]\n' if key == "codes" else 'codes = ["592"]\n' + entry)
    with pytest.raises(EiaConfigError, match=key.split(".")[0]):
        ex.load_exemption_list(_write(tmp_path, "bad.toml", text))


def test_the_wizard_asks_the_exemption_questions_of_the_entries_covering_the_codes():
    keys = [q.key for q in ex.exemption_questions(["5920"], ["in_industrial_building", "sensitive_areas"])]
    assert keys == ["hazardous_goods", "single_building_area"]
    assert ex.exemption_questions(["3983"], []) == []


# --------------------------------------------------------------------------- 简化环评内容 / 打捆


def test_simplified_content_with_and_without_a_plan_eia():
    result = simp.check_simplified("report_form", True, "松山湖规划环评（GH-1）：在有效期内")
    assert result["available"] is True
    assert any("区域环境质量现状调查" in c["text_zh"] for c in result["contents"])
    assert result["bundling"] and "打捆审批" in result["bundling"]["text_zh"] and result["bundling"]["inferred"]
    assert "本简化环评内容清单为系统示例配置" in result["list"]["note_zh"]
    missing = simp.check_simplified("report_form", False, "地块D-9没有有效且覆盖本行业的规划环评")
    assert missing["available"] is False and missing["contents"] == [] and missing["bundling"] is None
    assert "地块D-9" in missing["explanation_zh"]
    assert simp.check_simplified("registration", True, "…")["available"] is False


def test_a_wrong_simplified_list_is_refused_naming_the_key(tmp_path):
    text = 'version = "p/1"\nsource = "x"\npublished_on = 2026-01-01\nlevels = ["registration"]\n'
    with pytest.raises(EiaConfigError, match="levels"):
        simp.load_simplified_list(_write(tmp_path, "s1.toml", text))
    with pytest.raises(EiaConfigError, match="contents"):
        simp.load_simplified_list(_write(tmp_path, "s2.toml", text.replace('levels = ["registration"]\n', "")))


# --------------------------------------------------------------------------- the service, the park's files, documents


@pytest.fixture
def project(session):
    from services.core.users import get_by_username

    user = get_by_username(session, "enterprise")
    data = StandardLandApplicationInput.model_validate(SAMPLE)
    application = submit_application(session, user, data, f"eia-routes-{datetime.now().timestamp()}")[0]
    return session.get(Project, application.project_id)


@pytest.fixture
def park_files(tmp_path, monkeypatch):
    """A park's own three files, named by GC_EIA_COMMITMENT_FILE."""
    _write(tmp_path, "exempt.toml", 'version = "park-ex/1"\nsource = "《园区豁免清单》"\npublished_on = 2026-02-01\n'
           '[[entries]]\nkey = "w"\ntitle = "普通仓库"\ncondition_zh = "普通仓库"\nsource = "园区"\ncodes = ["592"]\n')
    _write(tmp_path, "simple.toml", 'version = "park-s/1"\nsource = "《园区规划环评简化清单》"\n'
           'published_on = 2026-02-02\n[[contents]]\nkey = "q"\ntext_zh = "引用园区规划环评现状监测数据"\n')
    path = _write(tmp_path, "park.toml", PARK + 'exemption_file = "exempt.toml"\nsimplified_file = "simple.toml"\n')
    monkeypatch.setenv("GC_EIA_COMMITMENT_FILE", str(path))
    get_settings.cache_clear()
    yield path
    monkeypatch.delenv("GC_EIA_COMMITMENT_FILE")
    get_settings.cache_clear()


def test_the_service_result_carries_every_route_with_its_provenance(session, project):
    decided = eia.classify(session, project, rules.EiaFacts.model_validate(ELECTRONICS))
    assert decided["plan_eia"]["done"] is True
    assert decided["eligibility"]["positive_list"]["note_zh"].startswith(EXAMPLE)
    assert decided["classification"]["exemption"]["applies"] is False
    assert decided["simplified"]["available"] is True and decided["simplified"]["contents"]
    assert decided["versions"]["exemption"] and decided["versions"]["simplified"]
    project.parcel_id = None  # no parcel: no plan EIA, so neither the commitment route nor simplified content
    decided = eia.classify(session, project, rules.EiaFacts.model_validate(ELECTRONICS))
    assert decided["simplified"]["available"] is False and decided["eligibility"]["eligible"] is False
    session.rollback()


def test_the_park_files_replace_the_examples(session, project, park_files):
    decided = eia.classify(session, project, rules.EiaFacts.model_validate(ELECTRONICS))
    assert decided["versions"]["eligibility"] == "songshanhu-2026/1"
    assert "松环〔2026〕3号" in decided["eligibility"]["positive_list"]["note_zh"]
    assert decided["simplified"]["contents"] == [{"key": "q", "text_zh": "引用园区规划环评现状监测数据"}]
    assert decided["simplified"]["list"]["note_zh"] == ("本简化环评内容清单依据《园区规划环评简化清单》"
                                                        "（2026年2月2日发布）")
    warehouse = eia.classify(session, project, rules.EiaFacts.model_validate(WAREHOUSE))
    assert warehouse["classification"]["exemption"]["entry"]["title"] == "普通仓库"
    assert warehouse["classification"]["exemption"]["list"]["illustrative"] is False


@needs_poppler
def test_the_commitment_letter_and_decision_print_the_example_note_or_the_park_source(session, project, tmp_path):
    from services.core.users import get_by_username

    data = eia.EiaApplicationInput.model_validate({"project_id": project.id, "scale": "年产智能传感器500万件",
                                                   "facts": ELECTRONICS, "route": "commitment",
                                                   "commitment_confirmed": True})
    application, _ = eia.submit(session, get_by_username(session, "enterprise"), data, "eia-routes-doc")
    session.flush()
    issued = datetime(2026, 12, 7, 10, 0)
    code = {"verification_code": "7KQ2-M9XD-4TPA"}  # documents.issue adds it when a document is issued
    letter = eia.commitment_letter_context(session, application, "东莞环诺〔2026〕1号", issued) | code
    decision = eia.decision_context(session, application, "东莞环审〔2026〕1号", issued) | code
    for kind, ctx in (("eia_commitment_letter", letter), ("eia_decision", decision)):
        text = rendered_text(tmp_path, kind, ctx)
        assert "本正面清单为系统示例配置，非本地正式发布的清单" in text, kind
    # an evaluation decided under the park's list prints its source and date, not the example sentence
    evaluation = eia.evaluation_of(session, application.id)
    evaluation.result = evaluation.result | {"eligibility": evaluation.result["eligibility"] | {"positive_list": {
        "note_zh": "本正面清单依据《松山湖园区环评告知承诺制正面清单》（松环〔2026〕3号）（2026年3月1日发布）"}}}
    session.add(evaluation)
    session.flush()
    text = rendered_text(tmp_path, "eia_decision",
                         eia.decision_context(session, application, "东莞环审〔2026〕2号", issued) | code)
    assert "松环〔2026〕3号" in text and "2026年3月1日发布" in text and "系统示例配置" not in text
