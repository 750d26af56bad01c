"""代办服务续办委托书 (continuation of an agency service mandate): the 委托期限 of the 代办服务委托书
``original_number`` ran to ``previous_until``; for ``reason`` the mandate is continued until
``valid_until``.

It states the two parties and the agent, the new period (``valid_from`` to ``valid_until``), the items
continued (table; 原委托书所列 items missing from it are no longer handled), and that the original
letter's other terms (自愿委托、无偿服务, 帮办代办不包办 …) still apply. 委托方 signs by hand, 受托方 seals.

The view is the shared :class:`~services.documents.layout.SectionedView`.

Context: :class:`MandateContinuationContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from docx.document import Document
from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import format_date_zh
from services.documents import common_mandate as cm
from services.documents import layout
from services.documents.kind import DocumentKind, NotBlank, context_day
from services.documents.layout import Section, SectionedView

KIND = "mandate_continuation"
TITLE = "代办服务续办委托书"
NUMBER_WORD = "代续"
TEMPLATE = "sectioned.html"

class MandateContinuationContext(cm.MandateContext):
    original_number: NotBlank = Field(description="文号 of the 代办服务委托书 continued")
    previous_until: date = Field(description="the period's end before this extension, before valid_until")
    reason: NotBlank = Field(description="why the items need more time")

    @field_validator("previous_until")
    @classmethod
    def _extends(cls, value: date, info: ValidationInfo) -> date:
        until = context_day(info, "valid_until")
        if until and value >= until:
            raise ValueError("previous_until must be before valid_until")
        return value


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    after = () if ctx["all_items"] else ("原委托书所列事项未列入上表的，自原委托期限届满之日起不再代办。",)
    return SectionedView(
        meta=cm.meta(TITLE, ctx),
        issuer=ctx["issuer"],
        title=TITLE,
        subtitle="",
        number=ctx["number"],
        draft_note="",
        addressee="",
        preamble=(
            f"根据{cm.mandate_ref(ctx)}，委托方委托受托方代办{ctx['project_name']}的审批事项，"
            f"原委托期限至{format_date_zh(ctx['previous_until'])}届满。因{cm.clause(ctx['reason'])}，"
            f"经双方确认，该委托续办至{format_date_zh(ctx['valid_until'])}，约定如下：",
        ),
        sections=(
            cm.parties_section("一、委托双方", ctx),
            Section("二、续办期限", (
                f"续办期限{cm.period_text(ctx)}。续办期限届满仍未办结的，可以再次续办。",
            )),
            Section("三、续办事项", (cm.items_intro(ctx, "继续委托受托方代办"),), cm.items_table(ctx["items"]), after),
            Section("四、其他约定", (
                f"原委托书的其他约定继续有效，包括{cm.FREE_SERVICE}，{cm.NOT_TAKING_OVER}，委托方对所提供材料的真实性负责，"
                "限时回复和结果回交等。本续办委托书与原委托书具有同等效力。",
            )),
        ),
        closing=(),
        signatures=cm.two_party_signatures(ctx),
        verification=layout.verification_line(ctx, "续办委托书"),
    )


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the continuation into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=MandateContinuationContext)
