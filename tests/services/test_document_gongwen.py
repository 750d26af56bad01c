"""Every document kind in the 公文 format of GB/T 9704-2012, read back from the real PDF (WeasyPrint, poppler) and
DOCX (python-docx, LibreOffice), no mocks: the Fandol faces embedded (仿宋 body, 小标宋 title), the red 版头 of
kinds issued by a body, 页码 ``— n —`` right on odd pages and left on even ones, the 成文日期 in full Chinese form,
the 印章 over it (the generated 演示印章, or a park's ``GC_SEAL_IMAGE`` on the issuer's own documents only),
附注 and 抄送 where a kind has them, and a DOCX that names the same faces and carries the seal image.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import numpy as np
import pytest
from docx.oxml.ns import qn
from PIL import Image

from services.core.settings import get_settings
from services.documents import KINDS, fonts, gongwen, render_docx, render_pdf, seal
from services.documents.layout import SectionedView
from tests.document_files import convert_with_libreoffice, needs_poppler, needs_soffice, pdftotext, run, squash
from tests.document_samples import sample

ALL_KINDS = sorted(KINDS)
DATE = re.compile(r"(.*：)?\d{4}年[1-9]\d?月[1-9]\d?日")


def view(kind: str):
    return KINDS[kind].view(sample(kind))


def has_masthead(kind: str) -> bool:
    v = view(kind)
    return bool(v.issuer) and getattr(v, "masthead", True)


def signature_blocks(kind: str) -> tuple[tuple[str, ...], ...]:
    v = view(kind)
    if isinstance(v, SectionedView):
        return tuple(block for block in v.signatures if block)
    return ((v.issuer, v.seal, v.issued_on),)


def sealed_blocks(kind: str) -> tuple[tuple[str, ...], ...]:
    return tuple(block for block in signature_blocks(kind) if gongwen.sealed(block))


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("gongwen")
    paths = {}
    for kind in ALL_KINDS:
        paths[kind] = folder / f"{kind}.pdf"
        paths[kind].write_bytes(render_pdf(kind, sample(kind)))
    return paths


def page_png(pdf: Path, page: int) -> np.ndarray:
    prefix = pdf.with_name(f"{pdf.stem}-p{page}")
    run("pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page), pdf, prefix)
    return np.asarray(Image.open(f"{prefix}.png").convert("RGB")).astype(int)


def red_pixels(rgb: np.ndarray) -> int:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((r > 150) & (g < 90) & (b < 90)).sum())


def page_count(pdf: Path) -> int:
    found = re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf))
    assert found is not None
    return int(found.group(1))


# --- the pieces ---------------------------------------------------------------------------------


def test_the_masthead_fits_the_issuer_on_one_line_no_larger_than_xiaochu():
    assert gongwen.masthead_pt("东莞市绿色通道服务中心") == 36.0
    long_name = "东莞市战略性新兴产业基地绿色通道服务中心"
    assert len(long_name) * gongwen.masthead_pt(long_name) <= gongwen.TEXT_WIDTH_PT


def test_a_leading_chinese_ordinal_is_a_second_level_heading():
    lead, rest = gongwen.second_level("（一）开工时间：2027年3月1日前开工建设；")
    assert (lead, rest) == ("（一）开工时间：", "2027年3月1日前开工建设；")
    assert gongwen.second_level("你单位于2026年提交的申请") == ("", "你单位于2026年提交的申请")


def test_the_demo_seal_is_red_names_its_body_and_says_demo():
    svg = seal.demo_svg("东莞市绿色通道服务中心")
    assert seal.DEMO_TEXT in svg and "<polygon" in svg and seal.RED in svg
    assert all(char in svg for char in "东莞市绿色通道服务中心")
    image = Image.open(io.BytesIO(seal.demo_png("东莞市绿色通道服务中心"))).convert("RGBA")
    assert image.size == (500, 500)
    assert red_pixels(np.asarray(image)[..., :3].astype(int) * (np.asarray(image)[..., 3:] > 0)) > 10_000


def test_only_a_seal_line_is_replaced_by_the_image():
    assert seal.is_seal_line("（盖章）") and seal.is_seal_line("（规划许可专用章）")
    assert not seal.is_seal_line("受托方（盖章）：") and not seal.is_seal_line("（草案）")


# --- PDF, every kind ----------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_pdf_embeds_the_fangsong_and_song_faces(pdfs, kind):
    rows = [row.split() for row in run("pdffonts", pdfs[kind]).splitlines()[2:]]
    embedded = {row[0].partition("+")[2] for row in rows if row[-5] == "yes"}
    assert "FandolFang" in embedded, rows  # 仿宋: the body
    assert "FandolSong-Bold" in embedded, rows  # 小标宋: the title
    assert not any("WenQuanYi" in name for name in embedded), rows


@needs_poppler
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_pdf_issuer_is_a_red_masthead_where_a_body_issues(pdfs, kind):
    top = page_png(pdfs[kind], 1)[: int(0.25 * 702)]  # A4 at 60 dpi is 496 × 702: the 版头 is in the top quarter
    if has_masthead(kind):
        assert red_pixels(top) > 800, "no red 发文机关标志 and 分隔线"
    else:
        assert red_pixels(top) == 0


@needs_poppler
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_pdf_page_numbers_are_dashed_odd_right_even_left(pdfs, kind):
    pdf = pdfs[kind]
    for page in range(1, page_count(pdf) + 1):
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>',
                           run("pdftotext", "-f", str(page), "-l", str(page), "-bbox", pdf, "-"))
        bottom = [(float(x), text) for x, y, text in words if float(y) > 760]  # below the 版心
        number = [(x, text) for x, text in bottom if text in ("—", str(page))]
        assert [text for _, text in number] == ["—", str(page), "—"], bottom
        if page % 2:
            assert number[0][0] > 595 / 2, f"page {page}: an odd page number sits right"
        else:
            assert number[-1][0] < 595 / 2, f"page {page}: an even page number sits left"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_date_under_the_seal_is_in_full_chinese_form(kind):
    for block in sealed_blocks(kind):
        assert DATE.fullmatch(block[-1]), block


@needs_poppler
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_pdf_sealed_blocks_print_the_seal_over_the_date(pdfs, kind):
    text = squash(pdftotext(pdfs[kind]))
    sealed = sealed_blocks(kind)
    assert (seal.DEMO_TEXT in text) == bool(sealed)
    for block in sealed:
        assert squash(block[-1]) in text  # the date is still printed, under the seal
        assert not any(squash(line) in text for line in block if seal.is_seal_line(line))
    pages = [n for n in range(1, page_count(pdfs[kind]) + 1)
             if seal.DEMO_TEXT in squash(run("pdftotext", "-f", str(n), "-l", str(n), pdfs[kind], "-"))]
    assert len(pages) == len(sealed)
    for page in pages:  # the seal's red ring and star are drawn there
        assert red_pixels(page_png(pdfs[kind], page)) > 600


def test_kinds_with_a_seal_line_include_the_issuers_notices_decisions_and_certificates():
    sealed = {kind for kind in ALL_KINDS if sealed_blocks(kind)}
    assert {"acceptance_notice", "supplement_notice", "supervision_notice", "eia_decision",
            "land_title_certificate", "construction_planning_permit"} <= sealed


@needs_poppler
def test_annotation_and_copy_to_print_where_the_kind_has_them(pdfs):
    decision = squash(pdftotext(pdfs["eia_decision"]))
    assert "（此件公开发布）" in decision
    notice = squash(pdftotext(pdfs["supervision_notice"]))
    assert squash(f"抄送：{'，'.join(sample('supervision_notice')['copy_to'])}。") in notice


# --- a park's own seal --------------------------------------------------------------------------


@pytest.fixture
def park_seal(tmp_path, monkeypatch):
    png = tmp_path / "seal.png"
    png.write_bytes(seal.demo_png("某某园区管理委员会"))
    monkeypatch.setenv("GC_SEAL_IMAGE", str(png))
    monkeypatch.setenv("GC_ISSUER_NAME", sample("supervision_notice")["issuer"])
    get_settings.cache_clear()
    yield png
    monkeypatch.undo()
    get_settings.cache_clear()


@needs_poppler
def test_a_configured_seal_is_an_image_on_the_issuers_documents_only(park_seal, tmp_path):
    ctx = sample("supervision_notice")
    assert ctx["issuer"] == get_settings().issuer_name
    own = tmp_path / "own.pdf"
    own.write_bytes(render_pdf("supervision_notice", ctx))
    assert len(run("pdfimages", "-list", own).splitlines()) > 2  # the PNG, as an image XObject
    assert seal.DEMO_TEXT not in squash(pdftotext(own)) and "（盖章）" not in squash(pdftotext(own))

    other = tmp_path / "other.pdf"  # an EIA authority's decision: the platform holds no seal of theirs
    other.write_bytes(render_pdf("eia_decision", sample("eia_decision")))
    assert "（盖章）" in squash(pdftotext(other)) and seal.DEMO_TEXT not in squash(pdftotext(other))

    own_docx = zipfile.ZipFile(io.BytesIO(render_docx("supervision_notice", ctx)))
    assert park_seal.read_bytes() in [own_docx.read(n) for n in own_docx.namelist() if n.startswith("word/media/")]
    other_docx = docx.Document(io.BytesIO(render_docx("eia_decision", sample("eia_decision"))))
    cells = [p.text for t in other_docx.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    assert "（盖章）" in cells


@needs_poppler
def test_a_configured_svg_seal_prints_in_the_pdf_and_leaves_the_docx_its_text_line(tmp_path, monkeypatch):
    svg = tmp_path / "seal.svg"
    svg.write_text(seal.demo_svg("某某园区管理委员会").replace(seal.DEMO_TEXT, "园区印章"), encoding="utf-8")
    ctx = sample("supervision_notice")
    monkeypatch.setenv("GC_SEAL_IMAGE", str(svg))
    monkeypatch.setenv("GC_ISSUER_NAME", ctx["issuer"])
    get_settings.cache_clear()
    try:
        pdf = tmp_path / "own.pdf"
        pdf.write_bytes(render_pdf("supervision_notice", ctx))
        data = render_docx("supervision_notice", ctx)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert "园区印章" in squash(pdftotext(pdf)) and "（盖章）" not in squash(pdftotext(pdf))
    document = docx.Document(io.BytesIO(data))  # no rasteriser for a park's SVG: the DOCX keeps the text line
    assert "（盖章）" in [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]


# --- DOCX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_docx_names_the_faces_and_carries_the_seal(kind):
    data = render_docx(kind, sample(kind))
    document = docx.Document(io.BytesIO(data))
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == fonts.FANG
    assert document.styles["Title"].element.rPr.rFonts.get(qn("w:eastAsia")) == fonts.SONG
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == fonts.HEI
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml").decode()
        footers = " ".join(package.read(n).decode() for n in package.namelist() if n.startswith("word/footer"))
        images = [n for n in package.namelist() if n.startswith("word/media/")]
    assert "— " in footers and "PAGE" in footers and "<w:evenAndOddHeaders" in package_settings(data)
    if has_masthead(kind):
        assert 'w:color w:val="CC0000"' in xml and 'w:color="CC0000"' in xml  # red issuer, red rule
    assert ("wp:anchor" in xml) == bool(sealed_blocks(kind))  # the seal image over the date
    assert len(images) == 1 + (1 if sealed_blocks(kind) else 0)  # the QR code (+ the seal)


def package_settings(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read("word/settings.xml").decode()


@needs_soffice
@needs_poppler
def test_docx_opens_in_libreoffice_in_the_same_faces(tmp_path):
    kinds = ("acceptance_notice", "supervision_notice", "eia_decision")
    paths = []
    for kind in kinds:
        paths.append(tmp_path / f"{kind}.docx")
        paths[-1].write_bytes(render_docx(kind, sample(kind)))
    out = convert_with_libreoffice(paths, tmp_path)
    for kind in kinds:
        listing = run("pdffonts", out / f"{kind}.pdf")
        assert "FandolFang" in listing and "FandolSong" in listing, listing
        text = squash(pdftotext(out / f"{kind}.pdf"))
        assert squash(sample(kind)["number"]) in text and "—1—" in text
