"""部门办理情况月度通报 (a department's monthly bulletin, DOMAIN §4.3 亮灯督办 / 台账): the items the department
finished in the month, how many on time, how many late, what it still holds past the deadline, the 督办 it
received and its written replies to them, and the longest-overdue items by case. The counts come from
``services.supervision.bulletin``; this module only words and lays them out.

Context: :class:`DepartmentBulletinContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

from docx.document import Document
from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import CHINA_TZ, format_date_zh
from services.documents import layout
from services.documents.kind import ContextModel, DayOrNone, DocumentKind, Items
from services.documents.layout import Section, SectionedView, Table

KIND = "department_bulletin"
TITLE = "部门办理情况月度通报"
NUMBER_WORD = "通"
TEMPLATE = "sectioned.html"
LATE_HEADER = ("序号", "案件编号", "办理环节", "办结期限", "情况")
NONE = "—"


class LateLine(ContextModel):
    case_no: str
    step_name: str
    due_on: date
    finished_on: DayOrNone = Field(description="when it was finished late; None: not finished at the month's end")


class DepartmentBulletinContext(ContextModel):
    number: str = Field(description="文号")
    issuer: str = Field(description="the service centre that issues the bulletin")
    issued_on: date
    verification_code: str = Field(description="查验码")
    department: str = Field(description="the department the bulletin is about")
    month: str = Field(description="e.g. 2026年11月")
    first_day: date
    last_day: date
    handled: int = Field(ge=0, description="human steps finished in the month")
    on_time: int = Field(ge=0, description="of those, finished on or before the deadline")
    late_done: int = Field(ge=0, description="of those, finished after the deadline")
    overdue_open: int = Field(ge=0, description="past the deadline and not finished at the month's end")
    escalations: int = Field(ge=0, description="督办 issued on the department's steps in the month")
    replies_filed: int = Field(ge=0, description="written replies to 督办通知 the department filed in the month")
    replies_overdue: int = Field(ge=0, description="督办通知 whose reply date passed in the month unanswered")
    on_time_rate: str = Field(description="按时办结率 as printed, e.g. 95.0% or —")
    late_items: Items[LateLine] = Field(description="the longest-overdue items; may be empty")

    @field_validator("late_done")
    @classmethod
    def _parts_add_up(cls, value: int, info: ValidationInfo) -> int:
        handled, on_time = (info.data or {}).get("handled"), (info.data or {}).get("on_time")
        if isinstance(handled, int) and isinstance(on_time, int) and on_time + value != handled:
            raise ValueError(f"on_time {on_time} + late_done {value} must equal handled {handled}")
        return value


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    period = f"{format_date_zh(ctx['first_day'])}至{format_date_zh(ctx['last_day'])}"
    summary = (f"{period}，{ctx['department']}办结绿色通道审批事项{ctx['handled']}件，其中按承诺时限办结"
               f"{ctx['on_time']}件、超时办结{ctx['late_done']}件，按时办结率{ctx['on_time_rate']}；"
               f"截至{format_date_zh(ctx['last_day'])}逾期未办结{ctx['overdue_open']}件；"
               f"本月收到督办{ctx['escalations']}次，书面回复督办{ctx['replies_filed']}次，"
               f"逾期未回复{ctx['replies_overdue']}次。")
    sections = [Section("一、办理情况", (summary,), _figures_table(ctx))]
    if ctx["late_items"]:
        sections.append(Section("二、超时及逾期事项", ("以下事项请逐项说明原因、整改措施和办结时间，于收到本通报后"
                                                     "三个工作日内书面回复。",), _late_table(ctx["late_items"])))
    else:
        sections.append(Section("二、超时及逾期事项", ("本月无超时或逾期事项。",)))
    return SectionedView(
        meta=layout.DocumentMeta(title=f"{TITLE} {ctx['number']}", author=ctx["issuer"],
                                 subject=f"{ctx['department']} {ctx['month']}",
                                 created=datetime.combine(ctx["issued_on"], time(0, 0), tzinfo=CHINA_TZ)),
        issuer=ctx["issuer"],
        title=TITLE,
        subtitle=f"（{ctx['month']} · {ctx['department']}）",
        number=ctx["number"],
        draft_note="",
        addressee=f"{ctx['department']}：",
        preamble=(f"根据绿色通道亮灯督办制度，现将贵单位{ctx['month']}办理情况通报如下。",),
        sections=tuple(sections),
        closing=(),
        signatures=((ctx["issuer"], format_date_zh(ctx["issued_on"])),),
        verification=layout.verification_line(ctx, "通报"),
        notes=("统计口径：办结指本月内作出审查决定的部门审查环节；按时指在承诺办结期限当日或之前办结；"
               "逾期未办结指办结期限已过、至月末仍未办结的环节；联合审查环节分别计入各参与部门。",),
        sign_centered=True,
    )


def _figures_table(ctx: Mapping) -> Table:
    rows = ((str(ctx["handled"]), str(ctx["on_time"]), str(ctx["late_done"]), ctx["on_time_rate"],
             str(ctx["overdue_open"]), str(ctx["escalations"]), str(ctx["replies_filed"]),
             str(ctx["replies_overdue"])),)
    return Table(("办结", "按时办结", "超时办结", "按时办结率", "逾期未办结", "督办", "书面回复", "回复逾期"), rows,
                 (2.0,) * 8, (True,) * 8)


def _late_table(items) -> Table:
    rows = tuple((str(i), item["case_no"], item["step_name"], format_date_zh(item["due_on"]),
                  f"{format_date_zh(item['finished_on'])}超时办结" if item["finished_on"] else "至月末未办结")
                 for i, item in enumerate(items, start=1))
    return Table(LATE_HEADER, rows, (1.2, 3.6, 4.2, 3.0, 3.6), (True, True, False, True, True), compact=True)


def build_docx(doc: Document, v: SectionedView) -> None:
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx, context=DepartmentBulletinContext)
