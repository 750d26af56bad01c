"""The document kit shared by every sectioned document kind (文书版式): file metadata, the context
models several kinds share (a case's header, the parcel, the standard-land terms), number and parcel
formatting, and one sectioned view (:class:`SectionedView`) printed by both
``templates/documents/sectioned.html`` and :func:`build_sectioned_docx`, so that the PDF and the DOCX
carry the same words by construction.

This module knows no document kind: it does not number, store or choose a template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from itertools import zip_longest

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt
from pydantic import Field, model_validator

from services.core.formatting import CHINA_TZ, format_date_zh, format_wan_yuan, mu_of_m2
from services.documents import docx_builder as dx
from services.documents import gongwen
from services.documents.kind import ContextModel, DecimalText, Items


@dataclass(frozen=True)
class DocumentMeta:
    """File metadata; ``created`` (aware, China time) comes from the context, never from the clock."""

    title: str
    author: str
    subject: str
    created: datetime


class Parcel(ContextModel):
    """A parcel (宗地) as the parcel register lists it."""

    number: str = Field(description="宗地编号, e.g. 2026WG031")
    base_name: str = Field(description="所属基地")
    location: str = Field(description="宗地坐落")
    area_m2: DecimalText = Field(description="area in m², decimal string")
    area_mu: DecimalText = Field(description="area in 亩, decimal string")
    land_use: str = Field(description="土地用途, e.g. 工业用地（一类）")


class CaseDocumentContext(ContextModel):
    """The keys every document about one case carries (its header and 查验码 line)."""

    number: str = Field(description="文号, e.g. 东莞绿通诺〔2026〕第0001号")
    issuer: str = Field(description="body that issues the text (seal, reply address)")
    issued_on: date = Field(description="date the text is generated; also the files' created date")
    enterprise_name: str = Field(description="the applicant enterprise")
    uscc: str = Field(description="its 统一社会信用代码")
    case_no: str = Field(description="case number, e.g. GC-2026-000123")
    project_name: str
    verification_code: str = Field(description="查验码")

CN_NUM = "〇一二三四五六七八九十"  # small ordinals for （一）… and 第一条…
BLANK_DATE = "　　　　年　　月　　日"  # filled in by hand when signed
TEXT_WIDTH_CM = 15.6  # A4 minus the GB/T 9704 left and right margins


class Commitment(ContextModel):
    """One control indicator the enterprise commits to."""

    name_zh: str = Field(description="indicator, e.g. 固定资产投资强度")
    unit: str
    committed_text: str = Field(description="e.g. ≥ 180 万元/亩")
    measured_at_zh: str = Field(description="考核节点, e.g. 竣工验收时")


class Milestones(ContextModel):
    start_on: date = Field(description="开工")
    completion_on: date = Field(description="竣工")
    production_on: date = Field(description="投产")

    @model_validator(mode="after")
    def _in_order(self) -> Milestones:
        if not self.start_on <= self.completion_on <= self.production_on:
            raise ValueError("milestones must satisfy start_on ≤ completion_on ≤ production_on")
        return self


class Liability(ContextModel):
    rectification_months: int = Field(ge=1, description="整改期限 in months")
    damages_rate: DecimalText = Field(description="违约金系数")
    land_price_wan: DecimalText | None = Field(description="出让价款 in 万元, None where the register has none")
    credit_record: bool = Field(description="a failure goes into the enterprise's credit record")


class StandardLandTerms(CaseDocumentContext):
    """What the commitment letter and the supervision agreement both state (DOMAIN §2.4)."""

    supervisor: str = Field(description="监管方 (甲方), e.g. a 管委会")
    legal_representative: str = Field(description="法定代表人 of the enterprise")
    parcel: Parcel
    industry_code: str = Field(description="GB/T 4754 code, e.g. 3562")
    industry_name: str
    total_investment_wan: DecimalText = Field(description="total investment in 万元")
    commitments: Items[Commitment] = Field(min_length=1)
    milestones: Milestones
    initial_operating_years: int = Field(ge=1, description="投产初始运行期 in years (达产复核 at its end)")
    liability: Liability


def sentence(text: str) -> str:
    """Rules' reasons come without final punctuation; printed prose needs it (once)."""
    text = text.strip()
    return text if not text or text[-1] in "。；！？" else text + "。"


def clause(text: str) -> str:
    """A text set before a “；” or “，”: its own final punctuation dropped, so it reads “甲；乙” not “甲。；乙”."""
    return text.strip().rstrip("。；，")


def joined(items: Iterable[str], sep: str = "；") -> str:
    """Clauses joined by ``sep`` with their own final punctuation dropped (see :func:`clause`)."""
    return sep.join(c for c in (clause(t) for t in items) if c)


def numbered(items: Iterable[str], *, empty: str = "无。") -> tuple[str, ...]:
    """``["甲", "乙"]`` → ``("1. 甲", "2. 乙")``; an empty list prints ``empty``."""
    lines = tuple(f"{i}. {text}" for i, text in enumerate(items, start=1))
    return lines or (empty,)


def grouped(text: str, places: int | None = None) -> str:
    """``"20000"`` → ``"20,000"``; with ``places``, rounded half-up (``"102.7613", 2`` → ``"102.76"``)."""
    value = Decimal(text.strip().replace(",", ""))
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format(value, ",f")


def percent(ratio: str, places: int = 2) -> str:
    """A fraction as a percentage: ``"0.0556"`` → ``"5.56%"``; ``"0.10", 0`` → ``"10%"``."""
    return grouped(str(Decimal(ratio) * 100), places) + "%"


def with_unit(value: str, unit: str) -> str:
    """``"180", "万元/亩"`` → ``"180 万元/亩"``, matching the rules' ``threshold_text`` style."""
    if not unit:
        return value
    return f"{value}{unit}" if unit == "%" else f"{value} {unit}"


def iso_date_zh(text: str) -> str:
    """An ISO date string from stored JSON (``"2029-12-31"``) → ``"2029年12月31日"``."""
    return format_date_zh(date.fromisoformat(text))


def parcel_area(parcel: Mapping) -> str:
    """Both areas, m² first as in land listings; the 亩 figure from m² by the one 亩 rule (as the pages show it)."""
    return f"{grouped(parcel['area_m2'], 2)}平方米（折合{mu_of_m2(parcel['area_m2'])}亩）"


def industry_text(ctx: Mapping) -> str:
    return f"{ctx['industry_name']}（行业代码 {ctx['industry_code']}）"


def parcel_fields(parcel: Mapping) -> tuple[tuple[str, str], ...]:
    return (
        ("宗地编号", parcel["number"]),
        ("所属基地", parcel["base_name"]),
        ("宗地坐落", parcel["location"]),
        ("宗地面积", parcel_area(parcel)),
        ("土地用途", parcel["land_use"]),
    )


def labelled(fields: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(f"{label}：{value}" for label, value in fields)


def make_meta(title: str, ctx: Mapping, subject: str) -> DocumentMeta:
    """File metadata dated from ``issued_on`` (midnight China time), never from the clock."""
    return DocumentMeta(
        title=f"{title} {ctx['number']}",
        author=ctx["issuer"],
        subject=subject,
        created=datetime.combine(ctx["issued_on"], time(0, 0), tzinfo=CHINA_TZ),
    )


def verification_line(ctx: Mapping, document: str) -> str:
    return (f"查验码：{ctx['verification_code']}（可在绿色通道服务平台“文书查验”页面凭此码查验本{document}真伪；"
            f"本文本由{ctx['issuer']}于{format_date_zh(ctx['issued_on'])}生成）")


@dataclass(frozen=True)
class Table:
    """A bordered table. ``widths`` are cm on the 15.6 cm text width (DOCX); the PDF uses the same shares."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    centered: tuple[bool, ...]
    compact: bool = False  # 五号 instead of 小四, for tables with many columns

    @property
    def percents(self) -> tuple[str, ...]:
        total = sum(self.widths)
        return tuple(f"{w * 100 / total:.1f}%" for w in self.widths)


@dataclass(frozen=True)
class Section:
    """A numbered heading (一、… or 第一条…) with body paragraphs, an optional table, more paragraphs."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    table: Table | None = None
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionedView:
    """Everything printed on a standard-land document, already formatted."""

    meta: DocumentMeta
    issuer: str  # printed above the title; "" for texts made by the enterprise
    title: str
    subtitle: str  # "" for none
    number: str
    draft_note: str  # "" unless the text is a draft
    addressee: str  # "" for none
    preamble: tuple[str, ...]
    sections: tuple[Section, ...]
    closing: tuple[str, ...]
    signatures: tuple[tuple[str, ...], ...]  # one block (right) or two (甲方 left, 乙方 right)
    verification: str
    notes: tuple[str, ...] = ()
    sign_centered: bool = True  # issuer/seal/date centred; False for "label：value" lines to fill in
    annotation: str = ""  # 附注 under the date, e.g. （此件公开发布）; "" for none
    copy_to: tuple[str, ...] = ()  # 抄送 bodies, printed in the 版记 at the end
    masthead: bool = True  # the issuer as a red 版头 (公文); False: a plain line above the title (证照)

    @property
    def signature_rows(self) -> tuple[tuple[str, str], ...]:
        """Two parties' lines side by side, one row per line, so a wrapped name keeps them aligned."""
        left, right = self.signatures
        return tuple(zip_longest(left, right, fillvalue=""))


def commitment_table(commitments: Sequence[Mapping]) -> Table:
    """The indicator table both the commitment letter and the agreement print."""
    rows = tuple(
        (str(i), item["name_zh"], item["committed_text"], item["measured_at_zh"])
        for i, item in enumerate(commitments, start=1)
    )
    return Table(("序号", "指标名称", "承诺值", "考核节点"), rows, (1.4, 5.2, 4.2, 4.8), (True, False, True, True))


def milestone_lines(ctx: Mapping) -> tuple[str, ...]:
    m = ctx["milestones"]
    return (
        f"（一）开工时间：{format_date_zh(m['start_on'])}前开工建设；",
        f"（二）竣工时间：{format_date_zh(m['completion_on'])}前竣工；",
        f"（三）投产时间：{format_date_zh(m['production_on'])}前投产；",
        f"（四）投产初始运行期：{ctx['initial_operating_years']}年，自投产之日起计算，期满时进行达产复核。",
    )


def damages_text(liability: Mapping) -> str:
    """违约金 = 出让价款 × 差额比例 × 系数, with the price when the parcel register has it."""
    price = liability["land_price_wan"]
    base = (f"本宗地出让价款为{format_wan_yuan(price)}" if price is not None
            else "出让价款以国有建设用地使用权出让合同约定为准")
    return (f"违约金 = 出让价款 × 差额比例 × 系数，其中系数为{liability['damages_rate']}，{base}；"
            "差额比例为承诺值与实际值之差占承诺值的比例，多项指标未达到的分别计算后累加")


def build_sectioned_docx(doc: Document, v: SectionedView) -> None:
    """Write a :class:`SectionedView` into an empty document made by :func:`docx_builder.new_document`."""
    masthead = bool(v.issuer) and v.masthead
    if masthead:
        dx.add_masthead(doc, v.issuer, v.number)
    elif v.issuer:
        dx.add_paragraph(doc, v.issuer, align=dx.Align.CENTER, east_asia=dx.TITLE_FONT, bold=True, size=Pt(18))
    dx.add_title(doc, v.title)
    if v.subtitle:
        dx.add_paragraph(doc, v.subtitle, align=dx.Align.CENTER, east_asia=dx.KAI_FONT, space_after=Pt(6))
    if not masthead:
        dx.add_paragraph(doc, v.number, align=dx.Align.RIGHT, space_after=Pt(6))
    else:
        dx.add_paragraph(doc)  # one blank line after the title
    if v.draft_note:
        dx.add_paragraph(doc, v.draft_note, size=dx.TABLE_SIZE, align=dx.Align.JUSTIFY, space_after=Pt(6))
    if v.addressee:
        dx.add_paragraph(doc, v.addressee)
    for text in v.preamble:
        dx.add_body_paragraph(doc, text)
    for section in v.sections:
        _docx_section(doc, section)
    for text in v.closing:
        dx.add_body_paragraph(doc, text)
    dx.add_paragraph(doc)  # one blank line before the signature block
    if len(v.signatures) == 1 and v.sign_centered:
        dx.add_signature_block(doc, v.signatures[0])
    elif len(v.signatures) == 1:
        add_signature_pair(doc, (), v.signatures[0])
    elif not v.signatures[0] and gongwen.sealed(v.signatures[1]):  # a 证照: the authority's block, sealed
        dx.add_signature_block(doc, v.signatures[1])
    else:
        add_signature_pair(doc, v.signatures[0], v.signatures[1])
    if v.annotation:
        dx.add_paragraph(doc, v.annotation, indent_chars=2)
    dx.add_paragraph(doc, v.verification, size=dx.TABLE_SIZE, space_before=Pt(18))
    for note in v.notes:
        dx.add_paragraph(doc, note, size=dx.TABLE_SIZE, align=dx.Align.JUSTIFY)
    if v.copy_to:
        dx.add_imprint(doc, copy_line(v.copy_to))


def copy_line(copy_to: Sequence[str]) -> str:
    """抄送 as the 版记 prints it: ``抄送：甲，乙。``"""
    return f"抄送：{'，'.join(copy_to)}。"


def _docx_section(doc: Document, section: Section) -> None:
    dx.add_heading(doc, section.heading)
    for text in section.paragraphs:
        dx.add_body_paragraph(doc, text)
    if section.table is not None:
        _docx_table(doc, section.table)
    for text in section.after:
        dx.add_body_paragraph(doc, text)


def _docx_table(doc: Document, table: Table) -> None:
    aligns = [dx.Align.CENTER if c else dx.Align.LEFT for c in table.centered]
    widths = [Cm(w * TEXT_WIDTH_CM / sum(table.widths)) for w in table.widths]
    made = dx.add_table(doc, table.header, table.rows, widths=widths, aligns=aligns)
    if table.compact:  # match the PDF's 五号 table text
        for row in made.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.line_spacing = Pt(15)
                    for run in paragraph.runs:
                        run.font.size = Pt(10.5)


def add_signature_pair(doc: Document, left: Sequence[str], right: Sequence[str]) -> None:
    """Two parties' signature lines side by side, borderless, one row per line (甲方 left, 乙方 right)."""
    rows = tuple(zip_longest(left, right, fillvalue=""))
    table = doc.add_table(rows=len(rows), cols=2)
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    half = Cm(TEXT_WIDTH_CM / 2)
    for col in range(2):
        table.columns[col].width = half
    for r, texts in enumerate(rows):
        for col, text in enumerate(texts):
            cell = table.cell(r, col)
            cell.width = half
            fmt = cell.paragraphs[0].paragraph_format
            fmt.space_after = Pt(6)
            fmt.keep_with_next = r < len(rows) - 1  # keep the block on one page
            dx.add_run(cell.paragraphs[0], text, size=dx.TABLE_SIZE)
        row_pr = table.rows[r]._tr.get_or_add_trPr()
        row_pr.append(OxmlElement("w:cantSplit"))
