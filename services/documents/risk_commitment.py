"""拿地前预审风险承诺书 (pre-review risk commitment): the enterprise applies for 拿地即开工 and asks the
approval departments to pre-review its design, drawings and assessments before the land is acquired,
and takes the risk of doing so.

It states the project and the parcel, how the parcel is sold (挂牌出让, ``listing_text``) and lists the
items to pre-review. The enterprise commits that it knows the parcel is sold by public listing and it
may not win; that if it does not win, every cost of design, drawings and assessments is its own and it
makes no claim against the government or the departments; that the pre-review results serve only its
own project, take effect only after it wins the land and signs the 出让合同, and are not handed to any
other winner; that once it wins it builds according to the pre-reviewed scheme and the parcel's 标准地
indicators; and that its materials are true. The enterprise signs online (``signed_by`` at
``signed_at``).

The view is the shared :class:`~services.documents.layout.SectionedView`.

Context: :class:`RiskCommitmentContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from docx.document import Document
from pydantic import Field, field_validator

from services.core.formatting import format_date_zh, format_datetime_zh
from services.documents import common_eia as ce
from services.documents import common_mandate as cm
from services.documents import common_permits as cp
from services.documents import layout
from services.documents.kind import DocumentKind, Items, NotBlank
from services.documents.layout import Section, SectionedView

KIND = "risk_commitment"
TITLE = "拿地前预审风险承诺书"
NUMBER_WORD = "险诺"
TEMPLATE = "sectioned.html"

class RiskCommitmentContext(cp.PermitContext):
    signed_by: NotBlank = Field(description="who signed online for the enterprise")
    signed_at: datetime = Field(description="when; aware, or naive China time (as stored); its day in China not "
                                            "after issued_on")
    prereview_items: Items[NotBlank] = Field(min_length=1, description="items to pre-review, e.g. 设计方案预审")
    listing_text: NotBlank = Field(description="how the parcel is sold, e.g. 挂牌出让：公告期20日、挂牌期10日")

    _signed_before_issue = field_validator("signed_at")(ce.not_after_issue)


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    return SectionedView(
        meta=cp.meta(TITLE, ctx),
        issuer="",
        title=TITLE,
        subtitle="（拿地即开工）",
        number=ctx["number"],
        draft_note="",
        addressee=f"{ctx['issuer']}及各相关审批部门：",
        preamble=(
            f"本单位{ce.enterprise_text(ctx)}拟竞买{ctx['parcel']['base_name']}{ctx['parcel']['number']}号宗地，"
            f"投资建设{ctx['project_name']}（案件编号 {ctx['case_no']}）。为实现“拿地即开工”，本单位申请在取得土地前"
            "由各相关审批部门对本项目的下列事项进行预审，并自愿作出如下承诺：",
        ),
        sections=(
            Section("一、项目及宗地基本情况", layout.labelled((
                ("承诺单位", ctx["enterprise_name"]),
                ("法定代表人", ctx["legal_representative"]),
                ("项目名称", ctx["project_name"]),
                *layout.parcel_fields(ctx["parcel"]),
            ))),
            Section("二、申请预审事项", layout.numbered(cm.clause(item) for item in ctx["prereview_items"])),
            Section("三、风险承诺", _commitments(ctx)),
        ),
        closing=("本承诺书自本单位在绿色通道服务平台在线签署之日起生效。",),
        signatures=((), (  # right half, kept on one page (a lone floated block may split)
            "承诺单位：",
            ctx["enterprise_name"],
            f"在线签署人：{ctx['signed_by']}",
            f"签署时间：{format_datetime_zh(ctx['signed_at'])}",
            f"日期：{format_date_zh(ctx['issued_on'])}",
        )),
        verification=layout.verification_line(ctx, "承诺书"),
    )


def _commitments(ctx: Mapping) -> tuple[str, ...]:
    return ce.enumerated((
        f"本单位已知悉本宗地以挂牌方式公开出让（{cm.clause(ctx['listing_text'])}），本单位参加竞买不必然竞得本宗地；"
        "预审不影响土地出让的公开、公平、公正，竞得人以公开出让结果为准",
        "本单位未竞得本宗地的，为预审发生的设计、施工图编制、评估评价等全部费用由本单位自行承担，"
        "本单位不以任何理由向政府及有关部门主张补偿、赔偿或者提出其他要求",
        "预审结果仅用于本单位的本项目，在本单位竞得本宗地并签订国有建设用地使用权出让合同后方可生效；"
        "本单位未竞得的，预审结果自动失效，不转交其他竞得人，也不作为其他竞得人办理审批的依据",
        "本单位竞得本宗地后，按照经预审的设计方案和本宗地“标准地”控制指标进行建设，不擅自变更；"
        "确需变更的，依法重新办理有关手续",
        "本单位对提交的全部申报材料的真实性、合法性和完整性负责；因材料不实产生的法律责任由本单位承担",
    ))


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the commitment into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=RiskCommitmentContext)
