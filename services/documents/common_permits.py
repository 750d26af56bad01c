"""Shared pieces of the 拿地即开工 (start construction the day the land is acquired) documents: the
context keys all five carry, their checks, and the certificate layout the four 证照 share.

The five kinds are the enterprise's 拿地前预审风险承诺书 (``risk_commitment``) and the four 证照
issued together in one batch once the land is won (四证联发): 不动产权证书 (``land_title_certificate``),
建设用地规划许可证 (``land_use_planning_permit``), 建设工程规划许可证 (``construction_planning_permit``)
and 建筑工程施工许可证 (``construction_permit``). They use the standard-land documents'
:class:`~services.documents.layout.SectionedView` and its DOCX builder. This module
does not number, batch or issue anything: the caller passes the results in.

Common context (a plain dict; all keys required):

=======================  ==========  ========================================================
key                      type        meaning
=======================  ==========  ========================================================
number                   str         文号 / 证号, e.g. ``"东莞绿通地字〔2026〕第0007号"``
issuer                   str         body that generates the text (the platform operator)
issued_on                date        date of issue; also the file's created date
verification_code        str         查验码
enterprise_name          str         the enterprise (建设单位 / 用地单位)
uscc                     str         its 统一社会信用代码
legal_representative     str         its 法定代表人
case_no                  str         case number, e.g. ``"GC-2026-000123"``
project_name             str         project name
parcel                   dict        ``{"number", "base_name", "location", "area_m2", "area_mu",
                                     "land_use"}``, all str, areas as decimal strings
=======================  ==========  ========================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from services.core.formatting import format_date_zh
from services.documents import common_eia as ce
from services.documents import common_mandate as cm
from services.documents import layout
from services.documents.layout import DocumentMeta, Section, SectionedView, Table

COUNTRY = "中华人民共和国"  # printed above a certificate's title
SUBTITLE = "（电子证照）"
NONE_TEXT = "—"
FACTS_HEADER = ("项目", "内容")
COMPACT_ROWS = 14  # a facts grid with more rows is set in 五号
PLANNING_LAW = "《中华人民共和国城乡规划法》"
BUILDING_LAW = "《中华人民共和国建筑法》"

COMMON_TYPES: dict[str, layout.TypeSpec] = {
    "number": str,
    "issuer": str,
    "issued_on": date,
    "verification_code": str,
    "enterprise_name": str,
    "uscc": str,
    "legal_representative": str,
    "case_no": str,
    "project_name": str,
    "parcel": Mapping,
}


# --- context checks ---------------------------------------------------------------------------


def common_problems(ctx: Mapping, types: Mapping[str, layout.TypeSpec]) -> list[str]:
    """The common keys plus the kind's own, and the parcel's keys and areas."""
    problems = layout.type_problems(ctx, {**COMMON_TYPES, **types})
    problems += layout.parcel_problems(ctx)
    return problems


def certificate_problems(ctx: Mapping, types: Mapping[str, layout.TypeSpec], authority_key: str,
                         decimal_keys: Sequence[str]) -> list[str]:
    """A 证照: the common keys and the kind's own, a batch number and an issuing body
    (``authority_key``) that say something, and figures that are decimal numbers."""
    problems = common_problems(ctx, types)
    problems += cm.not_blank_problems(ctx, "batch_no", authority_key)
    problems += layout.decimal_problems({key: ctx.get(key) for key in decimal_keys})
    return problems


def before_problems(ctx: Mapping, first: str, second: str, *, strict: bool) -> list[str]:
    """Two dates in order; ``strict``: ``first < second``, else ``first ≤ second``. Skipped if mistyped."""
    a, b = cm.day(ctx.get(first)), cm.day(ctx.get(second))
    if a is None or b is None:
        return []
    if strict and a >= b:
        return [f"{first} must be before {second}"]
    return ce.order_problems((first, a, second, b))


def non_blank_list_problems(ctx: Mapping, key: str) -> list[str]:
    """A list of str with at least one item, none of them blank."""
    problems = layout.str_list_problems(ctx, key, min_items=1)
    value = ctx.get(key)
    if isinstance(value, (list, tuple)):
        problems += [f"{key}[{i}] must not be empty" for i, item in enumerate(value)
                     if isinstance(item, str) and not item.strip()]
    return problems


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
    return SectionedView(
        meta=meta(title, ctx),
        issuer=COUNTRY,
        title=title,
        subtitle=SUBTITLE,
        number=ctx["number"],
        draft_note="",
        addressee="",
        preamble=(legal_note,),
        sections=(Section("证照信息", (), facts_table(rows)),),
        closing=(),
        # right half of a two-column block, kept on one page (a lone floated block may split)
        signatures=((), (f"发证机关：{authority}", "（盖章）", f"发证日期：{format_date_zh(ctx['issued_on'])}")),
        verification=layout.verification_line(ctx, "证照"),
        notes=(f"{notes_heading}：", *ce.enumerated(notes)),
    )
