"""不动产权证书 (real-estate title certificate) for the parcel won in a 拿地即开工 case, issued by the
registration body in the same batch as the three permits (四证联发).

It prints the certificate's register entries (权利人, 共有情况 单独所有, 坐落, 不动产单元号, 权利类型,
权利性质, 用途, 面积, 使用期限, 权利其他状况 with the parcel and the 出让合同号) and the 附记 (batch
number, 拿地即开工), under the registration body's seal.

The view is the shared :class:`~services.documents.layout.SectionedView`, laid out by
:func:`~services.documents.common_permits.certificate`.

Context (a plain dict; all keys required): the common keys of
:mod:`~services.documents.common_permits` (number, issuer, issued_on, verification_code,
enterprise_name, uscc, legal_representative, case_no, project_name, parcel) and:

=======================  ==========  ========================================================
key                      type        meaning
=======================  ==========  ========================================================
right_holder             str         权利人
unit_number              str         不动产单元号
right_type               str         权利类型, e.g. ``"国有建设用地使用权"``
right_nature             str         权利性质, e.g. ``"出让"``
land_use                 str         用途, e.g. ``"工业用地"``
area_m2                  str         宗地面积 in m², decimal string
term_from                date        使用期限 start
term_until               date        使用期限 end, after ``term_from``
contract_no              str         国有建设用地使用权出让合同编号
registration_body        str         不动产登记机构 (seal); not blank
batch_no                 str         四证联发批次号; not blank
=======================  ==========  ========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from docx.document import Document

from services.core.formatting import format_date_zh
from services.documents import common_permits as cp
from services.documents import layout
from services.documents.kind import DocumentKind
from services.documents.layout import SectionedView

KIND = "land_title_certificate"
TITLE = "不动产权证书"
NUMBER_WORD = "不动产权"
TEMPLATE = "sectioned.html"

_TYPES: dict[str, layout.TypeSpec] = {
    "right_holder": str,
    "unit_number": str,
    "right_type": str,
    "right_nature": str,
    "land_use": str,
    "area_m2": str,
    "term_from": date,
    "term_until": date,
    "contract_no": str,
    "registration_body": str,
    "batch_no": str,
}


def validate(ctx: Mapping) -> None:
    """Raise ``ValueError`` naming every missing or mistyped key and any value that does not fit."""
    problems = cp.certificate_problems(ctx, _TYPES, "registration_body", ("area_m2",))
    problems += cp.before_problems(ctx, "term_from", "term_until", strict=True)
    layout.raise_problems(KIND, problems)


def prepare(ctx: Mapping) -> SectionedView:
    """Context → view. Deterministic: depends on ``ctx`` only."""
    validate(ctx)
    return cp.certificate(
        ctx,
        title=TITLE,
        authority=ctx["registration_body"],
        legal_note="根据《中华人民共和国民法典》等法律法规，为保护不动产权利人合法权益，对不动产权利人申请登记的"
                   "本证所列不动产权利，经审查核实，准予登记，颁发此证。",
        facts=(
            ("权利人", ctx["right_holder"]),
            ("共有情况", "单独所有"),
            ("坐落", ctx["parcel"]["location"]),
            ("不动产单元号", ctx["unit_number"]),
            ("权利类型", ctx["right_type"]),
            ("权利性质", ctx["right_nature"]),
            ("用途", ctx["land_use"]),
            ("面积", f"宗地面积{cp.area_text(ctx['area_m2'])}"),
            ("使用期限", f"{format_date_zh(ctx['term_from'])}起{format_date_zh(ctx['term_until'])}止"),
            ("权利其他状况", "\n".join((
                f"宗地编号：{ctx['parcel']['number']}（{ctx['parcel']['base_name']}）",
                f"国有建设用地使用权出让合同号：{ctx['contract_no']}",
            ))),
        ),
        notes_heading="注意事项",
        notes=(
            "本证是权利人享有不动产权利的证明；不动产权利以不动产登记簿记载为准，本证记载的事项与不动产登记簿不一致的，"
            "除有证据证明不动产登记簿确有错误外，以不动产登记簿为准",
            "权利人应当按照出让合同约定的用途、期限和开发建设条件使用土地，按照约定时间开工、竣工",
            "不动产登记机构依法有权查验本证，权利人有责任提交查验",
        ),
    )


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the certificate into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx)
