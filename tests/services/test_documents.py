"""Document rendering: real WeasyPrint, python-docx, poppler and LibreOffice; no mocks.

``pdftotext`` returns correct Chinese even when the glyphs are drawn as boxes, so the font check
uses ``pdffonts`` (a CJK font must be embedded), not the text layer.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from services.core.formatting import (
    CHINA_TZ,
    format_area,
    format_date_zh,
    format_datetime_zh,
    format_wan_yuan,
    working_days_zh,
    yuan_to_wan,
)
from services.documents import KINDS, render_docx, render_pdf
from services.documents.render import TEMPLATES_DIR, DocumentRenderError, LocalOnlyFetcher, html_to_pdf

KIND = "acceptance_notice"

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm", "pdfinfo")),
    reason="poppler-utils (pdffonts, pdftotext, pdftoppm, pdfinfo) not on PATH",
)


def make_context(**overrides) -> dict:
    ctx = {
        "number": "东莞绿通受〔2026〕第0001号",
        "issuer": "东莞市绿色通道服务中心",
        "issued_on": date(2026, 11, 27),
        "enterprise_name": "东莞市松湖智能装备制造有限公司",
        "uscc": "91350100M000100Y43",
        "case_no": "GC-2026-000123",
        "application_title": "标准地预评估申请",
        "project_name": "松湖智能装备生产基地建设项目",
        "submitted_at": datetime(2026, 11, 27, 9, 30),
        "accepted_at": datetime(2026, 11, 27, 14, 5),
        "materials": [
            {"name": "标准地预评估申请表", "form": "原件1份"},
            {"name": "营业执照（副本）", "form": "复印件1份"},
            {"name": "投资项目备案证明", "form": "电子件"},
        ],
        "sla_working_days": 5,
        "due_on": date(2026, 12, 4),
        "due_provisional": False,
        "handler_name": "陈晓明",
        "handler_phone": "0769-22830123",
        "verification_code": "7KQ2-M9XD-4TPA",
    }
    ctx.update(overrides)
    return ctx


def provisional_context() -> dict:
    # Accepted late in December: the due date falls in a year whose holidays are not published.
    return make_context(
        submitted_at=datetime(2026, 12, 28, 9, 0),
        accepted_at=datetime(2026, 12, 28, 10, 30),
        issued_on=date(2026, 12, 28),
        due_on=date(2027, 1, 5),
        due_provisional=True,
    )


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
        "（盖章）",
        ctx["verification_code"],
        "申请材料齐全、符合法定形式，决定予以受理。",
        *(item["name"] for item in ctx["materials"]),
    ]


def squash(text: str) -> str:
    """Drop all whitespace: line breaks in table cells and CJK/Latin spacing vary by renderer."""
    return "".join(text.split())


def run(*args: str | Path, timeout: int = 60) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True,
                          timeout=timeout).stdout


def pdftotext(path: Path) -> str:
    return run("pdftotext", "-enc", "UTF-8", path, "-")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    paths = {}
    for name, ctx in (("final", make_context()), ("provisional", provisional_context())):
        paths[name] = out / f"{name}.pdf"
        paths[name].write_bytes(render_pdf(KIND, ctx))
    return paths


@pytest.fixture(scope="module")
def docx_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "notice.docx"
    path.write_bytes(render_docx(KIND, provisional_context()))
    return path


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


# --- PDF --------------------------------------------------------------------------------------


def test_registry_lists_acceptance_notice():
    assert KIND in KINDS


@needs_poppler
def test_pdf_embeds_the_cjk_font(pdfs):
    rows = run("pdffonts", pdfs["final"]).splitlines()[2:]
    embedded = [row.split()[0] for row in rows if row.split()[-5] == "yes"]
    assert any("WenQuanYi" in name for name in embedded), rows


@needs_poppler
def test_pdf_text_has_title_number_and_addressee(pdfs):
    text = squash(pdftotext(pdfs["final"]))
    for expected in key_strings(make_context()):
        assert squash(expected) in text
    assert "第1页共1页" in text


@needs_poppler
def test_pdf_marks_a_provisional_due_date_and_explains_it(pdfs):
    final = squash(pdftotext(pdfs["final"]))
    provisional = squash(pdftotext(pdfs["provisional"]))
    assert "2027年1月5日（暂定）" in provisional
    assert "2027年国务院办公厅部分节假日安排尚未公布" in provisional
    assert "暂定" not in final


@needs_poppler
def test_pdf_rasterises_to_a_page_image(pdfs, tmp_path):
    run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", pdfs["final"], tmp_path / "page")
    images = list(tmp_path.glob("page*.png"))
    assert len(images) == 1
    assert images[0].stat().st_size > 10_000  # a blank A4 page at 50 dpi is ~1 KB


@needs_poppler
def test_pdf_is_deterministic(pdfs, tmp_path):
    again = tmp_path / "again.pdf"
    again.write_bytes(render_pdf(KIND, make_context()))
    assert pdftotext(again) == pdftotext(pdfs["final"])
    assert again.read_bytes() == pdfs["final"].read_bytes()


@needs_poppler
def test_pdf_metadata_comes_from_the_context(pdfs):
    info = run("pdfinfo", "-isodates", pdfs["final"])
    assert "2026-11-27T00:00:00+08" in info
    assert "受理通知书 东莞绿通受〔2026〕第0001号" in info


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
    ctx = make_context(due_on=datetime(2026, 12, 4, 0, 0))
    del ctx["uscc"]
    with pytest.raises(ValueError, match="missing uscc.*due_on must be a date"):
        render_pdf(KIND, ctx)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown document kind"):
        render_docx("no_such_notice", make_context())


# --- DOCX -------------------------------------------------------------------------------------


def test_docx_carries_the_same_content(docx_file):
    ctx = provisional_context()
    text = squash(docx_text(docx.Document(docx_file)))
    for expected in key_strings(ctx):
        assert squash(expected) in text
    assert "2027年1月5日（暂定）" in text
    assert "2027年国务院办公厅部分节假日安排尚未公布" in text


def test_docx_without_provisional_due_date_says_nothing_about_it():
    text = docx_text(docx.Document(io.BytesIO(render_docx(KIND, make_context()))))
    assert "暂定" not in text


def test_docx_sets_the_east_asian_font_on_styles_and_runs(docx_file):
    document = docx.Document(docx_file)
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体"
    assert normal.get(qn("w:eastAsiaTheme")) is None
    title = document.styles["Title"].element.rPr.rFonts
    assert title.get(qn("w:eastAsia")) == "黑体"

    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs
             for r in p.runs]
    texts = [r for r in runs if r.text.strip()]
    assert len(texts) > 15
    for r in texts:
        fonts = r._element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) in {"宋体", "黑体"}, r.text


def test_docx_page_and_properties(docx_file):
    document = docx.Document(docx_file)
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.top_margin.cm, 1) == 3.7 and round(section.left_margin.cm, 1) == 2.8
    props = document.core_properties
    assert props.created == datetime(2026, 12, 28, 0, 0, tzinfo=CHINA_TZ)  # issued_on, not "now"
    assert props.modified == props.created
    assert props.author == "东莞市绿色通道服务中心"
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml


def test_docx_bytes_are_stable():
    assert render_docx(KIND, make_context()) == render_docx(KIND, make_context())


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not on PATH")
@needs_poppler
def test_docx_converts_with_libreoffice(docx_file, tmp_path):
    profile = tmp_path / "lo-profile"  # one profile per conversion: shared profiles fail silently
    outdir = tmp_path / "out"
    run("soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
        "--outdir", outdir, docx_file, timeout=180)
    converted = outdir / "notice.pdf"
    assert converted.exists()
    text = squash(pdftotext(converted))
    assert "受理通知书" in text
    assert squash(provisional_context()["number"]) in text


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
