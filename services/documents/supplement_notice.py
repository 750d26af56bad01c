"""一次性告知书（补正材料通知书） (one-time supplement notice): lists, all at once, the material a
review step still needs, and stops that step's clock until the material is complete.

Like the acceptance notice, one view builder (:func:`prepare`) feeds both the HTML template
(``templates/documents/supplement_notice.html``) and :func:`build_docx`. This module does not
decide whether a further request is allowed or compute the remaining days: the caller passes
the results in. A second or later request (``round`` ≥ 2) must carry a justification, and the
notice then states that it covers only material introduced by the applicant's own changes
(DOMAIN §5.1, one-time notification).

Context: :class:`SupplementNoticeContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from docx.document import Document
from docx.shared import Cm, Pt
from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import CHINA_TZ, format_date_zh, format_datetime_zh, working_days_zh
from services.documents import docx_builder as dx
from services.documents.kind import ContextModel, DocumentKind, Items
from services.documents.layout import CaseDocumentContext, DocumentMeta

KIND = "supplement_notice"
TITLE = "一次性告知书（补正材料通知书）"
NUMBER_WORD = "补"
TEMPLATE = "supplement_notice.html"

class RequestedMaterial(ContextModel):
    name: str = Field(description="the material")
    reason: str = Field(description="补正原因/要求")
    form: str = Field(description="copies or form, e.g. 原件1份")


class SupplementNoticeContext(CaseDocumentContext):
    application_title: str = Field(description="without 《》, e.g. 标准地预评估申请")
    accepted_at: datetime = Field(description="when the application was accepted")
    step_name: str = Field(description="the review step whose clock stops, e.g. 控制指标预评估")
    department: str = Field(description="department that reviewed the step")
    requested_on: date = Field(description="date of the request; the step's clock stops from it")
    items: Items[RequestedMaterial] = Field(min_length=1, description="the material asked for, all at once")
    round: int = Field(ge=1, description="1 for the first request of the step, 2, 3 … after")
    justification: str = Field(description="empty for round 1; why a further request is allowed")
    supplement_deadline: date = Field(description="material must be in by this date")
    remaining_working_days: int = Field(ge=0, description="working days left on the step's clock when it stopped")
    handler_name: str = Field(description="经办人")
    handler_phone: str = Field(description="contact phone")

    @field_validator("justification")
    @classmethod
    def _one_time_notification(cls, value: str, info: ValidationInfo) -> str:
        """一次性告知: a further request is allowed only with a stated reason."""
        n = (info.context or {}).get("round")
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            return value
        if n == 1 and value.strip():
            raise ValueError("justification must be empty for round 1 (it explains a further request)")
        if n >= 2 and not value.strip():
            raise ValueError(f"justification is required for round {n}: a further request must say which of the "
                             "applicant's own changes introduced the material")
        return value


ITEMS_HEADER = ("序号", "材料名称", "补正原因/要求", "形式")


@dataclass(frozen=True)
class SupplementNoticeView:
    """Everything printed on the notice, already formatted."""

    meta: DocumentMeta
    issuer: str
    title: str
    subtitle: str
    number: str
    addressee: str
    body: str
    fields: tuple[tuple[str, str], ...]
    repeat_note: str | None  # round ≥ 2: why, and that only material from the applicant's changes is asked
    items_intro: str
    items_header: tuple[str, str, str, str]
    items: tuple[tuple[str, str, str, str], ...]
    terms_intro: str
    terms: tuple[str, ...]  # 告知事项: all at once, clock, where to submit, deadline and withdrawal
    contact: tuple[tuple[str, str], ...]
    issued_on: str
    seal: str
    receipt: str
    verification: str


def prepare(ctx: Mapping) -> SupplementNoticeView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    items = ctx["items"]
    return SupplementNoticeView(
        meta=DocumentMeta(
            title=f"{TITLE} {ctx['number']}",
            author=ctx["issuer"],
            subject=f"{ctx['application_title']} {ctx['case_no']} {ctx['step_name']}",
            created=datetime.combine(ctx["issued_on"], time(0, 0), tzinfo=CHINA_TZ),
        ),
        issuer=ctx["issuer"],
        title="一次性告知书",
        subtitle="（补正材料通知书）",
        number=ctx["number"],
        addressee=f"{ctx['enterprise_name']}（统一社会信用代码：{ctx['uscc']}）：",
        body=(
            f"你单位提交的《{ctx['application_title']}》（案件编号 {ctx['case_no']}）已于"
            f"{format_datetime_zh(ctx['accepted_at'])}受理。该申请在“{ctx['step_name']}”环节经{ctx['department']}审查，"
            "尚需补正材料。按照一次性告知的要求，现将需要补正的全部材料一并告知如下。"
        ),
        fields=(
            ("项目名称", ctx["project_name"]),
            ("办理环节", ctx["step_name"]),
            ("审查部门", ctx["department"]),
            ("告知次数", f"第{ctx['round']}次"),
        ),
        repeat_note=_repeat_note(ctx),
        items_intro=f"需补正的材料（共{len(items)}项）：",
        items_header=ITEMS_HEADER,
        items=tuple(
            (str(i), item["name"], item["reason"], item["form"]) for i, item in enumerate(items, start=1)
        ),
        terms_intro="告知事项：",
        terms=_terms(ctx),
        contact=(("经办人", ctx["handler_name"]), ("联系电话", ctx["handler_phone"])),
        issued_on=format_date_zh(ctx["issued_on"]),
        seal="（盖章）",
        receipt="申请人（签收）：　　　　　　　　　　签收日期：　　　　年　　月　　日",
        verification=f"查验码：{ctx['verification_code']}（可在绿色通道服务平台“文书查验”页面凭此码查验本告知书真伪）",
    )


def _repeat_note(ctx: Mapping) -> str | None:
    if ctx["round"] < 2:
        return None
    return (
        f"本次为该环节第{ctx['round']}次补正告知。再次补正理由：{_sentence(ctx['justification'])}"
        "本次补正仅限于因你单位自行变更申请内容而新涉及的材料，此前已告知并补正齐全的材料不再重复要求。"
    )


def _terms(ctx: Mapping) -> tuple[str, ...]:
    step = ctx["step_name"]
    return (
        f"一、上表所列为“{step}”环节需要补正的全部材料，已一次性告知；除因你单位自行变更申请内容而新涉及的材料外，"
        "本环节不再要求补正其他材料。",
        f"二、自{format_date_zh(ctx['requested_on'])}起，“{step}”环节办理时限暂停计算，补正期间不计入办理时限；"
        f"自补正材料齐全之日起恢复计算，剩余办理时限为{working_days_zh(ctx['remaining_working_days'])}。",
        f"三、请于{format_date_zh(ctx['supplement_deadline'])}前通过绿色通道服务平台提交补正材料，"
        "材料名称和形式应与上表一致。",
        "四、逾期未提交补正材料且无正当理由的，可视为撤回申请，终止办理。",
    )


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1] in "。；！？" else text + "。"


def build_docx(doc: Document, v: SupplementNoticeView) -> None:
    """Write the notice into an empty document made by :func:`docx_builder.new_document`."""
    dx.add_masthead(doc, v.issuer, v.number)
    dx.add_title(doc, v.title)
    dx.add_paragraph(doc, v.subtitle, align=dx.Align.CENTER, east_asia=dx.KAI_FONT, space_after=Pt(6))
    dx.add_paragraph(doc, v.addressee)
    dx.add_paragraph(doc, v.body, align=dx.Align.JUSTIFY, indent_chars=2)
    for label, value in v.fields:
        dx.add_paragraph(doc, f"{label}：{value}", indent_chars=2)
    if v.repeat_note:
        dx.add_paragraph(doc, v.repeat_note, align=dx.Align.JUSTIFY, indent_chars=2)
    dx.add_paragraph(doc, v.items_intro, indent_chars=2)
    dx.add_table(doc, v.items_header, v.items, widths=(Cm(1.3), Cm(4.0), Cm(6.6), Cm(3.7)),
                 aligns=(dx.Align.CENTER, dx.Align.LEFT, dx.Align.LEFT, dx.Align.CENTER))
    dx.add_paragraph(doc, v.terms_intro, indent_chars=2, space_before=Pt(6))
    for text in v.terms:
        dx.add_paragraph(doc, text, align=dx.Align.JUSTIFY, indent_chars=2)
    dx.add_paragraph(doc, "　".join(f"{label}：{value}" for label, value in v.contact),
                     indent_chars=2, space_before=Pt(6))
    dx.add_paragraph(doc)  # one blank line before the signature block
    dx.add_signature_block(doc, (v.issuer, v.seal, v.issued_on))
    dx.add_paragraph(doc, v.receipt, size=dx.TABLE_SIZE, space_before=Pt(18))
    dx.add_paragraph(doc, v.verification, size=dx.TABLE_SIZE, space_before=Pt(6))


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=SupplementNoticeContext)
