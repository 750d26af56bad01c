"""Small python-docx helpers for Chinese official documents (公文-like layout).

Why this module exists: python-docx's ``font.name`` only sets the Latin fonts. Chinese text takes
its font from ``w:rFonts/@w:eastAsia``, and the default template sets ``w:eastAsiaTheme``, which
wins over ``w:eastAsia``. Unless both are dealt with, Word and LibreOffice draw Chinese in whatever
fallback font they like. Every writer here therefore sets the East-Asian font explicitly, on the
styles and on each run.

The page follows GB/T 9704 (A4; margins top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm; 三号 仿宋 on a
28.95 pt line; a red 版头; 页码 "— 1 —" right on odd pages, left on even ones). Fonts are the PDF's Fandol faces
(:mod:`services.documents.fonts`): FandolSong Bold for titles (小标宋), FandolFang for the body (仿宋),
FandolHei for headings (黑体), FandolKai for second-level headings (楷体); a machine without them substitutes.

:func:`to_bytes` rewrites the ZIP with a fixed timestamp so that the same content gives the
same bytes. This module knows nothing about any particular document kind.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

from docx import Document as new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from services.documents import fonts, gongwen, seal

BODY_FONT = fonts.FANG  # 仿宋
HEADING_FONT = fonts.HEI  # 黑体
TITLE_FONT = fonts.SONG  # bold: 小标宋
KAI_FONT = fonts.KAI  # 楷体
LATIN_FONT = "Times New Roman"

BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(12)  # 小四
FOOTER_SIZE = Pt(10.5)  # 五号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
TITLE_SIZE = Pt(22)  # 二号
BODY_LINE = Pt(28.95)  # 22 lines in the 版心, the PDF's line-height
RED = RGBColor(0xCC, 0x00, 0x00)
TABLE_LINE = Pt(17)

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

Align = WD_ALIGN_PARAGRAPH


def set_fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set Latin and East-Asian fonts on a ``w:rPr`` and drop theme fonts that would override them."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _style_rpr(style):
    return style.element.get_or_add_rPr()


def _configure_styles(doc: Document) -> None:
    styles = doc.styles

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = default_rpr.find(qn("w:rFonts"))
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    rfonts.set(qn("w:cs"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = default_rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    set_fonts(_style_rpr(normal), BODY_FONT)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = BODY_LINE  # exact, as in the PDF; "1.5 lines" of a CJK font is taller

    title = styles["Title"]
    title_ppr = title.element.get_or_add_pPr()
    border = title_ppr.find(qn("w:pBdr"))
    if border is not None:
        title_ppr.remove(border)
    title.font.size = TITLE_SIZE
    title.font.bold = True
    title.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(_style_rpr(title), TITLE_FONT)
    title.paragraph_format.alignment = Align.CENTER
    title.paragraph_format.space_after = Pt(6)

    for name in ("Heading 1", "Heading 2", "Heading 3"):
        heading = styles[name]
        heading.font.size = BODY_SIZE
        heading.font.bold = False
        heading.font.color.rgb = RGBColor(0, 0, 0)
        set_fonts(_style_rpr(heading), HEADING_FONT)
        heading.paragraph_format.space_before = Pt(6)
        heading.paragraph_format.space_after = Pt(0)

    set_fonts(_style_rpr(styles["Table Grid"]), BODY_FONT)


def _configure_page(doc: Document) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Cm(21)
    section.page_height = Cm(29.7)
    section.top_margin = Cm(3.7)
    section.bottom_margin = Cm(3.5)
    section.left_margin = Cm(2.8)
    section.right_margin = Cm(2.6)
    section.header_distance = Cm(1.5)
    section.footer_distance = Cm(2.0)


def new_document(*, title: str, author: str, subject: str, created: datetime, keywords: str = "") -> Document:
    """An empty A4 document with Chinese styles and core properties taken from the arguments.

    ``created`` is used for both created and modified, so that the output does not depend on
    the clock.
    """
    doc = new_docx()
    _configure_styles(doc)
    _configure_page(doc)
    props = doc.core_properties
    props.title = title
    props.subject = subject
    props.author = author
    props.last_modified_by = author
    props.keywords = keywords
    props.comments = ""
    props.category = ""
    props.revision = 1
    props.created = created
    props.modified = created
    props.last_printed = created
    return doc


def add_run(paragraph: Paragraph, text: str, *, east_asia: str = BODY_FONT, bold: bool = False,
            size: Pt | None = None, superscript: bool = False) -> Run:
    run = paragraph.add_run(text)
    set_fonts(run._element.get_or_add_rPr(), east_asia)
    if bold:
        run.bold = True
    if size is not None:
        run.font.size = size
    if superscript:
        run.font.superscript = True
    return run


def add_paragraph(doc: Document, text: str = "", *, align: Align | None = None, indent_chars: int = 0,
                  east_asia: str = BODY_FONT, bold: bool = False, size: Pt | None = None,
                  space_before: Pt | None = None, space_after: Pt | None = None,
                  style: str | None = None) -> Paragraph:
    """A paragraph with one run. ``indent_chars`` is a first-line indent in characters (2 for 公文 body)."""
    paragraph = doc.add_paragraph(style=style)
    if text:
        add_run(paragraph, text, east_asia=east_asia, bold=bold, size=size)
    fmt = paragraph.paragraph_format
    if align is not None:
        fmt.alignment = align
    if indent_chars:
        fmt.first_line_indent = (size or BODY_SIZE) * indent_chars
    if space_before is not None:
        fmt.space_before = space_before
    if space_after is not None:
        fmt.space_after = space_after
    return paragraph


def add_title(doc: Document, text: str, *, letter_spacing: Pt = Pt(2.2)) -> Paragraph:
    """Document title: centred, 小标宋 (FandolSong Bold) 二号, letter-spaced like the PDF's ``.doc-title``."""
    paragraph = doc.add_paragraph(style="Title")
    run = add_run(paragraph, text, east_asia=TITLE_FONT, bold=True)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(round(letter_spacing.pt * 20)))
    run._element.get_or_add_rPr().append(spacing)
    return paragraph


def add_heading(doc: Document, text: str, level: int = 1) -> Paragraph:
    """一级标题 in 黑体 (level 1) or 二级标题 in 楷体 (level 2), two characters in, as the PDF sets them."""
    paragraph = doc.add_paragraph(style=f"Heading {level}")
    paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2
    add_run(paragraph, text, east_asia=HEADING_FONT if level == 1 else KAI_FONT)
    return paragraph


def add_masthead(doc: Document, issuer: str, number: str) -> None:
    """版头: the issuer in red 小标宋, centred on one line; the 发文字号 centred under it; the red 分隔线 below."""
    add_paragraph(doc, issuer, align=Align.CENTER, east_asia=TITLE_FONT, bold=True,
                  size=Pt(gongwen.masthead_pt(issuer)), space_after=Pt(14)).runs[0].font.color.rgb = RED
    paragraph = add_paragraph(doc, number, align=Align.CENTER, space_after=BODY_LINE)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "8"), ("w:color", "CC0000")):
        bottom.set(qn(key), value)  # 1.5 pt, 8 pt (about 4 mm with the line's descent) under the number
    border.append(bottom)
    paragraph.paragraph_format.element.get_or_add_pPr().append(border)


def add_body_paragraph(doc: Document, text: str) -> Paragraph:
    """A justified body paragraph, two characters in; a leading （一）…： is a 二级标题, in 楷体."""
    lead, rest = gongwen.second_level(text)
    paragraph = add_paragraph(doc, align=Align.JUSTIFY, indent_chars=2)
    if lead:
        add_run(paragraph, lead, east_asia=KAI_FONT)
    add_run(paragraph, rest)
    return paragraph


def add_imprint(doc: Document, text: str) -> Paragraph:
    """版记: a line (抄送) between a thick rule above and a thin one below, 四号, one character in."""
    paragraph = add_paragraph(doc, text, size=Pt(14), space_before=Pt(24))
    paragraph.paragraph_format.left_indent = Pt(14)
    border = OxmlElement("w:pBdr")
    for side, size in (("w:top", "8"), ("w:bottom", "4")):
        rule = OxmlElement(side)
        for key, value in (("w:val", "single"), ("w:sz", size), ("w:space", "4"), ("w:color", "000000")):
            rule.set(qn(key), value)
        border.append(rule)
    paragraph.paragraph_format.element.get_or_add_pPr().append(border)
    return paragraph


def _set_cell_text(cell, text: str, *, bold: bool, align: Align) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.alignment = align
    paragraph.paragraph_format.line_spacing = TABLE_LINE
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    add_run(paragraph, text, east_asia=HEADING_FONT if bold else BODY_FONT, size=TABLE_SIZE)


def add_table(doc: Document, header: Sequence[str], rows: Sequence[Sequence[str]],
              widths: Sequence[Cm], aligns: Sequence[Align] | None = None) -> Table:
    """A bordered table; header cells in 黑体, body cells in 宋体, all 小四."""
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    aligns = aligns or [Align.LEFT] * len(header)
    for col, text in enumerate(header):
        _set_cell_text(table.cell(0, col), text, bold=True, align=Align.CENTER)
    for r, row in enumerate(rows, start=1):
        for col, text in enumerate(row):
            _set_cell_text(table.cell(r, col), text, bold=False, align=aligns[col])
    _set_widths(table, widths)
    header_row_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header_row_pr.append(repeat)
    return table


def _set_widths(table: Table, widths: Sequence[Cm]) -> None:
    """Widths on the grid and on every cell: Word reads the cells, LibreOffice the grid."""
    for col, width in enumerate(widths):
        table.columns[col].width = width
        for cell in table.columns[col].cells:
            cell.width = width


def add_signature_block(doc: Document, lines: Sequence[str], *, width: Cm = Cm(7),
                        right_indent: Cm = Cm(2.2)) -> Table:
    """发文机关署名 / 成文日期, centred on each other in a borderless block four characters from the right margin.

    Where the signer has a seal image (:mod:`seal`), the 印章 replaces the （盖章） line and is anchored over the
    name and the date, as on paper; otherwise the lines print as given."""
    seal_png = seal.docx_png(gongwen.signer(lines)) if gongwen.sealed(lines) else None
    if seal_png is not None:
        lines = gongwen.without_seal_line(lines)
    table = doc.add_table(rows=1, cols=2)  # default table style: no borders
    table.autofit = False
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    width = Emu(min(text_width - right_indent, max(width, BODY_SIZE * (max(map(len, lines), default=0) + 1))))
    _set_widths(table, (Emu(text_width - width - right_indent), width))
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # name and date on one page
    cell = table.cell(0, 1)
    for i, text in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        paragraph.paragraph_format.alignment = Align.CENTER
        add_run(paragraph, text)
    if seal_png is not None:
        add_floating_picture(cell.paragraphs[0], seal_png, size=Cm(seal.SIZE_MM / 10),
                             left=(width - Cm(seal.SIZE_MM / 10)) // 2, top=-Cm(1.2))
        doc.add_paragraph().paragraph_format.space_after = Cm(0.8)  # the seal reaches below the date
    return table


def add_floating_picture(paragraph: Paragraph, image: bytes, *, size: Emu, left: int, top: int) -> None:
    """A picture anchored to ``paragraph`` at (left, top) EMU from its column and top, in front of the text, not
    moving it (python-docx writes only inline pictures: the inline drawing is rewritten as an anchor)."""
    run = paragraph.add_run()
    run.add_picture(io.BytesIO(image), width=size, height=size)
    inline = run._element.find(".//" + qn("wp:inline"))
    anchor = OxmlElement("wp:anchor")
    for key, value in (("distT", "0"), ("distB", "0"), ("distL", "0"), ("distR", "0"), ("simplePos", "0"),
                       ("relativeHeight", "251659264"), ("behindDoc", "0"), ("locked", "0"), ("layoutInCell", "1"),
                       ("allowOverlap", "1")):
        anchor.set(key, value)
    simple = OxmlElement("wp:simplePos")
    simple.set("x", "0")
    simple.set("y", "0")
    anchor.append(simple)
    for axis, relative, offset in (("H", "column", left), ("V", "paragraph", top)):
        position = OxmlElement(f"wp:position{axis}")
        position.set("relativeFrom", relative)
        offset_el = OxmlElement("wp:posOffset")
        offset_el.text = str(int(offset))
        position.append(offset_el)
        anchor.append(position)
    anchor.append(inline.find(qn("wp:extent")))
    effect = OxmlElement("wp:effectExtent")
    for key in ("l", "t", "r", "b"):
        effect.set(key, "0")
    anchor.append(effect)
    anchor.append(OxmlElement("wp:wrapNone"))
    for child in (inline.find(qn("wp:docPr")), inline.find(qn("wp:cNvGraphicFramePr")),
                  inline.find(qn("a:graphic"))):
        if child is not None:
            anchor.append(child)
    inline.getparent().replace(inline, anchor)


def _add_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (PAGE, NUMPAGES) whose cached result is ``placeholder``."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None),
                       ("text", placeholder), ("end", None)):
        run = add_run(paragraph, "", size=PAGE_NUMBER_SIZE)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._element.append(instr)
        elif kind == "text":
            run.text = text
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)


def add_page_number_footer(doc: Document, qr_png: bytes | None = None) -> None:
    """页码 ``— N —`` (四号, a live PAGE field): right on odd pages, left on even ones, one character in; with
    ``qr_png``, the 扫码查验 QR code in the other corner of every page, as the PDF prints it."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    if qr_png is not None:
        section.footer_distance = Cm(0.8)  # the code fits between the page's bottom edge and the text
    width = section.page_width - section.left_margin - section.right_margin
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        paragraph = footer.paragraphs[0]
        paragraph.paragraph_format.line_spacing = 1.0  # an exact line height would clip the image
        stops = paragraph.paragraph_format.tab_stops
        for inherited in (Twips(4680), Twips(9360)):  # the Footer style's centre and right stops
            stops.add_tab_stop(inherited, WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(width - PAGE_NUMBER_SIZE, WD_TAB_ALIGNMENT.RIGHT)
        if odd:
            _add_qr(paragraph, qr_png)
            add_run(paragraph, "\t", size=PAGE_NUMBER_SIZE)
            _add_page_number(paragraph)
        else:
            add_run(paragraph, "　", size=PAGE_NUMBER_SIZE)  # one character in
            _add_page_number(paragraph)
            add_run(paragraph, "\t", size=PAGE_NUMBER_SIZE)
            _add_qr(paragraph, qr_png)


def _add_page_number(paragraph: Paragraph) -> None:
    add_run(paragraph, "— ", east_asia=TITLE_FONT, size=PAGE_NUMBER_SIZE)
    _add_field(paragraph, "PAGE", "1")
    add_run(paragraph, " —", east_asia=TITLE_FONT, size=PAGE_NUMBER_SIZE)


def _add_qr(paragraph: Paragraph, qr_png: bytes | None) -> None:
    if qr_png is not None:
        paragraph.add_run().add_picture(io.BytesIO(qr_png), width=Cm(1.8))


def to_bytes(doc: Document, *, timestamp: datetime) -> bytes:
    """Serialise, then rewrite the ZIP with every member dated ``timestamp`` (python-docx uses now)."""
    raw = io.BytesIO()
    doc.save(raw)
    raw.seek(0)
    out = io.BytesIO()
    date_time = (max(timestamp.year, 1980), timestamp.month, timestamp.day,
                 timestamp.hour, timestamp.minute, timestamp.second)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()
