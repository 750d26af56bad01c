"""建设工程规划许可证 (construction-works planning permit) for a 拿地即开工 project, issued on the design
scheme pre-reviewed before the land was acquired (城乡规划法 art. 40), in the same batch as the other
three 证照 (四证联发).

It prints the legal note, the permit's entries (建设单位, 建设项目名称, 项目代码, 建设位置, 建设规模,
设计方案预审意见, the approved 设计方案 version — 带设计方案出让 — and 附图及附件), the 附记 (batch number,
拿地即开工) and the 遵守事项, under the issuing authority's seal.

The view is the shared :class:`~services.documents.layout.SectionedView`, laid out by
:func:`~services.documents.common_permits.certificate`.

Context: :class:`ConstructionPlanningPermitContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from docx.document import Document
from pydantic import BaseModel, Field

from services.core.formatting import format_date_zh
from services.documents import common_mandate as cm
from services.documents import common_permits as cp
from services.documents import layout
from services.documents.kind import DecimalText, DocumentKind, Items, NotBlank
from services.documents.layout import SectionedView

KIND = "construction_planning_permit"
TITLE = "建设工程规划许可证"
NUMBER_WORD = "建字"
TEMPLATE = "sectioned.html"

class ApprovedScheme(BaseModel):
    """The 设计方案 version the pre-review approved (带设计方案出让), as the permit cites it."""

    version: int = Field(ge=1, description="设计方案第N版")
    approved_on: date = Field(description="the day 设计方案预审 approved it")
    short_hash: NotBlank = Field(description="文件哈希: the first hex digits of the version's digest")
    files: Items[str] = Field(default_factory=list, description="the version's file names")


class ConstructionPlanningPermitContext(cp.CertificateContext):
    project_code: str = Field(description="项目代码 (投资项目统一代码)")
    building_area_m2: DecimalText = Field(description="总建筑面积 in m²")
    scheme_opinion: NotBlank = Field(description="the design-scheme pre-review opinion (reference)")
    issuing_authority: NotBlank = Field(description="自然资源主管部门 (seal)")
    attachments: Items[str] = Field(description="附图及附件名称; may be empty (prints 无)")
    design_scheme: ApprovedScheme | None = Field(default=None, description="the approved 设计方案 version; absent "
                                                 "in a permit issued before versions were kept")


def scheme_text(scheme: Mapping) -> str:
    """设计方案第N版（YYYY年M月D日预审通过，文件哈希 …）."""
    day = scheme["approved_on"]
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return f"设计方案第{scheme['version']}版（{format_date_zh(day)}预审通过，文件哈希{scheme['short_hash']}）"


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    return cp.certificate(
        ctx,
        title=TITLE,
        authority=ctx["issuing_authority"],
        legal_note=f"依据{cp.PLANNING_LAW}第四十条和国家有关规定，经审核，本建设工程符合国土空间规划和用途管制要求，"
                   "颁发此证。",
        facts=(
            ("建设单位", ctx["enterprise_name"]),
            ("统一社会信用代码", ctx["uscc"]),
            ("建设项目名称", ctx["project_name"]),
            ("项目代码", ctx["project_code"]),
            ("建设位置", ctx["parcel"]["location"]),
            ("宗地编号", ctx["parcel"]["number"]),
            ("建设规模", f"总建筑面积{cp.area_text(ctx['building_area_m2'])}"),
            ("设计方案预审意见", cm.clause(ctx["scheme_opinion"])),
            *((("经审定的设计方案", scheme_text(ctx["design_scheme"])),) if ctx.get("design_scheme") else ()),
            ("附图及附件名称", cp.cell_lines(cm.clause(item) for item in ctx["attachments"] if item.strip())),
        ),
        notes_heading="遵守事项",
        notes=(
            "本证是经自然资源主管部门依法审核，建设工程符合国土空间规划和用途管制要求的法律凭证",
            "依法应当取得本证，但未取得本证或者违反本证规定进行建设的，均属违法行为",
            "本证依据拿地前预审通过的设计方案核发；未经发证机关审核同意，本证的各项规定不得随意变更",
            "自然资源主管部门依法有权查验本证，建设单位有责任提交查验",
            "本证所附图件和附件由发证机关依法确定，与本证具有同等法律效力",
        ),
    )


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the permit into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=ConstructionPlanningPermitContext)
