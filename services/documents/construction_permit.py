"""建筑工程施工许可证 (construction permit) for a 拿地即开工 project, issued on the construction drawings
pre-reviewed before the land was acquired (建筑法 art. 8), in the same batch as the other three 证照
(四证联发).

It prints the legal note, the permit's entries (建设单位, 工程名称, 项目代码, 建设地址, 建设规模, 合同价格,
设计、施工、监理单位, 合同工期, the land title and both planning permits, 施工图审查, 建设资金 落实
（承诺制）when ``funds_committed``), the 附记 (batch number, 拿地即开工) and the 注意事项, including
that the permit lapses if construction does not start within three months and no extension is applied
for (建筑法 art. 9); under the issuing authority's seal.

The view is the shared :class:`~services.documents.layout.SectionedView`, laid out by
:func:`~services.documents.common_permits.certificate`.

Context: :class:`ConstructionPermitContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from docx.document import Document
from pydantic import Field

from services.core.formatting import format_date_zh, format_wan_yuan
from services.documents import common_permits as cp
from services.documents import layout
from services.documents.kind import DecimalText, DecimalTextOrBlank, DocumentKind, NotBlank
from services.documents.layout import SectionedView

KIND = "construction_permit"
TITLE = "建筑工程施工许可证"
NUMBER_WORD = "施字"
TEMPLATE = "sectioned.html"

FUNDS_COMMITTED = "建设资金已落实（承诺制）"

class ConstructionPermitContext(cp.CertificateContext):
    project_code: str = Field(description="项目代码 (投资项目统一代码)")
    building_area_m2: DecimalText = Field(description="建筑面积 in m²")
    contract_price_wan: DecimalTextOrBlank = Field(description="合同价格 in 万元; blank prints —")
    contractor: str = Field(description="施工单位")
    supervisor_unit: str = Field(description="监理单位")
    design_unit: str = Field(description="设计单位")
    planned_start: date = Field(description="合同开工日期, not after planned_completion")
    planned_completion: date = Field(description="合同竣工日期")
    land_title_number: str = Field(description="不动产权证书号")
    land_planning_number: str = Field(description="建设用地规划许可证号")
    construction_planning_number: str = Field(description="建设工程规划许可证号")
    drawing_review_ref: str = Field(description="施工图审查 (pre-review) reference")
    funds_committed: bool = Field(description="建设资金已落实（承诺制） is printed when true")
    issuing_authority: NotBlank = Field(description="住房城乡建设主管部门 (seal)")

    _start_before_completion = cp.in_order("planned_start", "planned_completion", strict=False)


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    return cp.certificate(
        ctx,
        title=TITLE,
        authority=ctx["issuing_authority"],
        legal_note=f"根据{cp.BUILDING_LAW}第八条规定，经审查，本建筑工程符合施工条件，准予施工。",
        facts=_facts(ctx),
        notes_heading="注意事项",
        notes=(
            "本证放置施工现场，作为准予施工的凭证",
            "未经发证机关许可，本证的各项内容不得变更",
            "建设单位应当自领取本证之日起三个月内开工；因故不能按期开工的，应当向发证机关申请延期，"
            "延期以两次为限，每次不超过三个月；既不开工又不申请延期或者超过延期时限的，"
            f"本证自行废止（{cp.BUILDING_LAW}第九条）",
            "住房城乡建设主管部门依法有权查验本证，建设单位有责任提交查验",
            f"未取得本证擅自施工的，按照{cp.BUILDING_LAW}的有关规定予以处罚",
        ),
    )


def _facts(ctx: Mapping) -> tuple[tuple[str, str], ...]:
    price = ctx["contract_price_wan"].strip()
    facts = [
        ("建设单位", ctx["enterprise_name"]),
        ("统一社会信用代码", ctx["uscc"]),
        ("法定代表人", ctx["legal_representative"]),
        ("工程名称", ctx["project_name"]),
        ("项目代码", ctx["project_code"]),
        ("建设地址", ctx["parcel"]["location"]),
        ("宗地编号", ctx["parcel"]["number"]),
        ("建设规模", f"建筑面积{cp.area_text(ctx['building_area_m2'])}"),
        ("合同价格", format_wan_yuan(price) if price else cp.NONE_TEXT),
        ("设计单位", cp.or_none(ctx["design_unit"])),
        ("施工单位", cp.or_none(ctx["contractor"])),
        ("监理单位", cp.or_none(ctx["supervisor_unit"])),
        ("合同工期", f"{format_date_zh(ctx['planned_start'])}至{format_date_zh(ctx['planned_completion'])}"),
        ("不动产权证书号", ctx["land_title_number"]),
        ("建设用地规划许可证号", ctx["land_planning_number"]),
        ("建设工程规划许可证号", ctx["construction_planning_number"]),
        ("施工图审查", ctx["drawing_review_ref"]),
    ]
    if ctx["funds_committed"]:
        facts.append(("资金落实", FUNDS_COMMITTED))
    return tuple(facts)


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the permit into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=ConstructionPermitContext)
