"""建设项目环境影响登记表备案回执 (filing receipt for an EIA registration form): a 登记表 is filed,
not approved (环评法 art. 22, DOMAIN §3.1), so the receipt only confirms the filing. Its 文号 is the
filing number (备案号). It says that filing is not a licence and replaces no other permit, such as
the discharge registration (排污登记).

The view is the shared :class:`~services.documents.layout.SectionedView`.

Context: :class:`EiaFilingReceiptContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from docx.document import Document
from pydantic import Field, field_validator

from services.core.formatting import format_datetime_zh
from services.documents import common_eia as ce
from services.documents import layout
from services.documents.kind import DocumentKind, Items
from services.documents.layout import Section, SectionedView

KIND = "eia_filing_receipt"
TITLE = "建设项目环境影响登记表备案回执"
NUMBER_WORD = "环备"
TEMPLATE = "sectioned.html"

FORM = "建设项目环境影响登记表"

class EiaFilingReceiptContext(ce.EiaContext):
    site: str = Field(description="建设地点")
    catalogue_rows: Items[ce.CatalogueRow] = Field(min_length=1, description="the matched catalogue rows")
    filed_at: datetime = Field(description="when the form was filed; its day in China not after issued_on")

    _filed_before_issue = field_validator("filed_at")(ce.not_after_issue)


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    return SectionedView(
        meta=layout.make_meta(TITLE, ctx, f"{ctx['project_name']} {FORM} {ctx['case_no']}"),
        issuer=ctx["authority"],
        title=TITLE,
        subtitle="",
        number=ctx["number"],
        draft_note="",
        addressee=ce.addressee(ctx),
        preamble=(
            f"你单位于{format_datetime_zh(ctx['filed_at'])}提交的《{ctx['project_name']}{FORM}》"
            f"（案件编号 {ctx['case_no']}）已收到。根据{ce.EIA_LAW}第二十二条和《建设项目环境影响登记表备案管理办法》"
            "的规定，予以备案。",
        ),
        sections=(
            Section("一、备案信息", layout.labelled((
                ("备案号", ctx["number"]),
                ("备案时间", format_datetime_zh(ctx["filed_at"])),
                ("建设单位", ce.enterprise_text(ctx)),
                ("项目名称", ctx["project_name"]),
                ("建设地点", ctx["site"]),
                ("对应名录类别", ce.catalogue_text(ctx["catalogue_rows"])),
                ("环境影响评价文件类别", "环境影响登记表（备案管理）"),
            ))),
            Section("二、告知事项", (
                "（一）本回执仅证明你单位已填报环境影响登记表并完成备案。备案不是行政许可，不代表对项目建设的审批，"
                "也不代替项目依法应当办理的其他手续。",
                f"（二）你单位应当落实登记表中承诺的环境保护措施，污染物排放应当符合国家和地方规定的排放标准；"
                f"项目纳入排污许可管理的，应当{ce.permit_reminder()}。",
                "（三）你单位对登记表内容的真实性、准确性和完整性负责。登记表内容不实，或者项目依法应当编制环境影响报告书、"
                "报告表的，本备案不发生效力，由此产生的法律责任由你单位承担。",
                "（四）备案后，项目的建设单位、建设地点、规模、性质、生产工艺或者环境保护措施发生变化的，应当重新填报登记表备案。",
            )),
        ),
        closing=(),
        signatures=ce.sealed_by(ctx["authority"], ctx["issued_on"]),
        verification=layout.verification_line(ctx, "回执"),
    )


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the receipt into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=EiaFilingReceiptContext)
