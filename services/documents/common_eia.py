"""Shared pieces of the 环评 (EIA) documents: the context models, catalogue and industry formatting,
and the fixed legal wording more than one EIA document prints.

The EIA documents (``eia_commitment_letter``, ``eia_decision``, ``eia_filing_receipt``,
``eia_post_check_record``, ``eia_not_managed_statement``) use the standard-land documents'
:class:`~services.documents.layout.SectionedView` and its DOCX builder; this module
adds only what is specific to EIA. It does not classify projects or decide eligibility: the
rules do, and the caller passes their results in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo

from services.core.formatting import CHINA_TZ, format_date_zh
from services.documents import layout
from services.documents.kind import ContextModel, Items, context_day
from services.documents.layout import Table

CATALOGUE = "《建设项目环境影响评价分类管理名录（2021年版）》"
PERMIT_CATALOGUE = "《固定污染源排污许可分类管理名录（2019年版）》"
EIA_LAW = "《中华人民共和国环境影响评价法》"
ROLES = {"main": "主体工程", "ancillary": "配套工程"}
CODE_PENDING = "（赋码后填写）"

INDUSTRY_HEADER = ("序号", "行业代码", "行业名称", "类别")

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


# --- the context -----------------------------------------------------------------------------


class IndustryCode(ContextModel):
    code: str = Field(description="GB/T 4754 code, e.g. 3982")
    name: str
    role: Literal["main", "ancillary"] = Field(description="主体工程 or 配套工程")


def _has_main(items: list[IndustryCode]) -> list[IndustryCode]:
    if not any(item.role == "main" for item in items):
        raise ValueError("industry_codes needs one item with role 'main'")
    return items


# at least one code, one of them the main works (an ancillary code alone does not classify a project)
IndustryCodes = Annotated[Items[IndustryCode], Field(min_length=1), AfterValidator(_has_main)]


class CatalogueRow(ContextModel):
    no: int = Field(ge=1, description="the row's number in the catalogue, from 1")
    category: str = Field(description="the row's category as printed, e.g. 电子元件及电子专用材料制造 398")


Level = Literal["环境影响报告表", "环境影响报告书"]  # the two levels that are approved (登记表 is filed)


class EiaContext(layout.CaseDocumentContext):
    """The keys every EIA document carries."""

    authority: str = Field(description="the 生态环境部门, e.g. 东莞市生态环境局")


POSITIVE_LIST_NOTE = Field(default="", description=(
    "出处 of the 告知承诺制 positive list as decided (services.eia.provenance): while the list is the system's "
    "example, the sentence saying so; with the park's list, its source and date; empty prints nothing"))


def not_after_issue(value: date, info: ValidationInfo) -> date:
    """A date (or a datetime's day in China) of the case that the document cannot precede."""
    issued = context_day(info, "issued_on")
    day = china_date(value) if isinstance(value, datetime) else value
    if issued and day > issued:
        raise ValueError(f"{info.field_name} must not be after issued_on")
    return value


def china_date(value: datetime) -> date:
    """The day in China of a (naive China-time or aware) datetime."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(CHINA_TZ)
    return value.date()


# --- formatting -------------------------------------------------------------------------------


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (for （一）… up to 99 items)."""
    if not 1 <= n <= 99:
        raise ValueError(f"cannot write {n} as a small Chinese numeral")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else layout.CN_NUM[tens] + "十")
    return head + (layout.CN_NUM[ones] if ones else "")


def enumerated(items: Iterable[str]) -> tuple[str, ...]:
    """``["甲", "乙。"]`` → ``("（一）甲。", "（二）乙。")``: the items of a formal list."""
    return tuple(f"（{cn_number(i)}）{layout.sentence(text)}" for i, text in enumerate(items, start=1))


def tidy(text: str) -> str:
    """Drop the spaces next to Chinese characters that the catalogue's PDF extraction left, inside words and
    before industry codes alike (``"屠 宰 及 肉 类 加 工135*"``, ``"陆上风力发电 4415"``): the catalogue spaces codes
    unevenly, and a justified line would widen each such space."""
    return _CJK_GAP.sub("", text.strip())


def catalogue_text(rows: Sequence[Mapping]) -> str:
    """``[{"no": 81, "category": "电子元件及电子专用材料制造 398"}]`` → ``"第81项　电子元件及电子专用材料制造398"``."""
    return "；".join(f"第{row['no']}项　{tidy(row['category'])}" for row in rows)


def industry_table(items: Sequence[Mapping]) -> Table:
    rows = tuple(
        (str(i), item["code"], item["name"], ROLES[item["role"]]) for i, item in enumerate(items, start=1)
    )
    return Table(INDUSTRY_HEADER, rows, (1.4, 2.6, 8.4, 3.2), (True, True, False, True))


def project_code_text(code: str) -> str:
    return code or CODE_PENDING


def enterprise_text(ctx: Mapping) -> str:
    return f"{ctx['enterprise_name']}（统一社会信用代码：{ctx['uscc']}）"


def addressee(ctx: Mapping) -> str:
    return f"{ctx['enterprise_name']}："


def sealed_by(authority: str, on: date) -> tuple[tuple[str, ...]]:
    """The authority's signature block: name, seal, date (centred, right of the page)."""
    return ((authority, "（盖章）", format_date_zh(on)),)


def permit_reminder() -> str:
    """Discharge permit or registration before production (排污许可, DOMAIN §3.1)."""
    return (f"依据{PERMIT_CATALOGUE}，在启动生产设施或者发生实际排污之前申领排污许可证或者填报排污登记表，"
            "不得无证排污或者不按证排污")


def major_change_clause(document: str) -> str:
    """环评法 art. 24: a major change needs a new approval; five years without starting needs a re-check."""
    return (f"项目的性质、规模、地点、采用的生产工艺或者防治污染、防止生态破坏的措施发生重大变动的，"
            f"应当重新报批{document}；自批准之日起超过五年方决定开工建设的，{document}应当报原审批部门重新审核")
