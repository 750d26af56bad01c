"""不动产权证书 (real-estate title certificate) for the parcel won in a 拿地即开工 case, issued by the
registration body in the same batch as the three permits (四证联发).

It prints the certificate's register entries (权利人, 共有情况 单独所有, 坐落, 不动产单元号, 权利类型,
权利性质, 用途, 面积, 使用期限, 权利其他状况 with the parcel and the 出让合同号) and the 附记 (batch
number, 拿地即开工), under the registration body's seal.

The view is the shared :class:`~services.documents.layout.SectionedView`, laid out by
:func:`~services.documents.common_permits.certificate`.

Context: :class:`LandTitleCertificateContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from docx.document import Document
from pydantic import Field

from services.core.formatting import format_date_zh
from services.documents import common_permits as cp
from services.documents import layout
from services.documents.kind import DecimalText, DocumentKind, NotBlank
from services.documents.layout import SectionedView

PROVISIONAL_MARK = "（临时编号）"  # after the number, on its line: the seal block stays on the first page
PROVISIONAL_NOTE = "本证所载不动产单元号为临时编号，待不动产登记机构核发后以不动产登记簿记载为准"

KIND = "land_title_certificate"
TITLE = "不动产权证书"
NUMBER_WORD = "不动产权"
TEMPLATE = "sectioned.html"

class LandTitleCertificateContext(cp.CertificateContext):
    right_holder: str = Field(description="权利人")
    unit_number: str = Field(description="不动产单元号 (28 characters, GB/T 37346)")
    unit_number_provisional: bool = Field(default=False, description="the platform made the 不动产单元号 up from the "
                                          "park's codes: printed as provisional until the registry supplies it")
    right_type: str = Field(description="权利类型, e.g. 国有建设用地使用权")
    right_nature: str = Field(description="权利性质, e.g. 出让")
    land_use: str = Field(description="用途, e.g. 工业用地")
    area_m2: DecimalText = Field(description="宗地面积 in m²")
    term_from: date = Field(description="使用期限 start, before term_until")
    term_until: date = Field(description="使用期限 end")
    contract_no: str = Field(description="国有建设用地使用权出让合同编号")
    registration_body: NotBlank = Field(description="不动产登记机构 (seal)")

    _term_runs_forwards = cp.in_order("term_from", "term_until", strict=True)


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
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
            ("不动产单元号", unit_number_text(ctx["unit_number"], ctx.get("unit_number_provisional", False))),
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
            *((PROVISIONAL_NOTE,) if ctx.get("unit_number_provisional") else ()),
        ),
    )


def unit_number_text(code: str, provisional: bool) -> str:
    """The 不动产单元号 as printed: a provisional one says so (and a note under the seal says why)."""
    return f"{code}{PROVISIONAL_MARK}" if provisional else code


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the certificate into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=LandTitleCertificateContext)
