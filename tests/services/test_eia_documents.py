"""环评 (EIA) documents: real WeasyPrint, python-docx, poppler and LibreOffice; no mocks.

What each EIA kind prints (the PDF text layer and the DOCX carry its key strings) and how validation
names what is missing; the checks every kind passes (font, bytes, dates, LibreOffice) are in
``test_document_kinds.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from services.core.formatting import format_datetime_zh
from services.documents import KINDS, render_docx, render_pdf
from tests.document_files import docx_text, missing, needs_poppler, pdf_text, render_each, rendered_text, squash
from tests.document_samples import sample

EIA_KINDS = ("eia_commitment_letter", "eia_decision", "eia_filing_receipt", "eia_post_check_record",
             "eia_not_managed_statement")
REVOCATION = "承诺不实或不符合告知承诺制条件的，依法撤销审批决定并纳入失信记录"


def key_strings(kind: str, ctx: dict) -> list[str]:
    """What both formats must print for ``kind``, as it should read."""
    common = [KINDS[kind].title, ctx["number"], ctx["enterprise_name"], ctx["uscc"], ctx["verification_code"],
              ctx["project_name"], ctx["authority"]]
    return common + _KEYS[kind](ctx)


def _letter_keys(ctx: dict) -> list[str]:
    return [
        f"{ctx['authority']}：", ctx["legal_representative"], ctx["site"], ctx["project_code"], ctx["case_no"],
        "行业代码", "3983", "敏感元件及传感器制造", "主体工程", "3982", "电子电路制造", "配套工程",
        "第81项　电子元件及电子专用材料制造398", "环境影响评价文件类别：环境影响报告表",
        "本单位自愿申请环境影响评价文件告知承诺制审批",
        *(f"（{n}）{e['explanation_zh']}。" for n, e in zip("一二三四五", ctx["eligibility"], strict=True)),
        f"本项目环境影响报告表由{ctx['eia_organisation']}编制", "内容真实、完整、准确",
        "“三同时”制度", "同时设计、同时施工、同时投产使用", "申领排污许可证或者填报排污登记表", "竣工环境保护验收",
        "依法撤销审批决定", "纳入本单位失信记录", "事中事后监督检查",
        "建设单位（盖章）：" + ctx["enterprise_name"], "法定代表人（签字）：", "日期：",
    ]


def _decision_keys(ctx: dict) -> list[str]:
    return [
        "（告知承诺制审批）", f"{ctx['enterprise_name']}：", ctx["site"], "建设规模：年产智能传感器500万件",
        "经审查（告知承诺制审批）", "《松湖智能传感器生产线建设项目环境影响报告表》",
        "《建设项目环境影响评价告知承诺书》",
        "同意该项目按照环境影响报告表所列建设项目的性质、规模、地点、生产工艺和环境保护对策措施进行建设",
        *(f"（{n}）{c}。" for n, c in zip("一二三四五六", ctx["conditions"], strict=True)),
        "审批方式：告知承诺制审批", "本机关将于2027年1月9日前对环境影响评价文件质量及承诺履行情况开展事中事后核查",
        REVOCATION, "六十日内依法申请行政复议", "六个月内依法向人民法院提起行政诉讼", "2026年12月10日",
    ]


def _receipt_keys(ctx: dict) -> list[str]:
    return [
        f"备案号：{ctx['number']}", f"备案时间：{format_datetime_zh(ctx['filed_at'])}", ctx["site"],
        "《松湖智能装备厂房屋顶分布式光伏发电项目建设项目环境影响登记表》", "予以备案",
        "第90项　陆上风力发电4415；太阳能发电4416（不含居民家用光伏发电）", "备案不是行政许可",
        "也不代替项目依法应当办理的其他手续", "填报排污登记表", "《固定污染源排污许可分类管理名录（2019年版）》",
    ]


def _post_check_keys(ctx: dict) -> list[str]:
    return [
        "审批决定文号：" + ctx["decision_number"], "核查日期：2027年1月8日", "核查人员：张立新、何敏",
        "序号", "核查事项", "核查结果", *(i["item"] for i in ctx["items"]), *(i["result"] for i in ctx["items"]),
        *ctx["findings"].splitlines(), "核查结论为：限期整改至2027年2月28日。", "依法撤销审批决定并纳入失信记录",
        "被核查单位（盖章）：", "企业代表（签字）：", "核查单位（盖章）：", "核查人员（签字）：张立新、何敏",
    ]


def _not_managed_keys(ctx: dict) -> list[str]:
    return [
        f"{ctx['enterprise_name']}：", ctx["site"], "名录版本：" + ctx["catalogue_version"], "3562",
        "半导体器件专用设备制造",
        *(f"（{n}）{r}。" for n, r in zip("一二三四", ctx["reasons"], strict=True)),
        "第五条“本名录未作规定的建设项目，不纳入建设项目环境影响评价管理”", "该项目不纳入建设项目环境影响评价管理",
        "《固定污染源排污许可分类管理名录（2019年版）》", "申领排污许可证或者填报排污登记表", "排放标准",
        "《广东省豁免环境影响评价手续办理的建设项目名录（2020年版）》", "本告知书自始无效",
    ]


_KEYS = {
    "eia_commitment_letter": _letter_keys,
    "eia_decision": _decision_keys,
    "eia_filing_receipt": _receipt_keys,
    "eia_post_check_record": _post_check_keys,
    "eia_not_managed_statement": _not_managed_keys,
}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    return render_each(tmp_path_factory.mktemp("eia-pdf"), EIA_KINDS, "pdf")


@pytest.fixture(scope="module")
def docx_files(tmp_path_factory) -> dict[str, Path]:
    return render_each(tmp_path_factory.mktemp("eia-docx"), EIA_KINDS, "docx")


# --- registry and validation ------------------------------------------------------------------


def test_eia_kinds_are_registered_with_their_number_words():
    assert set(EIA_KINDS) <= set(KINDS)
    assert [KINDS[k].number_word for k in EIA_KINDS] == ["环诺", "环审", "环备", "环核", "环告"]


@pytest.mark.parametrize("kind, key", [
    ("eia_commitment_letter", "eligibility"), ("eia_commitment_letter", "eia_organisation"),
    ("eia_commitment_letter", "uscc"), ("eia_decision", "post_check_due"), ("eia_decision", "conditions"),
    ("eia_filing_receipt", "filed_at"), ("eia_filing_receipt", "catalogue_rows"),
    ("eia_post_check_record", "rectification_deadline"), ("eia_post_check_record", "items"),
    ("eia_not_managed_statement", "reasons"), ("eia_not_managed_statement", "catalogue_version"),
])
def test_a_missing_key_is_named(kind, key):
    ctx = sample(kind)
    del ctx[key]
    with pytest.raises(ValueError, match=f"{kind} context: .*missing {key}"):
        render_pdf(kind, ctx)


@pytest.mark.parametrize("kind, key, path, message", [
    ("eia_commitment_letter", "industry_codes", (1, "role"), r"missing industry_codes\[1\]\.role"),
    ("eia_commitment_letter", "eligibility", (2, "met"), r"missing eligibility\[2\]\.met"),
    ("eia_filing_receipt", "catalogue_rows", (0, "no"), r"missing catalogue_rows\[0\]\.no"),
    ("eia_post_check_record", "items", (3, "result"), r"missing items\[3\]\.result"),
])
def test_a_missing_nested_key_is_named(kind, key, path, message):
    ctx = sample(kind)
    del ctx[key][path[0]][path[1]]
    with pytest.raises(ValueError, match=message):
        render_docx(kind, ctx)


def test_mistyped_and_out_of_range_values_are_named():
    letter = sample("eia_commitment_letter", level_zh="环境影响登记表", issued_on=datetime(2026, 12, 10, 9, 0))
    letter["industry_codes"][0]["role"] = "primary"
    letter["catalogue_rows"][0]["no"] = "81"
    with pytest.raises(ValueError, match=r"issued_on must be a date.*industry_codes\[0\]\.role must be one of.*"
                                         r"catalogue_rows\[0\]\.no has type str.*level_zh must be one of"):
        render_pdf("eia_commitment_letter", letter)
    with pytest.raises(ValueError, match="route must be one of"):
        render_pdf("eia_decision", sample("eia_decision", route="fast"))
    with pytest.raises(ValueError, match="outcome must be one of"):
        render_pdf("eia_post_check_record", sample("eia_post_check_record", outcome="fail"))
    with pytest.raises(ValueError, match=r"conditions needs at least 1 item"):
        render_pdf("eia_decision", sample("eia_decision", conditions=[]))


def test_a_commitment_needs_every_condition_met():
    ctx = sample("eia_commitment_letter")
    ctx["eligibility"][2]["met"] = False
    with pytest.raises(ValueError, match=r"eligibility\[2\]\.met is False"):
        render_pdf("eia_commitment_letter", ctx)


def test_an_ancillary_code_alone_is_rejected():
    codes = [{"code": "3982", "name": "电子电路制造", "role": "ancillary"}]
    with pytest.raises(ValueError, match="industry_codes needs one item with role 'main'"):
        render_pdf("eia_not_managed_statement", sample("eia_not_managed_statement", industry_codes=codes))


def test_rectify_without_a_deadline_is_rejected():
    with pytest.raises(ValueError, match="rectification_deadline is required when outcome is 'rectify'"):
        render_pdf("eia_post_check_record", sample("eia_post_check_record", rectification_deadline=None))
    with pytest.raises(ValueError, match="rectification_deadline must be None when outcome is 'pass'"):
        render_pdf("eia_post_check_record", sample("eia_post_check_record", outcome="pass"))
    with pytest.raises(ValueError, match="rectification_deadline must be after checked_on"):
        render_pdf("eia_post_check_record", sample("eia_post_check_record", rectification_deadline=date(2027, 1, 8)))


def test_decision_route_and_dates_must_agree():
    with pytest.raises(ValueError, match="post_check_due is required on the commitment route"):
        render_pdf("eia_decision", sample("eia_decision", post_check_due=None))
    with pytest.raises(ValueError, match="post_check_due must be None on the normal route.*revocation applies"):
        render_pdf("eia_decision", sample("eia_decision", route="normal"))
    with pytest.raises(ValueError, match="post_check_due must be a date or None"):
        render_pdf("eia_decision", sample("eia_decision", post_check_due="2027-01-09"))
    with pytest.raises(ValueError, match="decided_on must not be after issued_on"):
        render_pdf("eia_decision", sample("eia_decision", decided_on=date(2026, 12, 11), post_check_due=None,
                                          route="normal", revocation=False))
    with pytest.raises(ValueError, match="filed_at must not be after issued_on"):
        render_pdf("eia_filing_receipt", sample("eia_filing_receipt", filed_at=datetime(2026, 12, 11, 8, 0)))


# --- PDF --------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("kind", EIA_KINDS)
def test_pdf_text_has_the_key_strings(pdfs, kind):
    text = pdf_text(pdfs[kind])
    assert missing(text, key_strings(kind, sample(kind))) == []


@needs_poppler
def test_normal_route_decision_has_no_post_check_or_revocation(tmp_path):
    ctx = sample("eia_decision", route="normal", post_check_due=None, revocation=False, level_zh="环境影响报告书")
    text = rendered_text(tmp_path, "eia_decision", ctx)
    assert "经审查，根据《中华人民共和国环境影响评价法》" in text and "审批方式：一般程序审批" in text
    assert "《松湖智能传感器生产线建设项目环境影响报告书》" in text
    assert "告知承诺" not in text and "撤销" not in text and "事中事后" not in text
    assert "六十日内依法申请行政复议" in text


@needs_poppler
def test_commitment_decision_without_revocation_clause(tmp_path):
    text = rendered_text(tmp_path, "eia_decision", sample("eia_decision", revocation=False))
    assert "2027年1月9日前" in text and squash(REVOCATION) not in text


@needs_poppler
@pytest.mark.parametrize("outcome, expected", [
    ("pass", "核查结论为：通过。"),
    ("revoke", "核查结论为：撤销审批决定并纳入失信记录。"),
])
def test_post_check_outcomes(tmp_path, outcome, expected):
    ctx = sample("eia_post_check_record", outcome=outcome, rectification_deadline=None)
    text = rendered_text(tmp_path, "eia_post_check_record", ctx)
    assert expected in text and "限期整改" not in text


@needs_poppler
def test_letter_placeholders_when_code_and_organisation_are_pending(tmp_path):
    ctx = sample("eia_commitment_letter", project_code="", eia_organisation="")
    text = rendered_text(tmp_path, "eia_commitment_letter", ctx)
    assert "投资项目代码：（赋码后填写）" in text
    assert "本项目环境影响报告表由（建设单位自行编制或委托的环评单位名称）编制" in text


# --- DOCX -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", EIA_KINDS)
def test_docx_carries_the_same_content(docx_files, kind):
    text = docx_text(docx.Document(docx_files[kind]))
    assert missing(text, key_strings(kind, sample(kind))) == []


