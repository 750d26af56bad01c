"""Standard-land and supplement documents: real WeasyPrint, python-docx, poppler and LibreOffice.

What each kind prints (the PDF's text layer and the DOCX carry its key strings) and what its context
must satisfy; the checks every kind passes (font, bytes, dates, LibreOffice) are in
``test_document_kinds.py``.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from services.core.formatting import format_date_zh, format_datetime_zh
from services.documents import KINDS, render_docx, render_pdf
from tests.document_files import docx_text, missing, needs_poppler, pdf_text, render_each, squash
from tests.document_samples import sample
from tests.document_samples import standard_land as samples

STANDARD_KINDS = ("supplement_notice", "assessment_report", "investment_commitment", "supervision_agreement",
                  "verification_report")


def key_strings(kind: str, ctx: dict) -> list[str]:
    """What both formats must print for ``kind``, as it should read."""
    common = [ctx["number"], ctx["enterprise_name"], ctx["verification_code"], ctx["project_name"]]
    return common + _KEYS[kind](ctx)


def _supplement_keys(ctx: dict) -> list[str]:
    return [
        "一次性告知书（补正材料通知书）", ctx["uscc"], ctx["case_no"], f"《{ctx['application_title']}》",
        ctx["step_name"], ctx["department"], format_datetime_zh(ctx["accepted_at"]),
        *(item[key] for item in ctx["items"] for key in ("name", "reason", "form")),
        "序号", "材料名称", "补正原因/要求", "形式",
        "一次性告知", f"自{format_date_zh(ctx['requested_on'])}起", "办理时限暂停计算", "补正材料齐全之日起恢复计算",
        "剩余办理时限为3个工作日",
        f"请于{format_date_zh(ctx['supplement_deadline'])}前通过绿色通道服务平台提交补正材料",
        "视为撤回申请", ctx["handler_name"], ctx["handler_phone"], "申请人（签收）",
    ]


def _assessment_keys(ctx: dict) -> list[str]:
    evaluation = ctx["evaluation"]
    decision = ctx["decision"]
    return [
        "标准地预评估报告", ctx["issuer"], ctx["uscc"], ctx["parcel"]["number"], ctx["industry_code"],
        ctx["industry_name"], "12,000.00万元", "30.00亩（20,000.00平方米）", "20,000.00平方米（折合30.00亩）",
        "一、项目与地块概况", "二、控制指标评估", "三、区域评估成果复用", "四、节能审查", "五、预评估结论与审查意见",
        "指标", "控制值", "计划值", "测算", "结论",
        *(item["arithmetic"] for item in evaluation["indicators"]),
        *(item["threshold_text"] for item in evaluation["indicators"]),
        "共评估控制指标5项，其中符合3项，临界（有风险）1项，不符合1项。", "临界余量10%",
        "可复用的区域评估成果（2项）", "不可复用的区域评估成果（1项）", "有效期已于2024年4月30日届满",
        *(a["name"] for a in evaluation["assessments"]), "入园项目须符合规划环评准入清单",
        evaluation["energy"]["reason"], "无需单独进行节能审查", "4,000,000千瓦时",
        evaluation["proposal"]["result_zh"], *evaluation["proposal"]["reasons"],
        decision["reviewer"], decision["department"], format_datetime_zh(decision["decided_at"]),
        "同意该项目通过标准地预评估",
    ]


def _commitment_keys(ctx: dict) -> list[str]:
    return [
        "投资建设承诺书", f"{ctx['supervisor']}：", ctx["uscc"], ctx["legal_representative"], ctx["parcel"]["number"],
        ctx["parcel"]["location"], "半导体器件专用设备制造（行业代码 3562）", "12,000.00万元",
        *(c["committed_text"] for c in ctx["commitments"]), "投产初始运行期满时", "考核节点",
        "2027年3月31日前开工建设", "2028年9月30日前竣工", "2028年12月31日前投产", "投产初始运行期：3年",
        "对标验收", "达产复核", "税务部门出具的完税证明", "6个月内完成整改",
        "违约金 = 出让价款 × 差额比例 × 系数", "本宗地出让价款为1,000.00万元", "纳入企业信用记录",
        "国土资源部令第53号", "承诺单位（盖章）", "法定代表人（签字）", "日期：",
    ]


def _agreement_keys(ctx: dict) -> list[str]:
    return [
        "履约监管协议（草案）", "草案说明", "甲方（监管方）：" + ctx["supervisor"], "乙方（土地使用者）：", ctx["uscc"],
        "（出让合同签订后填写）", ctx["project_code"], "第一条", "协议双方", "第三条", "控制指标", "第五条", "核验程序",
        "第六条", "违约责任", "第七条", "转让限制", "第八条", "争议解决",
        *(c["committed_text"] for c in ctx["commitments"]), "2028年12月31日前投产",
        "违约金 = 出让价款 × 差额比例 × 系数", "国土资源部令第53号", "按土地出让价款的20%征缴土地闲置费",
        "满两年未动工开发的，依法无偿收回国有建设用地使用权", "不得分割宗地",
        "甲方（盖章）：", "乙方（盖章）：", "法定代表人或授权代表（签字）：",
    ]


def _verification_keys(ctx: dict) -> list[str]:
    result = ctx["verification"]
    return [
        "标准地对标核验报告", "（达产复核）", ctx["issuer"], ctx["uscc"], ctx["parcel"]["number"], ctx["recorded_by"],
        format_date_zh(ctx["measured_on"]), *ctx["evidence"],
        "指标", "承诺值", "实际值", "差额", "测算", "结论",
        *(row["arithmetic"] for row in result["rows"]), *(row["committed_text"] for row in result["rows"]),
        "18.9 万元/亩·年", "2.1 万元/亩·年（10.00%）", "未达标", "达标",
        "共核验指标2项，达到承诺值1项，未达到承诺值1项。", "亩均税收未达到承诺值，达产复核未通过",
        *result["consequences"]["statements"], result["consequences"]["damages_formula"],
        "整改期限：2032年6月30日前（6个月）", "核验单位（盖章）：", "被核验单位（盖章）：",
    ]


_KEYS = {
    "supplement_notice": _supplement_keys,
    "assessment_report": _assessment_keys,
    "investment_commitment": _commitment_keys,
    "supervision_agreement": _agreement_keys,
    "verification_report": _verification_keys,
}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    return render_each(tmp_path_factory.mktemp("pdf"), STANDARD_KINDS, "pdf")


@pytest.fixture(scope="module")
def docx_files(tmp_path_factory) -> dict[str, Path]:
    return render_each(tmp_path_factory.mktemp("docx"), STANDARD_KINDS, "docx")


# --- registry and validation ------------------------------------------------------------------


def test_all_kinds_are_registered_with_their_number_words():
    assert set(STANDARD_KINDS) <= set(KINDS)
    assert {KINDS[k].number_word for k in STANDARD_KINDS} == {"补", "评", "诺", "协", "验"}


@pytest.mark.parametrize("kind, key", [
    ("supplement_notice", "supplement_deadline"), ("supplement_notice", "items"),
    ("assessment_report", "evaluation"), ("assessment_report", "land_area_mu"),
    ("investment_commitment", "liability"), ("investment_commitment", "uscc"),
    ("supervision_agreement", "land_contract_no"), ("supervision_agreement", "milestones"),
    ("verification_report", "checkpoint"), ("verification_report", "evidence"),
])
def test_a_missing_key_is_named(kind, key):
    ctx = sample(kind)
    del ctx[key]
    with pytest.raises(ValueError, match=f"{kind} context: .*missing {key}"):
        render_pdf(kind, ctx)


@pytest.mark.parametrize("kind, path, message", [
    ("assessment_report", ("parcel", "area_mu"), "missing parcel.area_mu"),
    ("assessment_report", ("evaluation", "energy", "reason"), "missing evaluation.energy.reason"),
    ("investment_commitment", ("milestones", "start_on"), "missing milestones.start_on"),
    ("supervision_agreement", ("liability", "credit_record"), "missing liability.credit_record"),
    ("verification_report", ("verification", "consequences"), "missing verification.consequences"),
])
def test_a_missing_nested_key_is_named(kind, path, message):
    ctx = sample(kind)
    holder = ctx
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    with pytest.raises(ValueError, match=message):
        render_docx(kind, ctx)


def test_mistyped_keys_are_named():
    ctx = sample("supplement_notice", requested_on=datetime(2026, 12, 2, 9, 0), round=True)
    with pytest.raises(ValueError, match="requested_on must be a date.*round must be an int"):
        render_pdf("supplement_notice", ctx)
    bad = sample("investment_commitment", total_investment_wan="12,000万")
    bad["commitments"][0]["committed_text"] = 180
    with pytest.raises(ValueError, match=r"total_investment_wan is not a decimal.*commitments\[0\]\.committed_text"):
        render_pdf("investment_commitment", bad)


def test_a_further_supplement_request_needs_a_justification():
    with pytest.raises(ValueError, match="justification is required for round 2"):
        render_pdf("supplement_notice", sample("supplement_notice", round=2))
    with pytest.raises(ValueError, match="justification must be empty for round 1"):
        render_pdf("supplement_notice", sample("supplement_notice", justification="申请人变更了建设规模"))


def test_rules_output_must_match_the_context():
    with pytest.raises(ValueError, match="verification.checkpoint 'ramp_up_end' differs from checkpoint 'completion'"):
        render_pdf("verification_report", sample("verification_report", checkpoint="completion"))
    ctx = sample("assessment_report")
    ctx["decision"]["kind"] = "reject"
    with pytest.raises(ValueError, match="decision.kind must be one of"):
        render_pdf("assessment_report", ctx)
    late = sample("investment_commitment")
    late["milestones"]["start_on"] = date(2029, 1, 1)
    with pytest.raises(ValueError, match="start_on ≤ completion_on ≤ production_on"):
        render_pdf("investment_commitment", late)


# --- PDF --------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("kind", STANDARD_KINDS)
def test_pdf_text_has_the_key_strings(pdfs, kind):
    text = pdf_text(pdfs[kind])
    assert missing(text, key_strings(kind, sample(kind))) == []


@needs_poppler
def test_a_further_supplement_request_says_why_and_limits_itself(tmp_path):
    why = "你单位于2026年12月8日申请将建设规模由3万平方米调整为4万平方米"
    ctx = sample("supplement_notice", round=2, justification=why)
    path = tmp_path / "round2.pdf"
    path.write_bytes(render_pdf("supplement_notice", ctx))
    text = squash(pdf_text(path))
    assert squash("本次为该环节第2次补正告知。再次补正理由：你单位于2026年12月8日申请将建设规模") in text
    assert "仅限于因你单位自行变更申请内容而新涉及的材料" in text
    first = squash(rendered_text("supplement_notice", tmp_path))
    assert "再次补正理由" not in first


@needs_poppler
def test_agreement_placeholders_and_draft_mark_on_every_page(tmp_path):
    ctx = sample("supervision_agreement", land_contract_no="", project_code="")
    path = tmp_path / "agreement.pdf"
    path.write_bytes(render_pdf("supervision_agreement", ctx))
    pages = pdf_text(path).split("\f")[:-1]
    assert len(pages) >= 2 and all("草案" in page for page in pages)
    text = squash("".join(pages))
    assert "（出让合同签订后填写）" in text and "投资项目代码：（赋码后填写）" in text
    signed = sample("supervision_agreement", land_contract_no="441900-2027-G-0031")
    assert "441900-2027-G-0031" in squash(rendered_text("supervision_agreement", tmp_path, signed))


@needs_poppler
def test_verification_at_completion_that_passes(tmp_path):
    result = samples.verification(
        checkpoint="completion", checkpoint_zh="对标验收", all_met=True,
        rows=[{"code": "investment_intensity", "name_zh": "固定资产投资强度", "unit": "万元/亩", "comparator": "ge",
               "committed": "180", "committed_text": "≥ 180 万元/亩", "actual": "196.5", "met": True,
               "shortfall": None, "shortfall_ratio": None,
               "arithmetic": "实际值 196.5 ≥ 承诺值 180，高出 16.5（9.17%）"}],
        consequences={"rectification_deadline": None, "rectification_months": 6, "damages_wan": None,
                      "damages_formula": None, "credit_record": True, "statements": []},
    )
    ctx = sample("verification_report", checkpoint="completion", verification=result)
    text = squash(rendered_text("verification_report", tmp_path, ctx))
    assert "（对标验收）" in text and "各项指标均达到承诺值，对标验收通过。" in text
    assert "违约金" not in text and "未达标" not in text


def rendered_text(kind: str, tmp_path: Path, ctx: dict | None = None) -> str:
    path = tmp_path / f"{kind}-extra.pdf"
    path.write_bytes(render_pdf(kind, ctx or sample(kind)))
    return pdf_text(path)


# --- DOCX -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", STANDARD_KINDS)
def test_docx_carries_the_same_content(docx_files, kind):
    text = docx_text(docx.Document(docx_files[kind]))
    assert missing(text, key_strings(kind, sample(kind))) == []


def test_docx_draft_is_marked_in_the_page_header(docx_files):
    header = docx.Document(docx_files["supervision_agreement"]).sections[0].header
    assert "草案" in "".join(p.text for p in header.paragraphs)
    other = docx.Document(io.BytesIO(render_docx("investment_commitment", sample("investment_commitment"))))
    assert "草案" not in docx_text(other)
