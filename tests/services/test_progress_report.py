"""办理进度报告 (progress report): real WeasyPrint, python-docx and poppler; no mocks.

What the report prints (the PDF text layer and the DOCX carry its key strings) and how validation
names what is missing or inconsistent; the checks every kind passes (font, bytes, dates, LibreOffice)
are in ``test_document_kinds.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from services.documents import KINDS, render_docx, render_pdf
from services.documents.progress_report import milestone_state
from tests.document_files import docx_text, missing, needs_poppler, pdf_text, run, squash
from tests.document_samples.supervision import progress_report as sample

KIND = "progress_report"


def key_strings(ctx: dict) -> list[str]:
    """What both formats must print, as it should read (cells one by one: table rows differ by format)."""
    return [
        "办理进度报告", "（2026年第50周）", ctx["number"], ctx["issuer"], ctx["enterprise_name"], ctx["uscc"],
        ctx["project_name"], ctx["verification_code"],
        "截至2026年12月10日的审批办理进度报告如下。",
        "一、总体情况",
        "截至2026年12月10日，本项目纳入跟踪的事项3项、办理环节5个，其中绿灯1个、黄灯1个、红灯1个、计时暂停1个。",
        "二、建设工程规划许可（GC-2026-000123）", "办理状态：审批中。",
        "环节", "部门", "状态", "办结期限", "时限", "亮灯", "等待", "下一步",
        "建设工程规划许可证核发", "东莞市自然资源局", "2026年12月3日", "超期4个工作日", "红灯",
        "已发督办通知，12月15日前书面回复",
        "三、建筑工程施工许可（GC-2026-000124）", "剩余6个工作日", "绿灯", "计时暂停", "申请企业（补正）",
        "四、环境影响报告表审批（GC-2026-000125）", "剩余1个工作日", "黄灯", "服务专员已提醒承办人，明日办结",
        "五、项目里程碑", "取得建设用地规划许可证", "2026年10月28日", "已完成", "逾期未完成",
        "未到计划日期", "竣工联合验收", "待定",
        "查验码：7KQ2-M9XD-4TPA", "2026年12月10日", "报送：企业及园区领导。",
    ]


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("progress-pdf") / f"{KIND}.pdf"
    path.write_bytes(render_pdf(KIND, sample()))
    return path


@pytest.fixture(scope="module")
def docx_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("progress-docx") / f"{KIND}.docx"
    path.write_bytes(render_docx(KIND, sample()))
    return path


# --- registry and validation ------------------------------------------------------------------


def test_registered_with_its_title_and_number_word():
    spec = KINDS[KIND]
    assert (spec.title, spec.number_word, spec.template) == ("办理进度报告", "进", "sectioned.html")


@pytest.mark.parametrize("key", ["as_of", "period", "audience", "cases", "summary", "milestones", "verification_code"])
def test_a_missing_key_is_named(key):
    ctx = sample()
    del ctx[key]
    with pytest.raises(ValueError, match=f"{KIND} context: .*missing {key}"):
        render_pdf(KIND, ctx)


def test_missing_and_mistyped_nested_keys_are_named():
    ctx = sample()
    del ctx["cases"][1]["steps"][0]["waiting_on"]
    ctx["cases"][0]["steps"][1]["due_on"] = "2026-12-03"
    del ctx["summary"]["paused"]
    ctx["milestones"][0]["actual"] = datetime(2026, 10, 28, 9, 0)
    with pytest.raises(ValueError, match=r"cases\[0\]\.steps\[1\]\.due_on has type str.*"
                                         r"missing cases\[1\]\.steps\[0\]\.waiting_on.*missing summary\.paused.*"
                                         r"milestones\[0\]\.actual must be a date, not a datetime"):
        render_docx(KIND, ctx)


def test_an_unknown_light_is_named():
    ctx = sample()
    ctx["cases"][2]["steps"][0]["light"] = "amber"
    with pytest.raises(ValueError, match=r"cases\[2\]\.steps\[0\]\.light must be one of "
                                         r"\['green', 'yellow', 'red', 'paused', 'none'\], not 'amber'"):
        render_pdf(KIND, ctx)


def test_empty_lists_and_inconsistent_values_are_named():
    with pytest.raises(ValueError, match=r"cases needs at least 1 item"):
        render_pdf(KIND, sample(cases=[], summary={"green": 0, "yellow": 0, "red": 0, "paused": 0}))
    ctx = sample()
    ctx["cases"][0]["steps"] = []
    with pytest.raises(ValueError, match=r"cases\[0\]\.steps needs at least 1 item"):
        render_pdf(KIND, ctx)
    with pytest.raises(ValueError, match=r"summary\.red is 2 but 1 step\(s\) show red"):
        render_pdf(KIND, sample(summary={"green": 1, "yellow": 1, "red": 2, "paused": 1}))
    with pytest.raises(ValueError, match="as_of must not be after issued_on"):
        render_pdf(KIND, sample(as_of=date(2026, 12, 11)))


# --- PDF --------------------------------------------------------------------------------------


@needs_poppler
def test_pdf_text_has_the_key_strings(pdf_file):
    assert missing(pdf_text(pdf_file), key_strings(sample())) == []


@needs_poppler
def test_pdf_step_rows_read_in_order(pdf_file):
    """Each table row is drawn cell by cell, so -raw text keeps a row together."""
    text = squash(pdf_text(pdf_file))
    assert squash("施工许可证核发 东莞市住房和城乡建设局 补正中 — — 计时暂停 申请企业（补正）") in text


@needs_poppler
def test_pdf_is_portrait_a4(pdf_file):
    info = run("pdfinfo", "-isodates", pdf_file)
    assert "(A4)" in info  # portrait A4: the 8-column step tables fit the text width


@needs_poppler
def test_without_milestones_there_is_no_milestone_table(tmp_path):
    path = tmp_path / f"{KIND}-bare.pdf"
    path.write_bytes(render_pdf(KIND, sample(milestones=[], period="按需生成")))
    text = squash(pdf_text(path))
    assert "项目里程碑" not in text and squash("（按需生成）") in text


# --- DOCX -------------------------------------------------------------------------------------


def test_docx_carries_the_same_content(docx_file):
    assert missing(docx_text(docx.Document(docx_file)), key_strings(sample())) == []


def test_milestone_state_compares_with_as_of():
    as_of = date(2026, 12, 10)
    states = [milestone_state({"planned": planned, "actual": actual}, as_of) for planned, actual in (
        (date(2026, 12, 1), date(2026, 12, 1)), (date(2026, 12, 1), date(2026, 12, 2)), (None, date(2026, 12, 2)),
        (date(2026, 12, 9), None), (date(2026, 12, 10), None), (None, None),
    )]
    assert states == ["已完成", "延期完成", "已完成", "逾期未完成", "未到计划日期", "待定"]
