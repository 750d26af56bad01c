"""督办通知 (supervision notice): real WeasyPrint, python-docx and poppler; no mocks.

What the notice prints (the PDF text layer and the DOCX carry its key strings) and how validation
names what is missing or inconsistent; the checks every kind passes (font, bytes, dates, LibreOffice)
are in ``test_document_kinds.py``.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from services.documents import KINDS, render_docx, render_pdf, seal
from tests.document_files import docx_text, missing, needs_poppler, pdf_text, squash
from tests.document_samples.supervision import supervision_notice as sample

KIND = "supervision_notice"


def key_strings(ctx: dict) -> list[str]:
    """What both formats must print, as it should read."""
    return [
        "督办通知", "（一级督办）", ctx["number"], ctx["issuer"], f"{ctx['department']}：", ctx["enterprise_name"],
        ctx["uscc"], ctx["case_no"], ctx["project_name"], ctx["verification_code"],
        "“建设工程规划许可证核发”环节由你单位承办，承诺时限为5个工作日，自2026年11月23日起算，办结期限为2026年12月3日。",
        "截至2026年12月10日，该环节仍未办结，超过办结期限4个工作日（计时暂停的3个工作日不计入），"
        "绿色通道亮灯督办系统已亮红灯。",
        "现向你单位发出督办通知",
        "事项", "建设工程规划许可申请", "受理/起算日期", "2026年11月23日", "承诺时限", "办结期限", "2026年12月3日",
        "已超期", "4个工作日（截至2026年12月10日）", "计时暂停", "3个工作日（补正等法定情形，不计入办理时限）",
        "亮灯状态", "红灯", "督办级别", "一级督办：向承办部门发出督办通知",
        "二、督办要求",
        "（一）请你单位接到本通知后立即办结该事项；确有困难的，书面说明原因、已采取的措施和预计办结时间。",
        f"（二）请于2026年12月15日前将办理情况书面回复{ctx['issuer']}，说明超期原因、已采取和拟采取的整改措施及预计办结日期。",
        "（三）请明确一名责任人（姓名、职务、联系电话）",
        "（四）逾期未书面回复或者仍未办结的，将提请现场指挥部督办，并按照有关规定对相关责任人启动效能问责。",
        "三、此前亮灯及督办情况", "1 2026年12月2日 剩余1个工作日，亮黄灯", "2 2026年12月4日 超过办结期限，亮红灯",
        "特此通知。", "2026年12月10日", "抄送：绿色通道服务中心服务专员，现场指挥部。",
    ]


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sup-pdf") / f"{KIND}.pdf"
    path.write_bytes(render_pdf(KIND, sample()))
    return path


@pytest.fixture(scope="module")
def docx_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sup-docx") / f"{KIND}.docx"
    path.write_bytes(render_docx(KIND, sample()))
    return path


def rendered_text(tmp_path: Path, ctx: dict) -> str:
    path = tmp_path / f"{KIND}-extra.pdf"
    path.write_bytes(render_pdf(KIND, ctx))
    return squash(pdf_text(path))


# --- registry and validation ------------------------------------------------------------------


def test_registered_with_its_title_and_number_word():
    spec = KINDS[KIND]
    assert (spec.title, spec.number_word, spec.template) == ("督办通知", "督", "sectioned.html")


@pytest.mark.parametrize("key", ["department", "reply_due_on", "copy_to", "history", "paused_working_days", "uscc"])
def test_a_missing_key_is_named(key):
    ctx = sample()
    del ctx[key]
    with pytest.raises(ValueError, match=f"{KIND} context: .*missing {key}"):
        render_pdf(KIND, ctx)


def test_a_missing_or_mistyped_history_entry_is_named():
    ctx = sample()
    del ctx["history"][1]["event"]
    ctx["history"][0]["on"] = "2026-12-04"
    with pytest.raises(ValueError, match=r"history\[0\]\.on has type str.*missing history\[1\]\.event"):
        render_docx(KIND, ctx)


def test_reply_due_on_must_be_after_issued_on():
    for reply in (date(2026, 12, 10), date(2026, 12, 9)):
        with pytest.raises(ValueError, match="reply_due_on must be after issued_on"):
            render_pdf(KIND, sample(reply_due_on=reply))


def test_mistyped_and_out_of_range_values_are_named():
    ctx = sample(level=4, light="yellow", overdue_working_days=-1, paused_working_days=True, copy_to=[],
                 started_on=datetime(2026, 11, 23, 9, 0))
    with pytest.raises(ValueError, match=r"started_on must be a date.*paused_working_days must be an int.*"
                                         r"light must be one of \['red'\].*copy_to needs at least 1 item.*"
                                         r"level must be one of \[1, 2, 3\], not 4.*"
                                         r"overdue_working_days must not be negative"):
        render_pdf(KIND, ctx)


def test_dates_must_not_run_backwards():
    with pytest.raises(ValueError, match="started_on must not be after due_on"):
        render_pdf(KIND, sample(started_on=date(2026, 12, 4)))
    with pytest.raises(ValueError, match="due_on must not be after issued_on"):
        render_pdf(KIND, sample(due_on=date(2026, 12, 11), overdue_working_days=0))
    with pytest.raises(ValueError, match="overdue_working_days > 0 needs due_on before issued_on"):
        render_pdf(KIND, sample(due_on=date(2026, 12, 10)))
    with pytest.raises(ValueError, match=r"history\[0\]\.on must not be after issued_on"):
        render_pdf(KIND, sample(history=[{"on": date(2026, 12, 11), "event": "亮红灯"}]))


# --- PDF --------------------------------------------------------------------------------------


@needs_poppler
def test_pdf_text_has_the_key_strings(pdf_file):
    text = pdf_text(pdf_file)
    assert missing(text, key_strings(sample())) == []
    assert seal.DEMO_TEXT in text and "（盖章）" not in text  # the (demo) 印章 over the date, not the placeholder


@needs_poppler
@pytest.mark.parametrize("level, subtitle, wording, next_step", [
    (2, "（二级督办：提请现场指挥部督办）", "经前期督办仍未办结，现提请现场指挥部督办", "将提请总指挥部督办"),
    (3, "（三级督办：提请总指挥部督办）", "经现场指挥部督办仍未办结，现提请总指挥部督办",
     "将由总指挥部予以通报并约谈你单位主要负责人"),
])
def test_higher_levels_print_their_wording(tmp_path, level, subtitle, wording, next_step):
    text = rendered_text(tmp_path, sample(level=level))
    assert subtitle in text and wording in text and next_step in text
    assert "向你单位发出督办通知" not in text and "一级督办" not in text


@needs_poppler
def test_without_history_or_pause(tmp_path):
    ctx = sample(history=[], paused_working_days=0, overdue_working_days=1, due_on=date(2026, 12, 9))
    text = rendered_text(tmp_path, ctx)
    assert "此前亮灯及督办情况" not in text
    assert "超过办结期限1个工作日，绿色通道亮灯督办系统已亮红灯" in text
    assert "计时暂停无" in text and "不计入" not in text


@needs_poppler
def test_due_today_is_not_called_overdue_by_days(tmp_path):
    text = rendered_text(tmp_path, sample(due_on=date(2026, 12, 10), overdue_working_days=0, history=[]))
    assert "该环节仍未办结，已届办结期限（计时暂停的3个工作日不计入）" in text
    assert "超过办结期限" not in text


# --- DOCX -------------------------------------------------------------------------------------


def test_docx_carries_the_same_content(docx_file):
    text = docx_text(docx.Document(docx_file))
    expected = [s for s in key_strings(sample()) if not s[0].isdigit()]  # history rows are cells in DOCX
    assert missing(text, expected + ["2026年12月2日", "剩余1个工作日，亮黄灯", "超过办结期限，亮红灯"]) == []
    assert "（盖章）" not in text  # the seal image replaces the placeholder
    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(docx_file).namelist())


