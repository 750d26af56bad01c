"""受理通知书 (acceptance notice): the document that starts the statutory clock.

One view builder, :func:`prepare`, turns the context into display strings; the HTML template
(``templates/documents/acceptance_notice.html``, PDF) and :func:`build_docx` (DOCX) print only
what it returns, so both formats carry the same words by construction. This module does not
compute deadlines, allocate numbers or touch the database: the caller passes the results in.

Context: :class:`AcceptanceNoticeContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from docx.document import Document
from docx.shared import Cm, Pt
from pydantic import Field

from services.core.formatting import CHINA_TZ, format_date_zh, format_datetime_zh, working_days_zh
from services.documents import docx_builder as dx
from services.documents.kind import ContextModel, DocumentKind, Items
from services.documents.layout import DocumentMeta

KIND = "acceptance_notice"
TITLE = "受理通知书"
NUMBER_WORD = "受"  # the word in the 文号, e.g. 东莞绿通受〔2026〕第0001号
TEMPLATE = "acceptance_notice.html"

class Material(ContextModel):
    name: str = Field(description="material name, e.g. 标准地预评估申请表")
    form: str = Field(description="copies or form, e.g. 原件1份, 电子件")


class AcceptanceNoticeContext(ContextModel):
    number: str = Field(description="文号, e.g. 东莞绿通受〔2026〕第0001号")
    issuer: str = Field(description="issuing body, e.g. 东莞市绿色通道服务中心")
    issued_on: date = Field(description="date printed under the seal; also the files' created date")
    enterprise_name: str = Field(description="addressee (the applicant enterprise)")
    uscc: str = Field(description="统一社会信用代码 of the applicant")
    case_no: str = Field(description="case number, e.g. GC-2026-000123")
    application_title: str = Field(description="without 《》, e.g. 标准地预评估申请")
    project_name: str
    submitted_at: datetime = Field(description="when the application was submitted")
    accepted_at: datetime = Field(description="acceptance time (the clock starts from it)")
    materials: Items[Material] = Field(min_length=1, description="the materials received")
    sla_working_days: int = Field(description="committed limit in working days")
    due_on: date = Field(description="办结期限, computed by the SLA engine")
    due_provisional: bool = Field(description="due_on depends on a year whose official holidays are not published")
    handler_name: str = Field(description="经办人")
    handler_phone: str = Field(description="contact phone")
    verification_code: str = Field(description="查验码")


MATERIALS_HEADER = ("序号", "材料名称", "份数/形式")


@dataclass(frozen=True)
class AcceptanceNoticeView:
    """Everything printed on the notice, already formatted."""

    meta: DocumentMeta
    issuer: str
    title: str
    number: str
    addressee: str
    body: str
    fields: tuple[tuple[str, str], ...]
    materials_intro: str
    materials_header: tuple[str, str, str]
    materials: tuple[tuple[str, str, str], ...]
    contact: tuple[tuple[str, str], ...]
    issued_on: str
    seal: str
    verification: str
    note: str | None


def prepare(ctx: Mapping) -> AcceptanceNoticeView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    due = format_date_zh(ctx["due_on"]) + ("（暂定）" if ctx["due_provisional"] else "")
    note = None
    if ctx["due_provisional"]:
        note = (
            f"注：{ctx['due_on'].year}年国务院办公厅部分节假日安排尚未公布，上述办结期限为暂定日期；"
            "该年节假日安排公布后，将重新计算办结期限并另行告知。"
        )
    body = (
        f"你单位于{format_date_zh(ctx['submitted_at'])}提交的《{ctx['application_title']}》"
        f"（案件编号 {ctx['case_no']}）及相关材料收悉。经审查，申请材料齐全、符合法定形式，决定予以受理。"
    )
    return AcceptanceNoticeView(
        meta=DocumentMeta(
            title=f"{TITLE} {ctx['number']}",
            author=ctx["issuer"],
            subject=f"{ctx['application_title']} {ctx['case_no']}",
            created=datetime.combine(ctx["issued_on"], time(0, 0), tzinfo=CHINA_TZ),
        ),
        issuer=ctx["issuer"],
        title=TITLE,
        number=ctx["number"],
        addressee=f"{ctx['enterprise_name']}（统一社会信用代码：{ctx['uscc']}）：",
        body=body,
        fields=(
            ("项目名称", ctx["project_name"]),
            ("受理时间", format_datetime_zh(ctx["accepted_at"])),
            ("承诺办理时限", working_days_zh(ctx["sla_working_days"])),
            ("办结期限", due),
        ),
        materials_intro="收到的申请材料如下：",
        materials_header=MATERIALS_HEADER,
        materials=tuple(
            (str(i), item["name"], item["form"]) for i, item in enumerate(ctx["materials"], start=1)
        ),
        contact=(("经办人", ctx["handler_name"]), ("联系电话", ctx["handler_phone"])),
        issued_on=format_date_zh(ctx["issued_on"]),
        seal="（盖章）",
        verification=f"查验码：{ctx['verification_code']}（可在绿色通道服务平台“文书查验”页面凭此码查验本通知书真伪）",
        note=note,
    )


def build_docx(doc: Document, v: AcceptanceNoticeView) -> None:
    """Write the notice into an empty document made by :func:`docx_builder.new_document`."""
    dx.add_masthead(doc, v.issuer, v.number)
    dx.add_title(doc, v.title)
    dx.add_paragraph(doc, v.addressee)
    dx.add_paragraph(doc, v.body, align=dx.Align.JUSTIFY, indent_chars=2)
    for label, value in v.fields:
        dx.add_paragraph(doc, f"{label}：{value}", indent_chars=2)
    dx.add_paragraph(doc, v.materials_intro, indent_chars=2)
    dx.add_table(doc, v.materials_header, v.materials, widths=(Cm(1.6), Cm(9.6), Cm(4.4)),
                 aligns=(dx.Align.CENTER, dx.Align.LEFT, dx.Align.CENTER))
    dx.add_paragraph(doc, "　".join(f"{label}：{value}" for label, value in v.contact),
                     indent_chars=2, space_before=Pt(6))
    dx.add_paragraph(doc)  # one blank line before the signature block
    dx.add_signature_block(doc, (v.issuer, v.seal, v.issued_on))
    dx.add_paragraph(doc, v.verification, size=dx.TABLE_SIZE, space_before=Pt(18))
    if v.note:
        dx.add_paragraph(doc, v.note, size=dx.TABLE_SIZE, align=dx.Align.JUSTIFY)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx, context=AcceptanceNoticeContext)
