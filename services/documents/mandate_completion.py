"""代办服务办结单 (completion of an agency service mandate): the items delegated by the 代办服务委托书
``original_number`` have been handled and the service ends on ``completed_on``.

It states the two parties and the agent, the delegated items (table), the cases handled with their
result and 办结日期 (table), the approval documents handed back to the enterprise (table, or none),
and closes with the enterprise's confirmation. 委托方 confirms (委托方确认) by hand, 受托方 seals.

The view is the shared :class:`~services.documents.layout.SectionedView`.

Context: :class:`MandateCompletionContext`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from docx.document import Document
from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import format_date_zh
from services.documents import common_mandate as cm
from services.documents import layout
from services.documents.kind import ContextModel, DayOrNone, DocumentKind, Items, NotBlank, context_day
from services.documents.layout import Section, SectionedView, Table

KIND = "mandate_completion"
TITLE = "代办服务办结单"
NUMBER_WORD = "代结"
TEMPLATE = "sectioned.html"

CASES_HEADER = ("序号", "案件编号", "案件名称", "办理结果", "办结日期")
RESULTS_HEADER = ("序号", "审批结果名称", "文号")
class HandledCase(cm.MandateCase):
    finished_on: DayOrNone = Field(description="办结日期, not after completed_on; None prints —")

    @field_validator("finished_on")
    @classmethod
    def _finished_by_completion(cls, value: date | None, info: ValidationInfo) -> date | None:
        completed = context_day(info, "completed_on")
        if value and completed and value > completed:
            raise ValueError("finished_on must not be after completed_on")
        return value


class HandedBack(ContextModel):
    title: str = Field(description="the approval document handed back to the enterprise")
    number: str = Field(description="its 文号")


class MandateCompletionContext(cm.MandateContext):
    original_number: NotBlank = Field(description="文号 of the 代办服务委托书 completed")
    completed_on: date = Field(description="办结日期, not before valid_from")
    cases: Items[HandledCase] = Field(description="cases under the mandate; may be empty")
    results: Items[HandedBack] = Field(description="approval documents handed back; may be empty")

    _not_before_start = field_validator("completed_on")(cm.not_before_start)


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    completed_on = format_date_zh(ctx["completed_on"])
    handed_back = "，审批结果已回交委托方" if ctx["results"] else ""
    return SectionedView(
        meta=cm.meta(TITLE, ctx),
        issuer=ctx["issuer"],
        title=TITLE,
        subtitle="",
        number=ctx["number"],
        draft_note="",
        addressee="",
        preamble=(
            f"根据{cm.mandate_ref(ctx)}，委托方委托受托方代办{ctx['project_name']}的审批事项，委托期限{cm.period_text(ctx)}。"
            f"截至{completed_on}，委托事项已办理完毕{handed_back}，本次代办服务办结。",
        ),
        sections=(
            cm.parties_section("一、委托双方", ctx),
            Section("二、委托事项", (cm.items_intro(ctx),), cm.items_table(ctx["items"])),
            _cases_section(ctx["cases"]),
            _results_section(ctx["results"]),
        ),
        closing=(f"委托方确认上述事项已办结{'、审批结果已收到' if ctx['results'] else ''}，"
                 "本委托书项下的代办服务至此终结。",),
        signatures=cm.two_party_signatures(ctx, "委托方确认（盖章）：", "经办人（签字）："),
        verification=layout.verification_line(ctx, "办结单"),
    )


def _cases_section(cases: Sequence[Mapping]) -> Section:
    if not cases:
        return Section("三、办理情况", ("本委托项下无审批案件。",))
    rows = tuple(
        (str(i), c["case_no"], c["title"], c["status_zh"], _finished_text(c["finished_on"]))
        for i, c in enumerate(cases, start=1)
    )
    return Section("三、办理情况", (f"本委托项下共办理案件{len(cases)}件：",),
                   Table(CASES_HEADER, rows, (1.4, 3.6, 5.2, 2.4, 3.4), (True, True, False, True, True), compact=True))


def _finished_text(finished_on: date | None) -> str:
    return format_date_zh(finished_on) if finished_on else "—"


def _results_section(results: Sequence[Mapping]) -> Section:
    if not results:
        return Section("四、回交审批结果", ("无需要回交的审批结果。",))
    rows = tuple((str(i), r["title"], r["number"]) for i, r in enumerate(results, start=1))
    return Section("四、回交审批结果", (f"受托方已将下列{len(results)}份审批结果原件回交委托方：",),
                   Table(RESULTS_HEADER, rows, (1.4, 8.0, 6.2), (True, False, True)))


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the completion into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=MandateCompletionContext)
