"""环评告知承诺制审批事中事后核查记录 (post-approval check record): the result of checking a
commitment-route EIA approval after the decision (DOMAIN §3.6: Guangzhou's 30-day review of the
EIA document, Xiamen's quarterly sample). It lists what was checked, the findings and one of three
outcomes: 通过 (pass), 限期整改 (rectify by a deadline) or 撤销审批决定并纳入失信记录 (revoke).

The view is the shared :class:`~services.documents.layout.SectionedView`. The
record does not revoke anything itself: a revocation is a separate decision served later.

Context: :class:`EiaPostCheckRecordContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from docx.document import Document
from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import format_date_zh
from services.documents import common_eia as ce
from services.documents import layout
from services.documents.kind import ContextModel, DayOrNone, DocumentKind, Items, context_day
from services.documents.layout import Section, SectionedView, Table

KIND = "eia_post_check_record"
TITLE = "环评告知承诺制审批事中事后核查记录"
NUMBER_WORD = "环核"
TEMPLATE = "sectioned.html"

DISPLAY_TITLE = "环评告知承诺制审批\n事中事后核查记录"  # two balanced lines: 17 characters overflow one
OUTCOMES = {"pass": "通过", "rectify": "限期整改", "revoke": "撤销审批决定"}
ITEMS_HEADER = ("序号", "核查事项", "核查结果")

class CheckItem(ContextModel):
    item: str = Field(description="核查事项")
    result: str = Field(description="what the check found")


class EiaPostCheckRecordContext(ce.EiaContext):
    decision_number: str = Field(description="文号 of the approval decision checked")
    decided_on: date = Field(description="date of that decision, not after checked_on")
    checker: str = Field(description="核查人员 (one or more names)")
    checked_on: date = Field(description="date of the check, not after issued_on")
    findings: str = Field(description="核查发现; a line break starts a new paragraph")
    outcome: Literal["pass", "rectify", "revoke"]
    rectification_deadline: DayOrNone = Field(description="required (after checked_on) for rectify, None otherwise")
    items: Items[CheckItem] = Field(min_length=1, description="核查事项")

    @field_validator("decided_on")
    @classmethod
    def _decided_before_check(cls, value: date, info: ValidationInfo) -> date:
        if (checked := context_day(info, "checked_on")) and value > checked:
            raise ValueError("decided_on must not be after checked_on")
        return value

    _checked_before_issue = field_validator("checked_on")(ce.not_after_issue)

    @field_validator("rectification_deadline")
    @classmethod
    def _deadline_fits_the_outcome(cls, value: date | None, info: ValidationInfo) -> date | None:
        outcome = (info.context or {}).get("outcome")
        if outcome not in OUTCOMES:
            return value
        if outcome == "rectify" and value is None:
            raise ValueError("rectification_deadline is required when outcome is 'rectify'")
        if outcome != "rectify" and value is not None:
            raise ValueError(f"rectification_deadline must be None when outcome is {outcome!r}")
        checked = context_day(info, "checked_on")
        if value and checked and value <= checked:
            raise ValueError("rectification_deadline must be after checked_on")
        return value


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    return SectionedView(
        meta=layout.make_meta(TITLE, ctx, f"{ctx['project_name']} {ctx['decision_number']} {ctx['case_no']}"),
        issuer=ctx["authority"],
        title=DISPLAY_TITLE,
        subtitle="",
        number=ctx["number"],
        draft_note="",
        addressee="",
        preamble=(_preamble(ctx),),
        sections=(
            Section("一、基本情况", layout.labelled((
                ("项目名称", ctx["project_name"]),
                ("建设单位", ce.enterprise_text(ctx)),
                ("审批决定文号", ctx["decision_number"]),
                ("审批日期", format_date_zh(ctx["decided_on"])),
                ("核查日期", format_date_zh(ctx["checked_on"])),
                ("核查人员", ctx["checker"]),
            ))),
            Section("二、核查事项", (), _items_table(ctx["items"])),
            Section("三、核查发现", _findings(ctx["findings"])),
            Section("四、核查结论", _conclusion(ctx)),
        ),
        closing=(),
        signatures=(
            ("被核查单位（盖章）：", ctx["enterprise_name"], "企业代表（签字）：", f"日期：{layout.BLANK_DATE}"),
            ("核查单位（盖章）：", ctx["authority"], f"核查人员（签字）：{ctx['checker']}",
             f"日期：{format_date_zh(ctx['checked_on'])}"),
        ),
        verification=layout.verification_line(ctx, "核查记录"),
    )


def _preamble(ctx: Mapping) -> str:
    return (
        f"根据环境影响评价文件告知承诺制审批事中事后监管的要求，{ctx['authority']}于{format_date_zh(ctx['checked_on'])}"
        f"对{ctx['enterprise_name']}{ctx['project_name']}（审批决定文号：{ctx['decision_number']}，"
        f"案件编号 {ctx['case_no']}）的环境影响评价文件质量及承诺履行情况进行了核查。现将核查情况记录如下："
    )


def _items_table(items) -> Table:
    rows = tuple((str(i), item["item"], item["result"]) for i, item in enumerate(items, start=1))
    return Table(ITEMS_HEADER, rows, (1.4, 6.2, 8.0), (True, False, False))


def _findings(findings: str) -> tuple[str, ...]:
    lines = tuple(line.strip() for line in findings.splitlines() if line.strip())
    return lines or ("未发现问题。",)


def _conclusion(ctx: Mapping) -> tuple[str, ...]:
    outcome = ctx["outcome"]
    if outcome == "pass":
        return ("经核查，该项目符合告知承诺制审批条件，环境影响评价文件质量及承诺履行情况未发现问题，"
                "核查结论为：通过。",)
    if outcome == "rectify":
        deadline = format_date_zh(ctx["rectification_deadline"])
        return (
            f"经核查，该项目存在上述问题，核查结论为：限期整改至{deadline}。",
            f"建设单位应当于{deadline}前完成整改，并将整改情况书面报送{ctx['authority']}；逾期未整改或者整改不到位的，"
            "依法撤销审批决定并纳入失信记录。",
        )
    return (
        "经核查，建设单位承诺不实或者项目不符合告知承诺制审批条件，核查结论为：撤销审批决定并纳入失信记录。",
        f"{ctx['authority']}将依法撤销{ctx['decision_number']}审批决定，撤销决定书另行送达。审批决定撤销后，"
        "建设单位应当依法重新报批环境影响评价文件，重新报批未获批准前不得开工建设。",
    )


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the record into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=EiaPostCheckRecordContext)
