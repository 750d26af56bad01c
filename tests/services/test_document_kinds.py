"""Every registered document kind, rendered from its sample with the real WeasyPrint, python-docx,
poppler and LibreOffice (no mocks): the checks each kind must pass whatever it prints.

A CJK font is embedded (``pdftotext`` alone would pass with boxes), the text layer is Chinese and
carries the title and number, output is byte-stable and dated from the context, the DOCX sets the
East-Asian font on every run and opens in LibreOffice. What a kind prints is checked in its family's
test module. Page 1 of each PDF is written to ``/tmp/gc-docs/`` as a PNG, for looking at the layout.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from services.core.formatting import CHINA_TZ, format_date_zh
from services.documents import KINDS, render_docx, render_pdf
from tests.document_files import (
    convert_with_libreoffice,
    needs_poppler,
    needs_soffice,
    pdftotext,
    render_each,
    run,
    squash,
)
from tests.document_samples import SAMPLES, sample

ALL_KINDS = sorted(KINDS)
PREVIEW_DIR = Path("/tmp/gc-docs")
CERTIFICATES = ("land_title_certificate", "land_use_planning_permit", "construction_planning_permit",
                "construction_permit")
MANDATES = ("mandate_letter", "mandate_continuation", "mandate_termination", "mandate_completion")
# what LibreOffice must also show beyond title, number, date and enterprise
LIBREOFFICE_EXTRAS = {
    **{kind: lambda ctx: [ctx["items"][0]["name"],
                          f"自{format_date_zh(ctx['valid_from'])}起至{format_date_zh(ctx['valid_until'])}止"]
       for kind in MANDATES},
    "progress_report": lambda ctx: ["GC-2026-000124", "建设工程规划许可证核发", "红灯", "计时暂停"],
    "supervision_notice": lambda ctx: [ctx["department"], "超过办结期限4个工作日", format_date_zh(ctx["reply_due_on"])],
    "risk_commitment": lambda ctx: [ctx["parcel"]["location"]],
    **{kind: lambda ctx: [ctx["parcel"]["location"], f"本证与同批次其他证照（批次号 {ctx['batch_no']}）同时核发"]
       for kind in CERTIFICATES},
}


def midnight(ctx: dict) -> datetime:
    """Files are dated from ``issued_on`` at midnight, China time, never from the clock."""
    return datetime.combine(ctx["issued_on"], time(0, 0), tzinfo=CHINA_TZ)


def printed_title(kind: str) -> str:
    """The title as the page prints it (a draft's （草案） is a subtitle)."""
    return KINDS[kind].title.replace("（草案）", "")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    return render_each(tmp_path_factory.mktemp("pdf"), ALL_KINDS, "pdf")


@pytest.fixture(scope="module")
def docxs(tmp_path_factory) -> dict[str, Path]:
    return render_each(tmp_path_factory.mktemp("docx"), ALL_KINDS, "docx")


# --- the registry -----------------------------------------------------------------------------


def test_every_kind_has_a_sample_and_a_unique_number_word():
    assert set(SAMPLES) == set(KINDS)
    words = [kind.number_word for kind in KINDS.values()]
    assert len(words) == len(set(words)), words
    assert all(code == kind.code for code, kind in KINDS.items())


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown document kind"):
        render_docx("no_such_notice", sample("acceptance_notice"))


# --- PDF --------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_pdf_embeds_the_cjk_font(pdfs, kind):
    rows = run("pdffonts", pdfs[kind]).splitlines()[2:]
    embedded = [row.split()[0] for row in rows if row.split()[-5] == "yes"]
    assert any("FandolFang" in name for name in embedded), rows  # 仿宋 body
    assert any("FandolSong" in name for name in embedded), rows  # 宋 / 小标宋 title


@needs_poppler
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_pdf_text_is_chinese_with_title_and_number(pdfs, kind):
    text = squash(pdftotext(pdfs[kind]))
    assert squash(printed_title(kind)) in text
    assert squash(sample(kind)["number"]) in text


@needs_poppler
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_pdf_first_page_rasterises(pdfs, kind):
    PREVIEW_DIR.mkdir(parents=True, exist_ok=True)
    run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdfs[kind], PREVIEW_DIR / kind)
    images = sorted(PREVIEW_DIR.glob(f"{kind}-*1.png"))
    assert images and images[0].stat().st_size > 10_000  # a blank A4 page at 60 dpi is ~1 KB


@needs_poppler
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_pdf_is_deterministic_and_dated_from_the_context(pdfs, kind):
    ctx = sample(kind)
    again = render_pdf(kind, ctx)
    assert again == pdfs[kind].read_bytes()
    info = run("pdfinfo", "-isodates", pdfs[kind])
    assert f"{ctx['issued_on'].isoformat()}T00:00:00+08" in info
    assert f"{KINDS[kind].title} {ctx['number']}" in info


# --- DOCX -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_docx_sets_the_east_asian_font_on_styles_and_every_run(docxs, kind):
    document = docx.Document(docxs[kind])
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "FandolFang"
    assert normal.get(qn("w:eastAsiaTheme")) is None
    assert document.styles["Title"].element.rPr.rFonts.get(qn("w:eastAsia")) == "FandolSong"
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    runs += [r for p in document.sections[0].header.paragraphs for r in p.runs]
    texts = [r for r in runs if r.text.strip()]
    assert len(texts) > (15 if kind == "acceptance_notice" else 20)
    for r in texts:
        assert r._element.rPr.rFonts.get(qn("w:eastAsia")) in {"FandolFang", "FandolSong", "FandolHei", "FandolKai"}, \
            r.text


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_docx_page_and_properties_come_from_the_context(docxs, kind):
    ctx = sample(kind)
    document = docx.Document(docxs[kind])
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.top_margin.cm, 1) == 3.7 and round(section.left_margin.cm, 1) == 2.8
    props = document.core_properties
    assert props.created == midnight(ctx)  # issued_on, not "now"
    assert props.modified == props.created
    assert props.author == ctx["issuer"]
    assert props.title == f"{KINDS[kind].title} {ctx['number']}"
    for footer in (section.footer, section.even_page_footer):  # 页码 — n —, odd pages right, even pages left
        footer_xml = footer._element.xml
        assert "PAGE" in footer_xml and "— " in footer_xml and " —" in footer_xml


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_docx_bytes_are_stable(docxs, kind):
    assert render_docx(kind, sample(kind)) == docxs[kind].read_bytes()


@needs_soffice
@needs_poppler
def test_every_docx_converts_with_libreoffice(docxs, tmp_path):
    outdir = convert_with_libreoffice(docxs.values(), tmp_path)
    for kind in ALL_KINDS:
        converted = outdir / f"{kind}.pdf"
        assert converted.exists(), kind
        text = squash(pdftotext(converted))
        ctx = sample(kind)
        whom = ctx.get("enterprise_name") or ctx["department"]  # a 部门月度通报 is about a department
        for expected in [printed_title(kind), ctx["number"], format_date_zh(ctx["issued_on"]), whom,
                         *LIBREOFFICE_EXTRAS.get(kind, lambda ctx: [])(ctx)]:
            assert squash(expected) in text, (kind, expected)
