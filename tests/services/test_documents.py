"""The 受理通知书 (acceptance notice), the renderer's local-only fetcher and the formatting helpers:
real WeasyPrint, python-docx and poppler; no mocks. What every kind must pass (font, bytes, dates,
LibreOffice) is in ``test_document_kinds.py``.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from services.core.formatting import (
    format_area,
    format_date_zh,
    format_datetime_zh,
    format_wan_yuan,
    working_days_zh,
    yuan_to_wan,
)
from services.documents import render_docx, render_pdf
from services.documents.render import TEMPLATES_DIR, DocumentRenderError, LocalOnlyFetcher, html_to_pdf
from tests.document_files import docx_text, needs_poppler, pdftotext, squash
from tests.document_samples.acceptance import acceptance_notice, provisional

KIND = "acceptance_notice"

def key_strings(ctx: dict) -> list[str]:
    """What both formats must print, as it should read."""
    return [
        "受理通知书",
        ctx["number"],
        ctx["issuer"],
        ctx["enterprise_name"],
        ctx["uscc"],
        ctx["case_no"],
        f"《{ctx['application_title']}》",
        ctx["project_name"],
        format_datetime_zh(ctx["accepted_at"]),
        working_days_zh(ctx["sla_working_days"]),
        format_date_zh(ctx["due_on"]),
        ctx["handler_name"],
        ctx["handler_phone"],
        ctx["verification_code"],  # （盖章）: the seal image prints instead (tests/services/test_document_gongwen.py)
        "申请材料齐全、符合法定形式，决定予以受理。",
        *(item["name"] for item in ctx["materials"]),
    ]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    paths = {}
    for name, ctx in (("final", acceptance_notice()), ("provisional", provisional())):
        paths[name] = out / f"{name}.pdf"
        paths[name].write_bytes(render_pdf(KIND, ctx))
    return paths


@pytest.fixture(scope="module")
def docx_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "notice.docx"
    path.write_bytes(render_docx(KIND, provisional()))
    return path


# --- PDF --------------------------------------------------------------------------------------


@needs_poppler
def test_pdf_text_has_title_number_and_addressee(pdfs):
    text = squash(pdftotext(pdfs["final"]))
    for expected in key_strings(acceptance_notice()):
        assert squash(expected) in text
    assert "—1—" in text  # 页码 in the 公文 style


@needs_poppler
def test_pdf_marks_a_provisional_due_date_and_explains_it(pdfs):
    final = squash(pdftotext(pdfs["final"]))
    provisional = squash(pdftotext(pdfs["provisional"]))
    assert "2027年1月5日（暂定）" in provisional
    assert "2027年国务院办公厅部分节假日安排尚未公布" in provisional
    assert "暂定" not in final


def test_fetcher_refuses_network_and_files_outside_templates(tmp_path):
    fetcher = LocalOnlyFetcher(TEMPLATES_DIR)
    assert b"@page" in fetcher((TEMPLATES_DIR / "base.css").as_uri()).read()
    outside = tmp_path / "x.css"
    outside.write_text("p {}")
    for url in ("https://example.com/base.css", outside.as_uri(),
                (TEMPLATES_DIR / ".." / ".." / "pyproject.toml").as_uri()):
        with pytest.raises(ValueError):
            fetcher(url)


def test_a_non_local_stylesheet_stops_the_render():
    html = '<html><head><link rel="stylesheet" href="https://example.com/x.css"></head><body>x</body></html>'
    with pytest.raises(DocumentRenderError, match="refused non-local URL"):
        html_to_pdf(html)


def test_missing_and_mistyped_keys_are_named():
    ctx = acceptance_notice(due_on=datetime(2026, 12, 4, 0, 0))
    del ctx["uscc"]
    with pytest.raises(ValueError, match="missing uscc.*due_on must be a date"):
        render_pdf(KIND, ctx)


# --- DOCX -------------------------------------------------------------------------------------


def test_docx_carries_the_same_content(docx_file):
    ctx = provisional()
    text = squash(docx_text(docx.Document(docx_file)))
    for expected in key_strings(ctx):
        assert squash(expected) in text
    assert "2027年1月5日（暂定）" in text
    assert "2027年国务院办公厅部分节假日安排尚未公布" in text


def test_docx_without_provisional_due_date_says_nothing_about_it():
    text = docx_text(docx.Document(io.BytesIO(render_docx(KIND, acceptance_notice()))))
    assert "暂定" not in text


# --- formatting helpers -----------------------------------------------------------------------


def test_format_date_zh_has_no_leading_zeros():
    assert format_date_zh(date(2026, 1, 5)) == "2026年1月5日"
    assert format_date_zh(date(2026, 11, 27)) == "2026年11月27日"


def test_format_datetime_zh_pads_minutes_and_uses_china_time():
    assert format_datetime_zh(datetime(2026, 11, 27, 14, 5)) == "2026年11月27日14时05分"
    assert format_datetime_zh(datetime(2026, 1, 5, 9, 0)) == "2026年1月5日9时00分"
    utc = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)  # 00:30 next day in Beijing
    assert format_datetime_zh(utc) == "2026年11月27日0时30分"
    assert format_date_zh(utc) == "2026年11月27日"
    assert format_datetime_zh(utc.astimezone(timezone(timedelta(hours=-5)))) == "2026年11月27日0时30分"


def test_format_area_is_exact():
    assert format_area(Decimal("1")) == "1.00亩（666.67平方米）"
    assert format_area(Decimal("15")) == "15.00亩（10,000.00平方米）"
    assert format_area(Decimal("30")) == "30.00亩（20,000.00平方米）"
    assert format_area(3) == "3.00亩（2,000.00平方米）"
    # Beihai listing: 68,507.52 m² is 102.76128 亩; back from the exact mu gives the listed m².
    assert format_area(Decimal("68507.52") * 3 / 2000) == "102.76亩（68,507.52平方米）"


def test_format_wan_yuan_rounds_half_up_and_groups_thousands():
    assert format_wan_yuan(Decimal("1234.5")) == "1,234.50万元"
    assert format_wan_yuan(Decimal("0.005")) == "0.01万元"
    assert format_wan_yuan(Decimal("2570"), places=0) == "2,570万元"
    assert format_wan_yuan(yuan_to_wan(12_345_000)) == "1,234.50万元"


def test_formatters_refuse_floats_and_bad_day_counts():
    with pytest.raises(TypeError):
        format_wan_yuan(1234.5)
    with pytest.raises(TypeError):
        format_area(1.5)
    assert working_days_zh(5) == "5个工作日"
    with pytest.raises(ValueError):
        working_days_zh(-1)
    with pytest.raises(TypeError):
        working_days_zh(True)
