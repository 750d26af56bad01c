"""拿地即开工 documents (风险承诺书 and the four 证照 issued together): real WeasyPrint, python-docx, poppler
and LibreOffice; no mocks.

What each kind prints (the PDF text layer and the DOCX carry its key strings, a certificate's seal
block stays on one page) and how validation names what is missing or inconsistent; the checks every
kind passes (font, bytes, dates, LibreOffice) are in ``test_document_kinds.py``.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest

from services.documents import KINDS, render_docx, render_pdf, seal
from tests.document_files import docx_text, missing, needs_poppler, pdf_text, render_each, rendered_text, run, squash
from tests.document_samples import land_start as samples
from tests.document_samples import sample

LAND_START_KINDS = ("risk_commitment", "land_title_certificate", "land_use_planning_permit",
                    "construction_planning_permit", "construction_permit")
CERTIFICATE_KINDS = LAND_START_KINDS[1:]
TITLES = {
    "risk_commitment": ("拿地前预审风险承诺书", "险诺"),
    "land_title_certificate": ("不动产权证书", "不动产权"),
    "land_use_planning_permit": ("建设用地规划许可证", "地字"),
    "construction_planning_permit": ("建设工程规划许可证", "建字"),
    "construction_permit": ("建筑工程施工许可证", "施字"),
}
AUTHORITY_KEY = {
    "land_title_certificate": "registration_body",
    "land_use_planning_permit": "issuing_authority",
    "construction_planning_permit": "issuing_authority",
    "construction_permit": "issuing_authority",
}


def key_strings(kind: str, ctx: dict) -> list[str]:
    """What both formats must print for ``kind``, as it should read."""
    common = [TITLES[kind][0], ctx["number"], ctx["issuer"], ctx["verification_code"], ctx["case_no"]]
    if kind in CERTIFICATE_KINDS:
        common += [
            "中华人民共和国", "（电子证照）", "证照信息", "项目", "内容", "附记",
            f"本证与同批次其他证照（批次号 {ctx['batch_no']}）同时核发。",
            "本项目实行“拿地即开工”四证联发（案件编号 GC-2026-000123）。",
            f"发证机关：{ctx[AUTHORITY_KEY[kind]]}", "发证日期：2027年3月18日",
            "本文本由东莞市绿色通道服务中心于2027年3月18日生成",
        ]
    return common + _KEYS[kind](ctx)


def _risk_keys(ctx: dict) -> list[str]:
    return [
        "（拿地即开工）", "东莞市绿色通道服务中心及各相关审批部门：",
        "本单位东莞市松湖智能装备制造有限公司（统一社会信用代码：91350100M000100Y43）拟竞买松山湖智能装备产业基地"
        "2026WG031号宗地，投资建设松湖智能装备生产基地建设项目（案件编号 GC-2026-000123）。",
        "本单位申请在取得土地前由各相关审批部门对本项目的下列事项进行预审",
        "一、项目及宗地基本情况", "承诺单位：东莞市松湖智能装备制造有限公司", "法定代表人：陈立新",
        "宗地编号：2026WG031", "宗地坐落：东莞市松山湖高新区工业西路以北、科技九路以东",
        "宗地面积：20,000.00平方米（折合30.00亩）", "土地用途：工业用地（一类）",
        "二、申请预审事项", "1. 设计方案预审", "2. 施工图预审（含消防、人防）", "3. 环境影响评价", "4. 节能审查",
        "三、风险承诺",
        "（一）本单位已知悉本宗地以挂牌方式公开出让（挂牌出让：公告期20日、挂牌期10日），本单位参加竞买不必然竞得本宗地",
        "（二）本单位未竞得本宗地的，为预审发生的设计、施工图编制、评估评价等全部费用由本单位自行承担",
        "不以任何理由向政府及有关部门主张补偿、赔偿或者提出其他要求",
        "（三）预审结果仅用于本单位的本项目，在本单位竞得本宗地并签订国有建设用地使用权出让合同后方可生效",
        "不转交其他竞得人",
        "（四）本单位竞得本宗地后，按照经预审的设计方案和本宗地“标准地”控制指标进行建设",
        "（五）本单位对提交的全部申报材料的真实性、合法性和完整性负责",
        "本承诺书自本单位在绿色通道服务平台在线签署之日起生效。",
        "承诺单位：", "在线签署人：陈立新", "签署时间：2026年12月15日10时20分",
        "日期：2026年12月15日",
    ]


def _title_keys(ctx: dict) -> list[str]:
    return [
        "根据《中华人民共和国民法典》等法律法规，为保护不动产权利人合法权益", "准予登记，颁发此证。",
        "权利人", ctx["right_holder"], "共有情况", "单独所有", "坐落", ctx["parcel"]["location"],
        "不动产单元号", ctx["unit_number"], "权利类型", "国有建设用地使用权", "权利性质", "出让", "用途", "工业用地",
        "面积", "宗地面积20,000.00平方米", "使用期限", "2027年3月10日起2077年3月9日止",
        "权利其他状况", "宗地编号：2026WG031（松山湖智能装备产业基地）",
        "国有建设用地使用权出让合同号：441900-2027-000031",
        "注意事项：", "不动产权利以不动产登记簿记载为准",
    ]


def _land_planning_keys(ctx: dict) -> list[str]:
    return [
        "依据《中华人民共和国城乡规划法》第三十八条和国家有关规定",
        "国有建设用地使用权出让合同（合同编号 441900-2027-000031）",
        "经审核，本建设用地符合国土空间规划和用途管制要求，颁发此证。",
        "用地单位", ctx["enterprise_name"], "统一社会信用代码", ctx["uscc"], "用地项目名称", ctx["project_name"],
        "项目代码", ctx["project_code"], "用地位置", ctx["parcel"]["location"], "宗地编号", "2026WG031",
        "用地性质", "工业用地（一类）", "用地面积", "20,000.00平方米", "建设规模及规划条件",
        "1. 容积率1.0～1.8", "2. 建筑密度35%～65%", "5. 建筑限高45米",
        "附图及附件名称", "宗地界址图；规划条件（国有建设用地使用权出让合同附件）",
        "遵守事项：", "（二）未取得本证而占用土地的，属违法行为。",
    ]


def _construction_planning_keys(ctx: dict) -> list[str]:
    return [
        "依据《中华人民共和国城乡规划法》第四十条和国家有关规定，经审核，本建设工程符合国土空间规划和用途管制要求，颁发此证。",
        "建设单位", ctx["enterprise_name"], "建设项目名称", ctx["project_name"], "项目代码", ctx["project_code"],
        "建设位置", ctx["parcel"]["location"], "建设规模", "总建筑面积32,000.00平方米",
        "设计方案预审意见", "东莞市自然资源局设计方案预审意见（东自然资预审〔2026〕第0087号），预审通过",
        "附图及附件名称", "1. 总平面图", "2. 建筑单体平面、立面、剖面图", "3. 设计方案预审意见",
        "遵守事项：", "本证依据拿地前预审通过的设计方案核发",
    ]


def _construction_keys(ctx: dict) -> list[str]:
    return [
        "根据《中华人民共和国建筑法》第八条规定，经审查，本建筑工程符合施工条件，准予施工。",
        "建设单位", ctx["enterprise_name"], "法定代表人", "陈立新", "工程名称", ctx["project_name"],
        "项目代码", ctx["project_code"], "建设地址", ctx["parcel"]["location"], "建设规模", "建筑面积32,000.00平方米",
        "合同价格", "8,650.50万元", "设计单位", ctx["design_unit"], "施工单位", ctx["contractor"],
        "监理单位", ctx["supervisor_unit"], "合同工期", "2027年3月20日至2028年6月30日",
        "不动产权证书号", ctx["land_title_number"], "建设用地规划许可证号", ctx["land_planning_number"],
        "建设工程规划许可证号", ctx["construction_planning_number"], "施工图审查", ctx["drawing_review_ref"],
        "建设资金已落实（承诺制）",
        "注意事项：", "（一）本证放置施工现场，作为准予施工的凭证。",
        "建设单位应当自领取本证之日起三个月内开工", "延期以两次为限，每次不超过三个月",
        "既不开工又不申请延期或者超过延期时限的，本证自行废止（《中华人民共和国建筑法》第九条）",
    ]


_KEYS = {
    "risk_commitment": _risk_keys,
    "land_title_certificate": _title_keys,
    "land_use_planning_permit": _land_planning_keys,
    "construction_planning_permit": _construction_planning_keys,
    "construction_permit": _construction_keys,
}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    return render_each(tmp_path_factory.mktemp("land-start-pdf"), LAND_START_KINDS, "pdf")


@pytest.fixture(scope="module")
def docxs(tmp_path_factory) -> dict[str, Path]:
    return render_each(tmp_path_factory.mktemp("land-start-docx"), LAND_START_KINDS, "docx")


# --- registry and validation ------------------------------------------------------------------


@pytest.mark.parametrize("kind", LAND_START_KINDS)
def test_registered_with_its_title_and_number_word(kind):
    spec = KINDS[kind]
    assert (spec.title, spec.number_word, spec.template) == (*TITLES[kind], "sectioned.html")


_OWN_KEYS = {
    "risk_commitment": ["signed_by", "signed_at", "prereview_items", "listing_text"],
    "land_title_certificate": ["right_holder", "unit_number", "right_type", "right_nature", "land_use", "area_m2",
                               "term_from", "term_until", "contract_no", "registration_body", "batch_no"],
    "land_use_planning_permit": ["project_code", "land_use", "area_m2", "planning_conditions", "contract_no",
                                 "issuing_authority", "batch_no"],
    "construction_planning_permit": ["project_code", "building_area_m2", "scheme_opinion", "issuing_authority",
                                     "batch_no", "attachments"],
    "construction_permit": ["project_code", "building_area_m2", "contract_price_wan", "contractor", "supervisor_unit",
                            "design_unit", "planned_start", "planned_completion", "land_title_number",
                            "land_planning_number", "construction_planning_number", "drawing_review_ref",
                            "funds_committed", "issuing_authority", "batch_no"],
}
_COMMON_KEYS = ["number", "issuer", "issued_on", "verification_code", "enterprise_name", "uscc",
                "legal_representative", "case_no", "project_name", "parcel"]


@pytest.mark.parametrize("kind, key", [(kind, key) for kind in LAND_START_KINDS for key in _OWN_KEYS[kind]]
                         + [("construction_permit", key) for key in _COMMON_KEYS])
def test_a_missing_key_is_named(kind, key):
    ctx = sample(kind)
    del ctx[key]
    with pytest.raises(ValueError, match=f"{kind} context: .*missing {key}"):
        render_pdf(kind, ctx)


@pytest.mark.parametrize("kind", LAND_START_KINDS)
def test_every_missing_key_is_named_at_once(kind):
    with pytest.raises(ValueError) as raised:
        render_docx(kind, {})
    for key in _COMMON_KEYS + _OWN_KEYS[kind]:
        assert f"missing {key}" in str(raised.value), key


@pytest.mark.parametrize("kind", LAND_START_KINDS)
def test_parcel_keys_and_areas_are_checked(kind):
    parcel = samples.parcel()
    del parcel["location"]
    parcel["area_m2"] = "两万"
    with pytest.raises(ValueError, match=r"missing parcel\.location.*parcel\.area_m2 is not a decimal number"):
        render_pdf(kind, sample(kind, parcel=parcel))


def test_mistyped_common_values_are_named():
    ctx = sample("land_title_certificate", issued_on=datetime(2027, 3, 18, 9, 0), uscc=None, parcel="2026WG031")
    with pytest.raises(ValueError, match=r"issued_on must be a date, not a datetime.*uscc has type NoneType.*"
                                         r"parcel has type str"):
        render_pdf("land_title_certificate", ctx)


@pytest.mark.parametrize("kind", CERTIFICATE_KINDS)
def test_batch_and_issuing_body_must_not_be_blank(kind):
    authority = AUTHORITY_KEY[kind]
    with pytest.raises(ValueError, match=f"batch_no must not be empty.*{authority} must not be empty"):
        render_pdf(kind, sample(kind, batch_no=" ", **{authority: ""}))


def test_risk_commitment_checks_signer_items_listing_and_signing_date():
    kind = "risk_commitment"
    with pytest.raises(ValueError, match="signed_by must not be empty.*listing_text must not be empty"):
        render_pdf(kind, sample(kind, signed_by=" ", listing_text=""))
    with pytest.raises(ValueError, match="prereview_items needs at least 1 item"):
        render_pdf(kind, sample(kind, prereview_items=[]))
    with pytest.raises(ValueError, match=r"prereview_items\[1\] must be a str.*prereview_items\[2\] must not be empty"):
        render_pdf(kind, sample(kind, prereview_items=["设计方案预审", {"name": "节能审查"}, " "]))
    with pytest.raises(ValueError, match="signed_at must not be after issued_on"):
        render_pdf(kind, sample(kind, signed_at=datetime(2026, 12, 16, 8, 0)))
    with pytest.raises(ValueError, match="signed_at must not be after issued_on"):  # 16 Dec 00:30 in China
        render_pdf(kind, sample(kind, signed_at=datetime(2026, 12, 15, 16, 30, tzinfo=UTC)))
    with pytest.raises(ValueError, match="signed_at has type date"):
        render_pdf(kind, sample(kind, signed_at=date(2026, 12, 15)))


def test_title_term_must_run_forwards():
    kind = "land_title_certificate"
    for until in (date(2027, 3, 10), date(2027, 3, 9)):
        with pytest.raises(ValueError, match="term_from must be before term_until"):
            render_pdf(kind, sample(kind, term_until=until))
    with pytest.raises(ValueError, match="area_m2 is not a decimal number"):
        render_pdf(kind, sample(kind, area_m2="约2万"))


def test_land_planning_needs_conditions():
    kind = "land_use_planning_permit"
    with pytest.raises(ValueError, match="planning_conditions needs at least 1 item"):
        render_pdf(kind, sample(kind, planning_conditions=[]))
    with pytest.raises(ValueError, match=r"planning_conditions has type str"):
        render_pdf(kind, sample(kind, planning_conditions="容积率1.0～1.8"))


def test_construction_planning_checks_opinion_attachments_and_area():
    kind = "construction_planning_permit"
    with pytest.raises(ValueError, match=r"scheme_opinion must not be empty.*attachments\[0\] must be a str"):
        render_pdf(kind, sample(kind, scheme_opinion="", attachments=[1]))
    with pytest.raises(ValueError, match="building_area_m2 is not a decimal number"):
        render_pdf(kind, sample(kind, building_area_m2="32000㎡"))


def test_construction_permit_checks_dates_price_and_funds():
    kind = "construction_permit"
    with pytest.raises(ValueError, match="planned_start must not be after planned_completion"):
        render_pdf(kind, sample(kind, planned_completion=date(2027, 3, 19)))
    render_pdf(kind, sample(kind, planned_completion=date(2027, 3, 20)))  # the same day is fine
    with pytest.raises(ValueError, match="contract_price_wan is not a decimal number"):
        render_pdf(kind, sample(kind, contract_price_wan="面议"))
    with pytest.raises(ValueError, match="funds_committed has type str"):
        render_pdf(kind, sample(kind, funds_committed="是"))


# --- PDF --------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("kind", LAND_START_KINDS)
def test_pdf_text_has_the_key_strings(pdfs, kind):
    assert missing(pdf_text(pdfs[kind]), key_strings(kind, sample(kind))) == []


@needs_poppler
@pytest.mark.parametrize("kind", CERTIFICATE_KINDS)
def test_pdf_keeps_the_seal_block_on_one_page(pdfs, kind):
    pages = int(next(line.split()[-1] for line in run("pdfinfo", pdfs[kind]).splitlines()
                     if line.startswith("Pages:")))
    texts = [squash(run("pdftotext", "-f", str(n), "-l", str(n), "-enc", "UTF-8", pdfs[kind], "-"))
             for n in range(1, pages + 1)]
    on_page = [i for i, text in enumerate(texts) if "发证机关：" in text]
    assert len(on_page) == 1, on_page
    assert seal.DEMO_TEXT in texts[on_page[0]] and "发证日期：" in texts[on_page[0]]  # the seal over the date


@needs_poppler
def test_aware_signing_time_prints_in_china_time(tmp_path):
    signed_at = datetime(2026, 12, 15, 2, 20, tzinfo=UTC)  # 10:20 in China
    text = rendered_text(tmp_path, "risk_commitment", sample("risk_commitment", signed_at=signed_at))
    assert "签署时间：2026年12月15日10时20分" in text


@needs_poppler
def test_construction_permit_without_price_or_committed_funds(tmp_path):
    ctx = sample("construction_permit", contract_price_wan="", funds_committed=False)
    text = rendered_text(tmp_path, "construction_permit", ctx)
    assert "合同价格—设计单位" in text
    assert "承诺制" not in text and "万元" not in text


@needs_poppler
def test_construction_planning_permit_without_attachments(tmp_path):
    text = rendered_text(tmp_path, "construction_planning_permit",
                         sample("construction_planning_permit", attachments=[]))
    assert "附图及附件名称无附记" in text and "总平面图" not in text


# --- DOCX -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", LAND_START_KINDS)
def test_docx_carries_the_same_content(docxs, kind):
    text = docx_text(docx.Document(docxs[kind]))
    assert missing(text, key_strings(kind, sample(kind))) == []


def test_docx_prints_a_missing_price_as_a_dash():
    ctx = sample("construction_permit", contract_price_wan=" ")
    document = docx.Document(io.BytesIO(render_docx("construction_permit", ctx)))
    rows = {row.cells[0].text: row.cells[1].text for table in document.tables[:1] for row in table.rows}
    assert rows["合同价格"] == "—"


