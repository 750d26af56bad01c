"""代办服务委托书 (agency service mandate letter): the enterprise (委托方) delegates approval items of
one project to the 代办服务中心 (受托方), signed online on the 绿色通道服务平台.

It states the two parties and the agent (待指派 until one is assigned), lists the delegated items
(序号, 事项, 审批部门, 代办方式; 全部事项 when the whole published catalogue is delegated), the 委托期限,
and the terms: 自愿委托、无偿服务 (no fee; statutory fees borne by the enterprise), 帮办代办不包办、
服务到位不越位, the enterprise answers for its materials, the agent acts only on the listed items
within the period, 限时回复 within ``reply_working_days`` of assignment, results handed back at once
(回交), termination by either party with a 终止单 and extension by a 续办委托书. 委托方 signs online
(``signed_by`` at ``signed_at``), 受托方 seals.

The view is the shared :class:`~services.documents.layout.SectionedView`.

Context: :class:`MandateLetterContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from docx.document import Document
from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import format_date_zh, format_datetime_zh, working_days_zh
from services.documents import common_eia as ce
from services.documents import common_mandate as cm
from services.documents import layout
from services.documents.kind import DocumentKind, NotBlank, context_day
from services.documents.layout import Section, SectionedView

KIND = "mandate_letter"
TITLE = "代办服务委托书"
NUMBER_WORD = "代委"
TEMPLATE = "sectioned.html"

class MandateLetterContext(cm.MandateContext):
    signed_at: datetime = Field(description="when 委托方 signed online; aware, or naive China time (as stored); "
                                            "its day in China not after issued_on")
    signed_by: NotBlank = Field(description="who signed online for the enterprise")
    reply_working_days: int = Field(ge=1, description="限时回复: the agent contacts the enterprise within this many "
                                                      "working days of assignment")

    @field_validator("signed_at")
    @classmethod
    def _signed_before_issue(cls, value: datetime, info: ValidationInfo) -> datetime:
        issued = context_day(info, "issued_on")
        if issued and ce.china_date(value) > issued:
            raise ValueError("signed_at must not be after issued_on")
        return value


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    return SectionedView(
        meta=cm.meta(TITLE, ctx),
        issuer=ctx["issuer"],
        title=TITLE,
        subtitle="",
        number=ctx["number"],
        draft_note="",
        addressee="",
        preamble=(
            f"为加快{ctx['project_name']}审批进度，委托方自愿委托受托方为其提供审批事项代办服务。"
            "经双方确认，订立本委托书如下：",
        ),
        sections=(
            cm.parties_section("一、委托双方", ctx),
            Section("二、委托事项", (cm.items_intro(ctx),), cm.items_table(ctx["items"])),
            Section("三、委托期限", (
                f"委托期限{cm.period_text(ctx)}。期限届满尚未办结、需要继续代办的，双方签订代办服务续办委托书延续委托期限。",
            )),
            Section("四、双方约定", _terms(ctx)),
        ),
        closing=("本委托书自委托方在绿色通道服务平台在线签署之日起生效。",),
        signatures=(
            ("委托方：", ctx["enterprise_name"], f"在线签署人：{ctx['signed_by']}",
             f"签署时间：{format_datetime_zh(ctx['signed_at'])}"),
            ("受托方（盖章）：", ctx["agency"], cm.agent_signature(ctx), f"日期：{format_date_zh(ctx['issued_on'])}"),
        ),
        verification=layout.verification_line(ctx, "委托书"),
    )


def _terms(ctx: Mapping) -> tuple[str, ...]:
    return ce.enumerated((
        f"{cm.FREE_SERVICE}：委托方自愿委托，受托方提供代办服务不收取任何费用；办理审批事项依法应当缴纳的税费由委托方承担",
        f"{cm.NOT_TAKING_OVER}：受托方协助委托方准备申报材料、代为提交申请、跟踪办理进度，"
        "不代替委托方作出决定，不干预审批部门依法审批，不对审批结果作出承诺",
        "委托方对所提供材料的真实性、合法性和完整性负责；因材料不实产生的法律责任由委托方承担",
        "受托方仅在委托期限内就本委托书所列事项代表委托方办理；超出所列事项或者委托期限的，须另行委托",
        f"限时回复：受托方自指派代办专员之日起{working_days_zh(ctx['reply_working_days'])}内与委托方联系，"
        "确认代办事项、所需材料及办理计划",
        "结果回交：审批部门作出审批决定、核发证照或者出具文书后，受托方即时将审批结果及原件回交委托方，不得留存",
        "任何一方均可以终止委托，终止以代办服务终止单为准；终止后受托方回交其保管的全部材料",
    ))


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the letter into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=MandateLetterContext)
