"""建设用地规划许可证 (land-use planning permit) for a 拿地即开工 project, issued after the 出让合同 is
signed (城乡规划法 art. 38) in the same batch as the other three 证照 (四证联发).

It prints the legal note, the permit's entries (用地单位, 用地项目名称, 项目代码, 用地位置, 用地性质,
用地面积, 建设规模/规划条件, 附图及附件), the 附记 (batch number, 拿地即开工) and the 遵守事项, under
the issuing authority's seal.

The view is the shared :class:`~services.documents.layout.SectionedView`, laid out by
:func:`~services.documents.common_permits.certificate`.

Context: :class:`LandUsePlanningPermitContext`.
"""

from __future__ import annotations

from collections.abc import Mapping

from docx.document import Document
from pydantic import Field

from services.documents import common_mandate as cm
from services.documents import common_permits as cp
from services.documents import layout
from services.documents.kind import DecimalText, DocumentKind, Items, NotBlank
from services.documents.layout import SectionedView

KIND = "land_use_planning_permit"
TITLE = "建设用地规划许可证"
NUMBER_WORD = "地字"
TEMPLATE = "sectioned.html"

class LandUsePlanningPermitContext(cp.CertificateContext):
    project_code: str = Field(description="项目代码 (投资项目统一代码)")
    land_use: str = Field(description="用地性质, e.g. 工业用地（一类）")
    area_m2: DecimalText = Field(description="用地面积 in m²")
    planning_conditions: Items[NotBlank] = Field(min_length=1, description="规划条件 / 建设规模, e.g. 容积率1.0～1.8")
    contract_no: str = Field(description="国有建设用地使用权出让合同编号")
    issuing_authority: NotBlank = Field(description="自然资源主管部门 (seal)")


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    return cp.certificate(
        ctx,
        title=TITLE,
        authority=ctx["issuing_authority"],
        legal_note=f"依据{cp.PLANNING_LAW}第三十八条和国家有关规定，建设单位在签订国有建设用地使用权出让合同"
                   f"（合同编号 {ctx['contract_no']}）后申请领取建设用地规划许可证。"
                   "经审核，本建设用地符合国土空间规划和用途管制要求，颁发此证。",
        facts=(
            ("用地单位", ctx["enterprise_name"]),
            ("统一社会信用代码", ctx["uscc"]),
            ("用地项目名称", ctx["project_name"]),
            ("项目代码", ctx["project_code"]),
            ("用地位置", ctx["parcel"]["location"]),
            ("宗地编号", ctx["parcel"]["number"]),
            ("用地性质", ctx["land_use"]),
            ("用地面积", cp.area_text(ctx["area_m2"])),
            ("建设规模及规划条件", cp.cell_lines(cm.clause(item) for item in ctx["planning_conditions"])),
            ("附图及附件名称", "宗地界址图；规划条件（国有建设用地使用权出让合同附件）"),
        ),
        notes_heading="遵守事项",
        notes=(
            "本证是经自然资源主管部门依法审核，建设用地符合国土空间规划和用途管制要求的法律凭证",
            "未取得本证而占用土地的，属违法行为",
            "未经发证机关审核同意，本证的各项规定不得随意变更",
            "自然资源主管部门依法有权查验本证，建设单位有责任提交查验",
            "本证所附图件和附件由发证机关依法确定，与本证具有同等法律效力",
        ),
    )


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the permit into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=LandUsePlanningPermitContext)
