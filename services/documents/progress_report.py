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

Context (a plain dict; all keys required):

=======================  ============  ======================================================
key                      type          meaning
=======================  ============  ======================================================
number                   str           文号, e.g. ``"东莞绿通进〔2026〕第0007号"``
issuer                   str           body that issues the report
issued_on                date          date of the report; also the file's created date
enterprise_name          str           the applicant enterprise
uscc                     str           its 统一社会信用代码
case_no                  str           the project's (main) case number
project_name             str           project name
verification_code        str           查验码
as_of                    date          status date (截至); not after ``issued_on``
period                   str           报告期, e.g. ``"2026年第48周"`` or ``"按需生成"``
audience                 str           报送对象, e.g. ``"企业及园区领导"``
cases                    list          at least one ``{"case_no": str, "title": str, "status": str,
                                       "steps": [...]}``; ``status`` a Chinese label
cases[i].steps           list          at least one ``{"name": str, "department": str,
                                       "status": str, "due_on": date | None, "remaining": str,
                                       "light": str, "waiting_on": str, "next_action": str}``;
                                       ``remaining`` e.g. ``"剩余3个工作日"`` / ``"超期2个工作日"``
                                       / ``"—"``; ``light`` one of :data:`LIGHTS`;
                                       ``waiting_on`` e.g. ``"自然资源局"`` / ``"—"``
summary                  dict          ``{"green", "yellow", "red", "paused"}``: ints ≥ 0, equal to
                                       the counts of those lights over all steps
milestones               list          ``[{"name": str, "planned": date | None,
                                       "actual": date | None}]``; may be empty
=======================  ============  ======================================================
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from docx.document import Document

from services.core.formatting import format_date_zh
from services.documents import common_eia as ce
from services.documents import layout
from services.documents.kind import DocumentKind
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

_TYPES: dict[str, layout.TypeSpec] = {
    "as_of": date,
    "period": str,
    "audience": str,
    "cases": (list, tuple),
    "summary": Mapping,
    "milestones": (list, tuple),
}
CASE_TYPES: dict[str, layout.TypeSpec] = {"case_no": str, "title": str, "status": str, "steps": (list, tuple)}
STEP_TYPES: dict[str, layout.TypeSpec] = {
    "name": str, "department": str, "status": str, "due_on": (date, type(None)), "remaining": str, "light": str,
    "waiting_on": str, "next_action": str,
}
SUMMARY_TYPES: dict[str, layout.TypeSpec] = {key: int for key in SUMMARY_LIGHTS}
MILESTONE_TYPES: dict[str, layout.TypeSpec] = {"name": str, "planned": (date, type(None)), "actual": (date, type(None))}


# --- context checks ---------------------------------------------------------------------------


def validate(ctx: Mapping) -> None:
    """Raise ``ValueError`` naming every missing or mistyped key (with its path) and any value that does not fit."""
    problems = ce.top_problems(ctx, _TYPES)
    problems += _case_problems(ctx)
    problems += layout.mapping_problems(ctx, "summary", SUMMARY_TYPES)
    problems += layout.list_problems(ctx, "milestones", MILESTONE_TYPES, min_items=0)
    problems += _datetime_problems(ctx)
    problems += _summary_problems(ctx)
    as_of, issued = _day(ctx.get("as_of")), _day(ctx.get("issued_on"))
    problems += ce.order_problems(("as_of", as_of, "issued_on", issued))
    layout.raise_problems(KIND, problems)


def _day(value: object) -> date | None:
    """A date to compare, or None for a datetime or anything else (reported as mistyped elsewhere)."""
    return value if isinstance(value, date) and not isinstance(value, datetime) else None


def _items(value: object) -> list[tuple[int, Mapping]]:
    """The dict items of a list (with their index); anything else is reported elsewhere."""
    if not isinstance(value, (list, tuple)):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _steps(ctx: Mapping) -> list[tuple[str, Mapping]]:
    """Every step dict with its path, e.g. ``("cases[0].steps[1]", {...})``."""
    return [(f"cases[{i}].steps[{j}]", step)
            for i, case in _items(ctx.get("cases")) for j, step in _items(case.get("steps"))]


def _case_problems(ctx: Mapping) -> list[str]:
    problems = layout.list_problems(ctx, "cases", CASE_TYPES)
    for i, case in _items(ctx.get("cases")):
        problems += layout.list_problems(case, "steps", STEP_TYPES, prefix=f"cases[{i}].")
    for path, step in _steps(ctx):
        problems += ce.choice_problems(step, "light", LIGHTS, prefix=f"{path}.")
    return problems


def _datetime_problems(ctx: Mapping) -> list[str]:
    """Optional dates (``date | None``) pass an ``isinstance`` check as datetimes; refuse those here."""
    dated = [(path, step, ("due_on",)) for path, step in _steps(ctx)]
    dated += [(f"milestones[{i}]", m, ("planned", "actual")) for i, m in _items(ctx.get("milestones"))]
    return [f"{path}.{key} must be a date, not a datetime"
            for path, item, keys in dated for key in keys if isinstance(item.get(key), datetime)]


def _summary_problems(ctx: Mapping) -> list[str]:
    summary = ctx.get("summary")
    if not isinstance(summary, Mapping):
        return []
    counts = _light_counts(ctx)
    problems = []
    for key in SUMMARY_LIGHTS:
        value = summary.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        if value < 0:
            problems.append(f"summary.{key} must not be negative")
        elif counts is not None and value != counts[key]:
            problems.append(f"summary.{key} is {value} but {counts[key]} step(s) show {key}")
    return problems


def _light_counts(ctx: Mapping) -> Counter | None:
    """Lights over all steps, or None if some step's light is missing or unknown (reported elsewhere)."""
    lights = [step.get("light") for _, step in _steps(ctx)]
    return Counter(lights) if all(light in LIGHTS for light in lights) else None


# --- the report -------------------------------------------------------------------------------


def prepare(ctx: Mapping) -> SectionedView:
    """Context → view. Deterministic: depends on ``ctx`` only."""
    validate(ctx)
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
                        build_docx=build_docx)
