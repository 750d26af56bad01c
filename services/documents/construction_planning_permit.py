"""建设工程规划许可证 (construction-works planning permit) for a 拿地即开工 project, issued on the design
scheme pre-reviewed before the land was acquired (城乡规划法 art. 40), in the same batch as the other
three 证照 (四证联发).

It prints the legal note, the permit's entries (建设单位, 建设项目名称, 项目代码, 建设位置, 建设规模,
设计方案预审意见, 附图及附件), the 附记 (batch number, 拿地即开工) and the 遵守事项, under the issuing
authority's seal.

The view is the shared :class:`~services.documents.layout.SectionedView`, laid out by
:func:`~services.documents.common_permits.certificate`.

Context (a plain dict; all keys required): the common keys of
:mod:`~services.documents.common_permits` (number, issuer, issued_on, verification_code,
enterprise_name, uscc, legal_representative, case_no, project_name, parcel) and:

=======================  ==========  ========================================================
key                      type        meaning
=======================  ==========  ========================================================
project_code             str         项目代码 (投资项目统一代码)
building_area_m2         str         总建筑面积 in m², decimal string
scheme_opinion           str         the design-scheme pre-review opinion (reference); not blank
issuing_authority        str         自然资源主管部门 (seal); not blank
batch_no                 str         四证联发批次号; not blank
attachments              list[str]   附图及附件名称; may be empty (prints 无)
=======================  ==========  ========================================================
"""

from __future__ import annotations

from collections.abc import Mapping

from docx.document import Document

from services.documents import common_mandate as cm
from services.documents import common_permits as cp
from services.documents import layout
from services.documents.kind import DocumentKind
from services.documents.layout import SectionedView

KIND = "construction_planning_permit"
TITLE = "建设工程规划许可证"
NUMBER_WORD = "建字"
TEMPLATE = "sectioned.html"

_TYPES: dict[str, layout.TypeSpec] = {
    "project_code": str,
    "building_area_m2": str,
    "scheme_opinion": str,
    "issuing_authority": str,
    "batch_no": str,
    "attachments": (list, tuple),
}


def validate(ctx: Mapping) -> None:
    """Raise ``ValueError`` naming every missing or mistyped key and any value that does not fit."""
    problems = cp.certificate_problems(ctx, _TYPES, "issuing_authority", ("building_area_m2",))
    problems += cm.not_blank_problems(ctx, "scheme_opinion")
    problems += layout.str_list_problems(ctx, "attachments")
    layout.raise_problems(KIND, problems)


def prepare(ctx: Mapping) -> SectionedView:
    """Context → view. Deterministic: depends on ``ctx`` only."""
    validate(ctx)
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
                        build_docx=build_docx)
