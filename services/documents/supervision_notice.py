"""督办通知 (supervision notice): sent to a department whose approval step has run past its committed
deadline and shows a red light (DOMAIN §4.3 亮灯督办, §7 督办通知 / 督办函).

It states the case, the step, the committed limit and deadline, how many working days the step is
overdue (calendar pauses such as 补正 not counted) and that it shows red; lists those facts in a
table; sets the 督办要求 (finish or explain, reply in writing by a deadline with reasons and measures,
name a responsible person; otherwise the next escalation level and 效能问责); lists earlier lights
and escalations of the step; and ends with the issuer's seal and the 抄送 (copy) line.

Three levels (DOMAIN §4.3 escalation): 1 = 督办通知 to the department, 2 = 提请现场指挥部督办,
3 = 提请总指挥部督办. The view is the shared
:class:`~services.documents.layout.SectionedView`. This module does not compute
working days, lights or levels: the SLA engine does, and the caller passes the results in.

Context: :class:`SupervisionNoticeContext`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

from docx.document import Document
from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import format_date_zh, working_days_zh
from services.documents import common_eia as ce
from services.documents import layout
from services.documents.kind import ContextModel, DocumentKind, Items, context_day
from services.documents.layout import Section, SectionedView, Table

KIND = "supervision_notice"
TITLE = "督办通知"
NUMBER_WORD = "督"
TEMPLATE = "sectioned.html"

LIGHTS = {"red": "红灯"}
# level → (subtitle, table wording, sentence in the preamble)
LEVELS = {
    1: ("（一级督办）", "一级督办：向承办部门发出督办通知", "现向你单位发出督办通知，"),
    2: ("（二级督办：提请现场指挥部督办）", "二级督办：提请现场指挥部督办",
        "经前期督办仍未办结，现提请现场指挥部督办，"),
    3: ("（三级督办：提请总指挥部督办）", "三级督办：提请总指挥部督办",
        "经现场指挥部督办仍未办结，现提请总指挥部督办，"),
}
# what follows if the department again fails to reply or finish
NEXT_STEP = {
    1: "提请现场指挥部督办",
    2: "提请总指挥部督办",
    3: "由总指挥部予以通报并约谈你单位主要负责人",
}
FACTS_HEADER = ("项目", "内容")
HISTORY_HEADER = ("序号", "日期", "亮灯及督办情况")


class HistoryEntry(ContextModel):
    on: date = Field(description="when, between the clock's start and the notice")
    event: str = Field(description="an earlier light or escalation of this step")

    @field_validator("on")
    @classmethod
    def _within_the_clock(cls, value: date, info: ValidationInfo) -> date:
        started, issued = context_day(info, "started_on"), context_day(info, "issued_on")
        if started and value < started:
            raise ValueError("on must not be before started_on")
        if issued and value > issued:
            raise ValueError("on must not be after issued_on")
        return value


class SupervisionNoticeContext(layout.CaseDocumentContext):
    department: str = Field(description="addressee, e.g. 东莞市自然资源局")
    step_name: str = Field(description="the overdue step, e.g. 建设工程规划许可证核发")
    application_title: str = Field(description="the application the step belongs to, without 《》")
    started_on: date = Field(description="受理/起算日期 of the step's clock, not after due_on")
    due_on: date = Field(description="办结期限 (committed deadline), not after issued_on")
    limit_text: str = Field(description="承诺时限, e.g. 5个工作日")
    paused_working_days: int = Field(ge=0, description="working days the clock was paused (补正 …)")
    light: Literal["red"] = Field(description="printed 红灯; a notice is only sent on red")
    required_action: str = Field(description="what the department must do, one sentence")
    reply_due_on: date = Field(description="书面回复期限, after issued_on")
    copy_to: Items[str] = Field(min_length=1, description="抄送")
    history: Items[HistoryEntry] = Field(description="earlier lights and escalations, printed in date order")
    level: Literal[1, 2, 3] = Field(description="督办级别: 1 督办通知, 2 提请现场指挥部督办, 3 提请总指挥部督办")
    overdue_working_days: int = Field(ge=0, description="working days past due_on at issued_on; 0 prints 已届办结期限")

    @field_validator("started_on")
    @classmethod
    def _starts_before_due(cls, value: date, info: ValidationInfo) -> date:
        due = context_day(info, "due_on")
        if due and value > due:
            raise ValueError("started_on must not be after due_on")
        return value

    @field_validator("due_on")
    @classmethod
    def _due_before_notice(cls, value: date, info: ValidationInfo) -> date:
        issued = context_day(info, "issued_on")
        if issued and value > issued:
            raise ValueError("due_on must not be after issued_on")
        return value

    @field_validator("reply_due_on")
    @classmethod
    def _reply_after_notice(cls, value: date, info: ValidationInfo) -> date:
        issued = context_day(info, "issued_on")
        if issued and value <= issued:
            raise ValueError("reply_due_on must be after issued_on")
        return value

    @field_validator("overdue_working_days")
    @classmethod
    def _overdue_means_past_due(cls, value: int, info: ValidationInfo) -> int:
        due, issued = context_day(info, "due_on"), context_day(info, "issued_on")
        if value > 0 and due and issued and due >= issued:
            raise ValueError("overdue_working_days > 0 needs due_on before issued_on")
        return value


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    subtitle = LEVELS[ctx["level"]][0]
    sections = [
        Section("一、超期情况", (), _facts_table(ctx)),
        Section("二、督办要求", _requirements(ctx)),
    ]
    if ctx["history"]:
        sections.append(Section("三、此前亮灯及督办情况", (), _history_table(ctx["history"])))
    return SectionedView(
        meta=layout.make_meta(TITLE, ctx, f"{ctx['project_name']} {ctx['step_name']} {ctx['case_no']}"),
        issuer=ctx["issuer"],
        title=TITLE,
        subtitle=subtitle,
        number=ctx["number"],
        draft_note="",
        addressee=f"{ctx['department']}：",
        preamble=(_preamble(ctx),),
        sections=tuple(sections),
        closing=("特此通知。",),
        signatures=ce.sealed_by(ctx["issuer"], ctx["issued_on"]),
        verification=layout.verification_line(ctx, "通知"),
        copy_to=tuple(ctx["copy_to"]),  # 抄送, in the 版记
    )


def overdue_text(ctx: Mapping) -> str:
    n = ctx["overdue_working_days"]
    return f"超过办结期限{working_days_zh(n)}" if n else "已届办结期限"


def paused_text(ctx: Mapping) -> str:
    n = ctx["paused_working_days"]
    return f"{working_days_zh(n)}（补正等法定情形，不计入办理时限）" if n else "无"


def _preamble(ctx: Mapping) -> str:
    paused = ctx["paused_working_days"]
    not_counted = f"（计时暂停的{working_days_zh(paused)}不计入）" if paused else ""
    return (
        f"{ce.enterprise_text(ctx)}申请的{ctx['project_name']}{ctx['application_title']}（案件编号 {ctx['case_no']}），"
        f"“{ctx['step_name']}”环节由你单位承办，承诺时限为{ctx['limit_text']}，"
        f"自{format_date_zh(ctx['started_on'])}起算，办结期限为{format_date_zh(ctx['due_on'])}。"
        f"截至{format_date_zh(ctx['issued_on'])}，该环节仍未办结，{overdue_text(ctx)}{not_counted}，"
        f"绿色通道亮灯督办系统已亮{LIGHTS[ctx['light']]}。根据绿色通道限时办结和亮灯督办的有关规定，"
        f"{LEVELS[ctx['level']][2]}请你单位按照以下要求抓紧办理："
    )


def _facts_table(ctx: Mapping) -> Table:
    rows = (
        ("事项", ctx["application_title"]),
        ("办理环节", ctx["step_name"]),
        ("受理/起算日期", format_date_zh(ctx["started_on"])),
        ("承诺时限", ctx["limit_text"]),
        ("办结期限", format_date_zh(ctx["due_on"])),
        ("已超期", f"{working_days_zh(ctx['overdue_working_days'])}（截至{format_date_zh(ctx['issued_on'])}）"),
        ("计时暂停", paused_text(ctx)),
        ("亮灯状态", LIGHTS[ctx["light"]]),
        ("督办级别", LEVELS[ctx["level"]][1]),
    )
    return Table(FACTS_HEADER, rows, (3.8, 11.8), (True, False))


def _requirements(ctx: Mapping) -> tuple[str, ...]:
    reply_on = format_date_zh(ctx["reply_due_on"])
    return ce.enumerated((
        f"请你单位接到本通知后{_action(ctx['required_action'])}",
        f"请于{reply_on}前将办理情况书面回复{ctx['issuer']}，说明超期原因、已采取和拟采取的整改措施及预计办结日期",
        "请明确一名责任人（姓名、职务、联系电话）负责本事项的跟踪办理，并在书面回复中载明",
        f"逾期未书面回复或者仍未办结的，将{NEXT_STEP[ctx['level']]}，并按照有关规定对相关责任人启动效能问责",
    ))


def _action(text: str) -> str:
    """``required_action`` follows "请你单位接到本通知后", so a leading 请 / 请你单位 / 你单位 would repeat."""
    text = text.strip()
    for prefix in ("请你单位", "你单位", "请"):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def _history_table(history: Sequence[Mapping]) -> Table:
    ordered = sorted(history, key=lambda item: item["on"])  # stable: same-day events keep their order
    rows = tuple((str(i), format_date_zh(item["on"]), item["event"]) for i, item in enumerate(ordered, start=1))
    return Table(HISTORY_HEADER, rows, (1.4, 4.2, 10.0), (True, True, False))


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the notice into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=SupervisionNoticeContext)
