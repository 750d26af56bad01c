"""Shared pieces of the 代办 (agency service) mandate documents: the context keys all four carry,
their checks, and the parties, items and signature lines more than one of them prints.

The mandate documents (``mandate_letter`` 委托书, ``mandate_continuation`` 续办委托书,
``mandate_termination`` 终止单, ``mandate_completion`` 办结单) use the standard-land documents'
:class:`~services.documents.layout.SectionedView` and its DOCX builder. This module
does not assign agents, count working days or track cases: the caller passes the results in.

The context every mandate document carries is :class:`MandateContext`; each kind adds its own keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import format_date_zh, without_role
from services.documents import common_eia as ce
from services.documents import layout
from services.documents.kind import ContextModel, Items, context_day
from services.documents.layout import DocumentMeta, Section, Table

AGENT_PENDING = "待指派"
AGENT_ROLE = "代办专员"  # the label the agent's name is printed under (a display name may carry it too)

ITEMS_HEADER = ("序号", "事项", "审批部门", "代办方式")

# the terms every mandate carries; the continuation says they still apply
FREE_SERVICE = "自愿委托、无偿服务"
NOT_TAKING_OVER = "帮办代办不包办、服务到位不越位"


# --- the context -----------------------------------------------------------------------------


class MandateItem(ContextModel):
    code: str = Field(description="the 代办事项's code in the published catalogue")
    name: str = Field(description="the approval item, e.g. 建设工程规划许可证核发")
    department: str = Field(description="审批部门")
    mode: str = Field(description="代办方式, e.g. 全程代办 / 协助办理")


class MandateCase(ContextModel):
    case_no: str
    title: str
    status_zh: str = Field(description="the case's status in words")


class MandateContext(ContextModel):
    """The keys all four mandate documents carry."""

    number: str = Field(description="文号, e.g. 东莞绿通代委〔2026〕第0007号")
    issuer: str = Field(description="代办服务中心 that issues the text")
    issued_on: date = Field(description="date the text is generated; also the files' created date")
    verification_code: str = Field(description="查验码")
    enterprise_name: str = Field(description="委托方 (the enterprise)")
    uscc: str = Field(description="its 统一社会信用代码")
    legal_representative: str = Field(description="its 法定代表人")
    contact_name: str = Field(description="its contact person")
    contact_phone: str
    project_name: str = Field(description="project the approvals are for")
    agency: str = Field(description="受托方, the agency service centre")
    agent_name: str = Field(description="代办专员; empty prints 待指派")
    agent_phone: str = Field(description="the agent's phone; empty prints none")
    items: Items[MandateItem] = Field(min_length=1, description="the delegated 代办事项")
    all_items: bool = Field(description="the whole published catalogue was delegated (全部事项)")
    valid_from: date = Field(description="委托期限 start")
    valid_until: date = Field(description="委托期限 end, not before valid_from")

    @field_validator("valid_until")
    @classmethod
    def _period_runs_forwards(cls, value: date, info: ValidationInfo) -> date:
        start = context_day(info, "valid_from")
        if start and start > value:
            raise ValueError("valid_from must not be after valid_until")
        return value


def not_before_start(value: date, info: ValidationInfo) -> date:
    """A date of the mandate's life (termination, completion) that cannot precede ``valid_from``."""
    start = context_day(info, "valid_from")
    if start and value < start:
        raise ValueError(f"{info.field_name} must not be before valid_from")
    return value


# --- formatting -------------------------------------------------------------------------------


def clause(text: str) -> str:
    """A reason set inside a sentence ("因……，"): no final punctuation."""
    return text.strip().rstrip("。；，！？.;,")


def agent_text(ctx: Mapping) -> str:
    """``"王敏（联系电话：0769-2288 1234）"``, ``"王敏"`` or ``"待指派"`` (printed after the label 代办专员)."""
    name = without_role(AGENT_ROLE, ctx["agent_name"])
    if not name:
        return AGENT_PENDING
    phone = ctx["agent_phone"].strip()
    return f"{name}（联系电话：{phone}）" if phone else name


def agent_signature(ctx: Mapping) -> str:
    return f"{AGENT_ROLE}：{without_role(AGENT_ROLE, ctx['agent_name']) or AGENT_PENDING}"


def period_text(ctx: Mapping) -> str:
    return f"自{format_date_zh(ctx['valid_from'])}起至{format_date_zh(ctx['valid_until'])}止"


def mandate_ref(ctx: Mapping) -> str:
    """The original 委托书, for the continuation, termination and completion."""
    return f"《代办服务委托书》（{ctx['original_number']}）"


def parties_section(heading: str, ctx: Mapping) -> Section:
    return Section(heading, layout.labelled((
        ("委托方", ce.enterprise_text(ctx)),
        ("法定代表人", ctx["legal_representative"]),
        ("联系人", f"{ctx['contact_name']}（联系电话：{ctx['contact_phone']}）"),
        ("受托方", ctx["agency"]),
        ("代办专员", agent_text(ctx)),
        ("项目名称", ctx["project_name"]),
    )))


def items_intro(ctx: Mapping, verb: str = "委托受托方代办") -> str:
    """The sentence before the items table; ``all_items`` names the whole catalogue."""
    n = len(ctx["items"])
    if ctx["all_items"]:
        return (f"委托方将{ctx['project_name']}涉及的全部事项（以绿色通道公布的代办事项目录为准，共{n}项）"
                f"{verb}，具体如下：")
    return f"委托方将{ctx['project_name']}的下列{n}项审批事项{verb}："


def items_table(items: Sequence[Mapping]) -> Table:
    rows = tuple(
        (str(i), f"{item['name']}\n（{item['code']}）", item["department"], item["mode"])
        for i, item in enumerate(items, start=1)
    )
    return Table(ITEMS_HEADER, rows, (1.4, 7.0, 4.4, 2.8), (True, False, False, True))


def two_party_signatures(ctx: Mapping, enterprise_label: str = "委托方（盖章）：",
                         enterprise_signer: str = "法定代表人或授权代表（签字）：") -> tuple[tuple[str, ...], ...]:
    """委托方 left (signed by hand), 受托方 right (sealed on ``issued_on``)."""
    return (
        (enterprise_label, ctx["enterprise_name"], enterprise_signer, f"日期：{layout.BLANK_DATE}"),
        ("受托方（盖章）：", ctx["agency"], agent_signature(ctx), f"日期：{format_date_zh(ctx['issued_on'])}"),
    )


def meta(title: str, ctx: Mapping) -> DocumentMeta:
    return layout.make_meta(title, ctx, f"{ctx['project_name']} {ctx['enterprise_name']}")
