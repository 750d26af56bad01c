"""代办服务终止单 (termination of an agency service mandate): the 代办服务委托书 ``original_number``
ends on ``terminated_on`` before its period is out, at ``terminated_by``'s request, for ``reason``.

It states the two parties and the agent, the termination facts (original letter, period, date,
requesting party, reason), the delegated items (table), the cases under the mandate and their state
at termination (table, or 无在办案件), and what follows: the agent no longer acts for the enterprise,
open cases are continued or withdrawn by the enterprise itself, the materials are handed back
(材料已回交), and the enterprise may ask for the service again. 委托方 signs by hand, 受托方 seals.

The view is the shared :class:`~services.documents.layout.SectionedView`.

Context: :class:`MandateTerminationContext`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from docx.document import Document
from pydantic import Field, field_validator

from services.core.formatting import format_date_zh
from services.documents import common_eia as ce
from services.documents import common_mandate as cm
from services.documents import layout
from services.documents.kind import DocumentKind, Items, NotBlank
from services.documents.layout import Section, SectionedView, Table

KIND = "mandate_termination"
TITLE = "代办服务终止单"
NUMBER_WORD = "代终"
TEMPLATE = "sectioned.html"

CASES_HEADER = ("序号", "案件编号", "案件名称", "终止时状态")

class MandateTerminationContext(cm.MandateContext):
    original_number: NotBlank = Field(description="文号 of the 代办服务委托书 terminated")
    terminated_on: date = Field(description="终止日期, not before valid_from")
    terminated_by: NotBlank = Field(description="who asked, e.g. 委托方 or 受托方")
    reason: NotBlank = Field(description="why the mandate ends")
    cases: Items[cm.MandateCase] = Field(description="cases under the mandate and their state; may be empty")

    _not_before_start = field_validator("terminated_on")(cm.not_before_start)


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    terminated_on = format_date_zh(ctx["terminated_on"])
    cases = ctx["cases"]
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
            f"因{cm.clause(ctx['reason'])}，经{ctx['terminated_by']}提出，该委托自{terminated_on}起终止。",
        ),
        sections=(
            cm.parties_section("一、委托双方", ctx),
            Section("二、终止情况", layout.labelled((
                ("原委托书文号", ctx["original_number"]),
                ("原委托期限", cm.period_text(ctx)),
                ("终止日期", terminated_on),
                ("提出方", ctx["terminated_by"]),
                ("终止原因", cm.clause(ctx["reason"])),
            ))),
            Section("三、原委托事项", (cm.items_intro(ctx),), cm.items_table(ctx["items"])),
            _cases_section(cases),
            Section("五、终止后事项", ce.enumerated((
                f"自{terminated_on}起，受托方不再以委托方名义办理上述事项",
                "尚未办结的案件由委托方自行向审批部门继续办理或者申请撤回，受托方配合做好交接" if cases
                else "本委托项下无在办案件，无需交接",
                "受托方保管的申报材料及已取得的审批结果已全部回交委托方（材料已回交）",
                "委托终止不影响委托方再次申请代办服务",
            ))),
        ),
        closing=(),
        signatures=cm.two_party_signatures(ctx),
        verification=layout.verification_line(ctx, "终止单"),
    )


def _cases_section(cases: Sequence[Mapping]) -> Section:
    if not cases:
        return Section("四、在办案件", ("无在办案件。",))
    rows = tuple((str(i), c["case_no"], c["title"], c["status_zh"]) for i, c in enumerate(cases, start=1))
    return Section("四、在办案件", (f"终止时本委托项下共有案件{len(cases)}件，状态如下：",),
                   Table(CASES_HEADER, rows, (1.4, 4.0, 7.0, 3.2), (True, True, False, True)))


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the termination into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=MandateTerminationContext)
