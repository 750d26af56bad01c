"""办理进度报告 (progress report): a weekly, monthly or on-demand status of a project's approval items for
the enterprise and the park's leaders (DOMAIN §7 办理进度报告, lights per §4.3).

It gives the light counts of all tracked steps; then, per case (事项), a heading line and a table of its
steps with state, committed deadline, time left or overdue, light, what the step waits on and the next
action; then the project's milestones (planned and actual dates) when there are any; the issuer and
date; the verification line; and whom the report goes to.

The view is the shared :class:`~services.documents.layout.SectionedView`. This module
does not compute working days, lights or counts: the SLA engine does, and the caller passes the results
in (``remaining`` already worded). ``summary`` must equal the counts of the steps' lights, so the
paragraph cannot contradict the tables.

Context: :class:`ProgressReportContext`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

from docx.document import Document
from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import format_date_zh
from services.documents import common_eia as ce
from services.documents import layout
from services.documents.kind import ContextModel, DocumentKind, Items, context_day
from services.documents.layout import Section, SectionedView, Table

KIND = "progress_report"
TITLE = "办理进度报告"
NUMBER_WORD = "进"
TEMPLATE = "sectioned.html"

# light → printed word; "none": the step runs no clock (not started, finished, …)
LIGHTS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "paused": "计时暂停", "none": "—"}
SUMMARY_LIGHTS = ("green", "yellow", "red", "paused")
NONE = "—"

STEP_HEADER = ("环节", "部门", "状态", "办结期限", "时限", "亮灯", "等待", "下一步")
# cm on the 15.6 cm text width (A4 portrait), 五号 text; a date breaks after the year, 亮灯 fits "计时\n暂停"
STEP_WIDTHS = (2.5, 1.9, 1.5, 2.1, 1.7, 1.2, 1.8, 2.9)
STEP_CENTERED = (False, True, True, True, True, True, True, False)
LIGHT_KEY = ("亮灯说明：绿灯表示在承诺时限内正常办理；黄灯表示临近办结期限；红灯表示已超过办结期限；"
             "计时暂停表示处于补正、专家评审、公示等不计入办理时限的情形。")
MILESTONE_HEADER = ("序号", "里程碑", "计划日期", "实际日期", "情况")

Light = Literal["green", "yellow", "red", "paused", "none"]


class StepLine(ContextModel):
    name: str
    department: str
    status: str = Field(description="a Chinese label, e.g. 审查中")
    due_on: date | None = Field(description="办结期限; None while paused or unknown")
    remaining: str = Field(description="e.g. 剩余3个工作日 / 超期2个工作日 / —")
    light: Light = Field(description="one of LIGHTS")
    waiting_on: str = Field(description="who the step waits on, e.g. 自然资源局 / —")
    next_action: str


class CaseLines(ContextModel):
    case_no: str
    title: str
    status: str = Field(description="a Chinese label")
    steps: Items[StepLine] = Field(min_length=1)


class LightCounts(ContextModel):
    green: int = Field(ge=0)
    yellow: int = Field(ge=0)
    red: int = Field(ge=0)
    paused: int = Field(ge=0)


class Milestone(ContextModel):
    name: str
    planned: date | None
    actual: date | None


class ProgressReportContext(layout.CaseDocumentContext):
    as_of: date = Field(description="status date (截至), not after issued_on")
    period: str = Field(description="报告期, e.g. 2026年第48周 or 按需生成")
    audience: str = Field(description="报送对象, e.g. 企业及园区领导")
    cases: Items[CaseLines] = Field(min_length=1, description="the project's open cases and their steps")
    summary: LightCounts = Field(description="the counts of those lights over all steps")
    milestones: Items[Milestone] = Field(description="project milestones; may be empty")

    @field_validator("as_of")
    @classmethod
    def _not_after_issue(cls, value: date, info: ValidationInfo) -> date:
        issued = context_day(info, "issued_on")
        if issued and value > issued:
            raise ValueError("as_of must not be after issued_on")
        return value

    @field_validator("summary")
    @classmethod
    def _counts_match_the_steps(cls, value: LightCounts, info: ValidationInfo) -> LightCounts:
        counts = _light_counts((info.context or {}).get("cases"))
        wrong = [f"summary.{key} is {getattr(value, key)} but {counts[key]} step(s) show {key}"
                 for key in SUMMARY_LIGHTS if counts is not None and getattr(value, key) != counts[key]]
        if wrong:
            raise ValueError("; ".join(wrong))
        return value


def _light_counts(cases: object) -> Counter | None:
    """Lights over all steps of the raw ``cases``, or None if any is malformed (reported elsewhere)."""
    if not isinstance(cases, (list, tuple)) or not all(isinstance(c, Mapping) for c in cases):
        return None
    steps = [step for case in cases for step in case.get("steps") or ()]
    if not all(isinstance(step, Mapping) and step.get("light") in LIGHTS for step in steps):
        return None
    return Counter(step["light"] for step in steps)


# --- the report -------------------------------------------------------------------------------


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    sections = [Section("一、总体情况", (summary_text(ctx), LIGHT_KEY))]
    for case in ctx["cases"]:
        sections.append(_case_section(f"{ce.cn_number(len(sections) + 1)}、", case))
    if ctx["milestones"]:
        sections.append(Section(f"{ce.cn_number(len(sections) + 1)}、项目里程碑", (),
                                _milestone_table(ctx["milestones"], ctx["as_of"])))
    return SectionedView(
        meta=layout.make_meta(TITLE, ctx, f"{ctx['project_name']} {ctx['period']} {ctx['case_no']}"),
        issuer=ctx["issuer"],
        title=TITLE,
        subtitle=f"（{ctx['period']}）",
        number=ctx["number"],
        draft_note="",
        addressee="",
        preamble=(_preamble(ctx),),
        sections=tuple(sections),
        closing=(),
        signatures=((ctx["issuer"], format_date_zh(ctx["issued_on"])),),
        verification=layout.verification_line(ctx, "报告"),
        notes=(f"报送：{ctx['audience']}。",),
        sign_centered=False,
    )


def _preamble(ctx: Mapping) -> str:
    return (f"现将{ce.enterprise_text(ctx)}{ctx['project_name']}（案件编号 {ctx['case_no']}）"
            f"截至{format_date_zh(ctx['as_of'])}的审批办理进度报告如下。")


def summary_text(ctx: Mapping) -> str:
    cases = ctx["cases"]
    steps = sum(len(case["steps"]) for case in cases)
    s = ctx["summary"]
    return (f"截至{format_date_zh(ctx['as_of'])}，本项目纳入跟踪的事项{len(cases)}项、办理环节{steps}个，"
            f"其中绿灯{s['green']}个、黄灯{s['yellow']}个、红灯{s['red']}个、计时暂停{s['paused']}个。")


def _case_section(ordinal: str, case: Mapping) -> Section:
    heading = f"{ordinal}{case['title']}（{case['case_no']}）"
    return Section(heading, (f"办理状态：{case['status']}。",), _step_table(case["steps"]))


def _step_table(steps: Sequence[Mapping]) -> Table:
    rows = tuple(
        (step["name"], step["department"], step["status"], _narrow_date(step["due_on"]), step["remaining"],
         LIGHTS[step["light"]], step["waiting_on"], step["next_action"])
        for step in steps
    )
    return Table(STEP_HEADER, rows, STEP_WIDTHS, STEP_CENTERED, compact=True)


def _date_or_none(value: date | None) -> str:
    return NONE if value is None else format_date_zh(value)


def _narrow_date(value: date | None) -> str:
    """A date for the narrow 办结期限 column, broken after the year rather than inside the month."""
    return NONE if value is None else f"{value.year}年\n{value.month}月{value.day}日"


def milestone_state(milestone: Mapping, as_of: date) -> str:
    planned, actual = milestone["planned"], milestone["actual"]
    if actual is not None:
        return "延期完成" if planned is not None and actual > planned else "已完成"
    if planned is None:
        return "待定"
    return "逾期未完成" if planned < as_of else "未到计划日期"


def _milestone_table(milestones: Sequence[Mapping], as_of: date) -> Table:
    rows = tuple(
        (str(i), m["name"], _date_or_none(m["planned"]), _date_or_none(m["actual"]), milestone_state(m, as_of))
        for i, m in enumerate(milestones, start=1)
    )
    return Table(MILESTONE_HEADER, rows, (1.2, 5.0, 3.3, 3.3, 2.8), (True, False, True, True, True), compact=True)


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the report into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=ProgressReportContext)
