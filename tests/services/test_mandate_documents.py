"""代办 mandate documents (委托书, 续办委托书, 终止单, 办结单): real WeasyPrint, python-docx, poppler and
LibreOffice; no mocks.

What each kind prints (the PDF text layer and the DOCX carry its key strings) and how validation
names what is missing or inconsistent; the checks every kind passes (font, bytes, dates, LibreOffice)
are in ``test_document_kinds.py``.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest

from services.documents import KINDS, render_docx, render_pdf
from tests.document_files import docx_text, missing, needs_poppler, pdf_text, render_each, rendered_text
from tests.document_samples import mandate as samples
from tests.document_samples import sample

MANDATE_KINDS = ("mandate_letter", "mandate_continuation", "mandate_termination", "mandate_completion")
TITLES = {
    "mandate_letter": ("代办服务委托书", "代委"),
    "mandate_continuation": ("代办服务续办委托书", "代续"),
    "mandate_termination": ("代办服务终止单", "代终"),
    "mandate_completion": ("代办服务办结单", "代结"),
}


def key_strings(kind: str, ctx: dict) -> list[str]:
    """What both formats must print for ``kind``, as it should read."""
    common = [
        TITLES[kind][0], ctx["number"], ctx["issuer"], ctx["enterprise_name"], ctx["uscc"], ctx["project_name"],
        ctx["legal_representative"], "李晓婷（联系电话：13800138000）", "王敏（联系电话：0769-22881234）",
        ctx["verification_code"], "一、委托双方",
        *(item[key] for item in ctx["items"] for key in ("code", "name", "department", "mode")),
    ]
    return common + _KEYS[kind](ctx)


def _letter_keys(ctx: dict) -> list[str]:
    return [
        "序号", "事项", "审批部门", "代办方式", "下列3项审批事项委托受托方代办",
        "委托期限自2026年11月27日起至2027年5月26日止", "代办服务续办委托书",
        "（一）自愿委托、无偿服务：委托方自愿委托，受托方提供代办服务不收取任何费用；办理审批事项依法应当缴纳的税费由委托方承担。",
        "（二）帮办代办不包办、服务到位不越位", "委托方对所提供材料的真实性、合法性和完整性负责",
        "受托方仅在委托期限内就本委托书所列事项代表委托方办理",
        "限时回复：受托方自指派代办专员之日起2个工作日内与委托方联系", "结果回交", "即时将审批结果及原件回交委托方",
        "终止以代办服务终止单为准",
        "委托方：", "在线签署人：陈立新", "签署时间：2026年11月27日9时35分", "受托方（盖章）：", "代办专员：王敏",
        "日期：2026年11月27日",
    ]


def _continuation_keys(ctx: dict) -> list[str]:
    return [
        "根据《代办服务委托书》（东莞绿通代委〔2026〕第0007号）", "原委托期限至2027年5月26日届满",
        "因建筑工程施工许可证核发尚在办理中，经双方确认，该委托续办至2027年11月26日",
        "续办期限自2027年5月27日起至2027年11月26日止", "继续委托受托方代办", "自原委托期限届满之日起不再代办",
        "原委托书的其他约定继续有效，包括自愿委托、无偿服务，帮办代办不包办、服务到位不越位",
        "委托方（盖章）：", "受托方（盖章）：", "日期：2027年5月20日",
    ]


def _termination_keys(ctx: dict) -> list[str]:
    return [
        "原委托书文号：东莞绿通代委〔2026〕第0007号", "原委托期限：自2026年11月27日起至2027年5月26日止",
        "终止日期：2027年2月3日", "提出方：委托方", "终止原因：委托方决定自行办理后续审批事项",
        "经委托方提出，该委托自2027年2月3日起终止", "四、在办案件", "案件编号", "终止时状态",
        *(case[key] for case in ctx["cases"] for key in ("case_no", "title", "status_zh")),
        "（三）受托方保管的申报材料及已取得的审批结果已全部回交委托方（材料已回交）。",
        "尚未办结的案件由委托方自行向审批部门继续办理或者申请撤回",
        "委托方（盖章）：", "受托方（盖章）：", "日期：2027年2月3日",
    ]


def _completion_keys(ctx: dict) -> list[str]:
    return [
        "截至2027年4月15日，委托事项已办理完毕，审批结果已回交委托方，本次代办服务办结。",
        "三、办理情况", "办理结果", "办结日期", "2026年12月18日", "2027年4月15日", "准予许可", "已备案",
        *(case[key] for case in ctx["cases"] for key in ("case_no", "title")),
        "四、回交审批结果", "受托方已将下列2份审批结果原件回交委托方",
        *(r[key] for r in ctx["results"] for key in ("title", "number")),
        "委托方确认上述事项已办结、审批结果已收到", "委托方确认（盖章）：", "经办人（签字）：", "受托方（盖章）：",
        "日期：2027年4月16日",
    ]


_KEYS = {
    "mandate_letter": _letter_keys,
    "mandate_continuation": _continuation_keys,
    "mandate_termination": _termination_keys,
    "mandate_completion": _completion_keys,
}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    return render_each(tmp_path_factory.mktemp("mandate-pdf"), MANDATE_KINDS, "pdf")


@pytest.fixture(scope="module")
def docxs(tmp_path_factory) -> dict[str, Path]:
    return render_each(tmp_path_factory.mktemp("mandate-docx"), MANDATE_KINDS, "docx")


# --- registry and validation ------------------------------------------------------------------


@pytest.mark.parametrize("kind", MANDATE_KINDS)
def test_registered_with_its_title_and_number_word(kind):
    spec = KINDS[kind]
    assert (spec.title, spec.number_word, spec.template) == (*TITLES[kind], "sectioned.html")


_OWN_KEYS = {
    "mandate_letter": ["signed_at", "signed_by", "reply_working_days"],
    "mandate_continuation": ["original_number", "previous_until", "reason"],
    "mandate_termination": ["original_number", "terminated_on", "terminated_by", "reason", "cases"],
    "mandate_completion": ["original_number", "completed_on", "cases", "results"],
}
_COMMON_KEYS = ["number", "issuer", "issued_on", "verification_code", "enterprise_name", "uscc",
                "legal_representative", "contact_name", "contact_phone", "project_name", "agency", "agent_name",
                "agent_phone", "items", "all_items", "valid_from", "valid_until"]


@pytest.mark.parametrize("kind, key", [(kind, key) for kind in MANDATE_KINDS for key in _OWN_KEYS[kind]]
                         + [("mandate_letter", key) for key in _COMMON_KEYS])
def test_a_missing_key_is_named(kind, key):
    ctx = sample(kind)
    del ctx[key]
    with pytest.raises(ValueError, match=f"{kind} context: .*missing {key}"):
        render_pdf(kind, ctx)


@pytest.mark.parametrize("kind", MANDATE_KINDS)
def test_every_missing_key_is_named_at_once(kind):
    with pytest.raises(ValueError) as raised:
        render_docx(kind, {})
    for key in _COMMON_KEYS + _OWN_KEYS[kind]:
        assert f"missing {key}" in str(raised.value), key


@pytest.mark.parametrize("kind", MANDATE_KINDS)
def test_valid_until_before_valid_from_is_refused(kind):
    with pytest.raises(ValueError, match="valid_from must not be after valid_until"):
        render_pdf(kind, sample(kind, valid_until=date(2026, 11, 26)))


@pytest.mark.parametrize("kind", MANDATE_KINDS)
def test_empty_or_mistyped_items_are_named(kind):
    with pytest.raises(ValueError, match=r"items needs at least 1 item"):
        render_pdf(kind, sample(kind, items=[]))
    items = samples.items()
    del items[1]["department"]
    items[0]["mode"] = None
    with pytest.raises(ValueError, match=r"items\[0\]\.mode has type NoneType.*missing items\[1\]\.department"):
        render_docx(kind, sample(kind, items=items))


def test_mistyped_common_values_are_named():
    ctx = sample("mandate_letter", all_items="否", valid_from=datetime(2026, 11, 27, 9, 0), agent_name=None)
    with pytest.raises(ValueError, match=r"agent_name has type NoneType.*all_items has type str.*"
                                         r"valid_from must be a date, not a datetime"):
        render_pdf("mandate_letter", ctx)


def test_letter_checks_reply_days_signer_and_signing_date():
    with pytest.raises(ValueError, match="reply_working_days must be at least 1"):
        render_pdf("mandate_letter", sample("mandate_letter", reply_working_days=0))
    with pytest.raises(ValueError, match="reply_working_days must be an int"):
        render_pdf("mandate_letter", sample("mandate_letter", reply_working_days=True))
    with pytest.raises(ValueError, match="signed_by must not be empty"):
        render_pdf("mandate_letter", sample("mandate_letter", signed_by=" "))
    with pytest.raises(ValueError, match="signed_at must not be after issued_on"):
        render_pdf("mandate_letter", sample("mandate_letter", signed_at=datetime(2026, 11, 28, 8, 0)))
    with pytest.raises(ValueError, match="signed_at has type date"):
        render_pdf("mandate_letter", sample("mandate_letter", signed_at=date(2026, 11, 27)))


def test_continuation_must_extend_the_period():
    for previous in (date(2027, 11, 26), date(2027, 12, 1)):
        with pytest.raises(ValueError, match="previous_until must be before valid_until"):
            render_pdf("mandate_continuation", sample("mandate_continuation", previous_until=previous))
    with pytest.raises(ValueError, match="reason must not be empty"):
        render_pdf("mandate_continuation", sample("mandate_continuation", reason=""))


@pytest.mark.parametrize("kind, key", [("mandate_termination", "terminated_on"),
                                       ("mandate_completion", "completed_on")])
def test_end_date_must_not_precede_valid_from(kind, key):
    with pytest.raises(ValueError, match=f"{key} must not be before valid_from"):
        render_pdf(kind, sample(kind, **{key: date(2026, 11, 26)}))
    render_pdf(kind, sample(kind, cases=[], **{key: date(2026, 11, 27)}))  # the first day is fine


def test_termination_checks_reason_and_cases():
    ctx = sample("mandate_termination", reason="", cases=[{"case_no": "GC-1", "title": "x"}, "GC-2"])
    with pytest.raises(ValueError, match=r"reason must not be empty.*missing cases\[0\]\.status_zh.*"
                                         r"cases\[1\] must be a dict"):
        render_pdf("mandate_termination", ctx)


def test_completion_checks_cases_and_results():
    ctx = sample("mandate_completion")
    ctx["cases"][0]["finished_on"] = "2026-12-18"
    ctx["cases"][1]["finished_on"] = date(2027, 4, 16)
    del ctx["cases"][2]["finished_on"]
    ctx["results"][0]["number"] = 441900
    with pytest.raises(ValueError, match=r"cases\[0\]\.finished_on must be a date or None, not str.*"
                                         r"cases\[1\]\.finished_on must not be after completed_on.*"
                                         r"missing cases\[2\]\.finished_on.*results\[0\]\.number has type int"):
        render_pdf("mandate_completion", ctx)


# --- PDF --------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("kind", MANDATE_KINDS)
def test_pdf_text_has_the_key_strings(pdfs, kind):
    assert missing(pdf_text(pdfs[kind]), key_strings(kind, sample(kind))) == []


@needs_poppler
@pytest.mark.parametrize("kind", MANDATE_KINDS)
def test_unassigned_agent_prints_pending(tmp_path, kind):
    text = rendered_text(tmp_path, kind, sample(kind, agent_name="", agent_phone=""))
    assert "代办专员：待指派" in text
    assert "王敏" not in text and "0769-22881234" not in text


@needs_poppler
@pytest.mark.parametrize("kind", MANDATE_KINDS)
def test_all_items_prints_the_whole_catalogue(tmp_path, kind):
    text = rendered_text(tmp_path, kind, sample(kind, all_items=True))
    assert "涉及的全部事项（以绿色通道公布的代办事项目录为准，共3项）" in text
    assert "下列3项审批事项" not in text and "不再代办" not in text


@needs_poppler
def test_agent_without_phone(tmp_path):
    text = rendered_text(tmp_path, "mandate_letter", sample("mandate_letter", agent_phone=""))
    assert "代办专员：王敏项目名称" in text


@needs_poppler
def test_aware_signing_time_prints_in_china_time(tmp_path):
    signed_at = datetime(2026, 11, 27, 1, 35, tzinfo=UTC)  # 9:35 in China
    text = rendered_text(tmp_path, "mandate_letter", sample("mandate_letter", signed_at=signed_at))
    assert "签署时间：2026年11月27日9时35分" in text


@needs_poppler
def test_termination_without_cases(tmp_path):
    text = rendered_text(tmp_path, "mandate_termination", sample("mandate_termination", cases=[]))
    assert "四、在办案件无在办案件。" in text and "终止时状态" not in text
    assert "本委托项下无在办案件，无需交接" in text and "材料已回交" in text


@needs_poppler
def test_completion_without_cases_or_results(tmp_path):
    text = rendered_text(tmp_path, "mandate_completion", sample("mandate_completion", cases=[], results=[]))
    assert "本委托项下无审批案件。" in text and "无需要回交的审批结果。" in text
    assert "委托事项已办理完毕，本次代办服务办结。" in text and "审批结果已收到" not in text


# --- DOCX -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", MANDATE_KINDS)
def test_docx_carries_the_same_content(docxs, kind):
    text = docx_text(docx.Document(docxs[kind]))
    assert missing(text, key_strings(kind, sample(kind))) == []


@pytest.mark.parametrize("kind", MANDATE_KINDS)
def test_docx_prints_pending_agent(kind):
    text = docx_text(docx.Document(io.BytesIO(render_docx(kind, sample(kind, agent_name="")))))
    assert "代办专员：待指派" in text and "王敏" not in text


