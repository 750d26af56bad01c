"""Shared pieces of the 拿地即开工 (start construction the day the land is acquired) documents: the
context keys all five carry, their checks, and the certificate layout the four 证照 share.

The five kinds are the enterprise's 拿地前预审风险承诺书 (``risk_commitment``) and the four 证照
issued together in one batch once the land is won (四证联发): 不动产权证书 (``land_title_certificate``),
建设用地规划许可证 (``land_use_planning_permit``), 建设工程规划许可证 (``construction_planning_permit``)
and 建筑工程施工许可证 (``construction_permit``). They use the standard-land documents'
:class:`~services.documents.layout.SectionedView` and its DOCX builder. This module
does not number, batch or issue anything: the caller passes the results in.

The context all five carry is :class:`PermitContext`; the four 证照 add :class:`CertificateContext`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import format_date_zh
from services.documents import common_eia as ce
from services.documents import layout
from services.documents.kind import ContextModel, NotBlank, context_day
from services.documents.layout import DocumentMeta, Section, SectionedView, Table

COUNTRY = "中华人民共和国"  # printed above a certificate's title
SUBTITLE = "（电子证照）"
NONE_TEXT = "—"
FACTS_HEADER = ("项目", "内容")
COMPACT_ROWS = 14  # a facts grid with more rows is set in 五号
PLANNING_LAW = "《中华人民共和国城乡规划法》"
BUILDING_LAW = "《中华人民共和国建筑法》"
SEAL_TEXT = "（盖章）"



# --- the context -----------------------------------------------------------------------------


class PermitContext(ContextModel):
    """The keys all five 拿地即开工 documents carry."""

    number: str = Field(description="文号 / 证号, e.g. 东莞绿通地字〔2026〕第0007号")
    issuer: str = Field(description="body that generates the text (the platform operator)")
    issued_on: date = Field(description="date of issue; also the files' created date")
    verification_code: str = Field(description="查验码")
    enterprise_name: str = Field(description="the enterprise (建设单位 / 用地单位)")
    uscc: str = Field(description="its 统一社会信用代码")
    legal_representative: str = Field(description="its 法定代表人")
    case_no: str = Field(description="case number, e.g. GC-2026-000123")
    project_name: str
    parcel: layout.Parcel


class CertificateContext(PermitContext):
    """A 证照 of the batch: it names the batch, and its issuing body (a field of each kind) seals it. The
    issuing body, the seal text and the 证号 series are the park's data (``services.land_to_start.certificates``);
    a context stored before they were (no ``certificate_number``) prints as it did then."""

    batch_no: NotBlank = Field(description="四证联发批次号")
    certificate_number: str = Field(default="", description="证号 in the park's series, e.g. 粤（2026）东莞不动产权第"
                                    "0000007号; empty: the platform 文号 is the 证号")
    seal_text: NotBlank = Field(default=SEAL_TEXT, description="the seal block's line under the authority")


def in_order(first: str, second: str, *, strict: bool):
    """A validator for ``first``: it must not come after the raw context's ``second`` (``strict``: before it)."""
    def check(value: date, info: ValidationInfo) -> date:
        other = context_day(info, second)
        if other and strict and value >= other:
            raise ValueError(f"{first} must be before {second}")
        if other and value > other:
            raise ValueError(f"{first} must not be after {second}")
        return value
    return field_validator(first)(check)


# --- formatting -------------------------------------------------------------------------------


def area_text(square_metres: str) -> str:
    """``"20000"`` → ``"20,000.00平方米"``."""
    return f"{layout.grouped(square_metres, 2)}平方米"


def or_none(text: str) -> str:
    return text.strip() or NONE_TEXT


def cell_lines(items: Iterable[str], *, empty: str = "无") -> str:
    """Numbered lines inside one table cell (``"1. 甲\\n2. 乙"``)."""
    return "\n".join(layout.numbered(items, empty=empty))


def facts_table(rows: Sequence[tuple[str, str]]) -> Table:
    """The certificate's 项目/内容 grid; the label column just fits the longest label on one line. A long
    grid is set in 五号 so that the permit, its 附记 and the seal stay on the first page."""
    compact = len(rows) > COMPACT_ROWS
    label_cm = (0.4 if compact else 0.45) * max(len(label) for label, _ in rows) + 0.6
    return Table(FACTS_HEADER, tuple(rows), (label_cm, layout.TEXT_WIDTH_CM - label_cm), (True, False), compact=compact)


def batch_line(ctx: Mapping) -> str:
    return f"本证与同批次其他证照（批次号 {ctx['batch_no']}）同时核发。"


def four_certificates_line(ctx: Mapping) -> str:
    return f"本项目实行“拿地即开工”四证联发（案件编号 {ctx['case_no']}）。"


def meta(title: str, ctx: Mapping) -> DocumentMeta:
    return layout.make_meta(title, ctx, f"{ctx['project_name']} {ctx['parcel']['number']} {ctx['case_no']}")


def certificate(ctx: Mapping, *, title: str, authority: str, legal_note: str, facts: Sequence[tuple[str, str]],
                notes_heading: str, notes: Sequence[str]) -> SectionedView:
    """A 证照 page: 中华人民共和国 / title / 电子证照 / 证号, the legal note, one grid of the facts ending
    with 附记 (batch, 四证联发), the authority's seal, and the notes (遵守事项 / 注意事项) in small print."""
    rows = (*facts, ("附记", "\n".join((batch_line(ctx), four_certificates_line(ctx)))))
    verification = layout.verification_line(ctx, "证照")
    if ctx.get("certificate_number"):  # the 查验 page knows the document by the platform 文号
        verification = f"平台文号：{ctx['number']}；{verification}"
    return SectionedView(
        meta=meta(title, ctx),
        issuer=COUNTRY,
        title=title,
        subtitle=SUBTITLE,
        number=ctx.get("certificate_number") or ctx["number"],
        draft_note="",
        addressee="",
        preamble=(legal_note,),
        sections=(Section("证照信息", (), facts_table(rows)),),
        closing=(),
        # right half of a two-column block, kept on one page (a lone floated block may split)
        signatures=((), (f"发证机关：{authority}", ctx.get("seal_text") or SEAL_TEXT,
                         f"发证日期：{format_date_zh(ctx['issued_on'])}")),
        verification=verification,
        notes=(f"{notes_heading}：", *ce.enumerated(notes)),
        masthead=False,  # a 证照 is headed 中华人民共和国, not by a red 版头
    )
