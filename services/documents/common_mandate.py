"""Shared pieces of the 代办 (agency service) mandate documents: the context keys all four carry,
their checks, and the parties, items and signature lines more than one of them prints.

The mandate documents (``mandate_letter`` 委托书, ``mandate_continuation`` 续办委托书,
``mandate_termination`` 终止单, ``mandate_completion`` 办结单) use the standard-land documents'
:class:`~services.documents.layout.SectionedView` and its DOCX builder. This module
does not assign agents, count working days or track cases: the caller passes the results in.

Common context (a plain dict; all keys required):

=======================  ==========  ========================================================
key                      type        meaning
=======================  ==========  ========================================================
number                   str         文号, e.g. ``"东莞绿通代委〔2026〕第0007号"``
issuer                   str         代办服务中心 that issues the text
issued_on                date        date the text is generated; also the file's created date
verification_code        str         查验码
enterprise_name          str         委托方 (the enterprise)
uscc                     str         its 统一社会信用代码
legal_representative     str         its 法定代表人
contact_name             str         its contact person
contact_phone            str         the contact's phone
project_name             str         project the approvals are for
agency                   str         受托方, the agency service centre
agent_name               str         代办专员; ``""`` prints 待指派
agent_phone              str         the agent's phone; ``""`` prints none
items                    list        ``[{"code", "name", "department", "mode"}]``, all str, at least
                                     one: the delegated 代办事项; ``mode`` e.g. 全程代办 / 协助办理
all_items                bool        the whole published catalogue was delegated (全部事项)
valid_from               date        委托期限 start
valid_until              date        委托期限 end, ≥ ``valid_from``
=======================  ==========  ========================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from services.core.formatting import format_date_zh
from services.documents import common_eia as ce
from services.documents import layout
from services.documents.layout import DocumentMeta, Section, Table

AGENT_PENDING = "待指派"

COMMON_TYPES: dict[str, layout.TypeSpec] = {
    "number": str,
    "issuer": str,
    "issued_on": date,
    "verification_code": str,
    "enterprise_name": str,
    "uscc": str,
    "legal_representative": str,
    "contact_name": str,
    "contact_phone": str,
    "project_name": str,
    "agency": str,
    "agent_name": str,
    "agent_phone": str,
    "items": (list, tuple),
    "all_items": bool,
    "valid_from": date,
    "valid_until": date,
}
ITEM_TYPES: dict[str, layout.TypeSpec] = {"code": str, "name": str, "department": str, "mode": str}
CASE_TYPES: dict[str, layout.TypeSpec] = {"case_no": str, "title": str, "status_zh": str}
ITEMS_HEADER = ("序号", "事项", "审批部门", "代办方式")

# the terms every mandate carries; the continuation says they still apply
FREE_SERVICE = "自愿委托、无偿服务"
NOT_TAKING_OVER = "帮办代办不包办、服务到位不越位"


# --- context checks ---------------------------------------------------------------------------


def day(value: object) -> date | None:
    """A date to compare, or None for a datetime or anything else (reported as mistyped elsewhere)."""
    return value if isinstance(value, date) and not isinstance(value, datetime) else None


def common_problems(ctx: Mapping, types: Mapping[str, layout.TypeSpec]) -> list[str]:
    """The common keys plus the kind's own: types, the items, the 委托期限's order."""
    problems = layout.type_problems(ctx, {**COMMON_TYPES, **types})
    problems += layout.list_problems(ctx, "items", ITEM_TYPES)
    problems += ce.order_problems(("valid_from", day(ctx.get("valid_from")),
                                   "valid_until", day(ctx.get("valid_until"))))
    return problems


def not_blank_problems(ctx: Mapping, *keys: str) -> list[str]:
    """str keys that must say something (a reason); their absence is reported elsewhere."""
    return [f"{key} must not be empty" for key in keys if isinstance(ctx.get(key), str) and not ctx[key].strip()]


def on_or_after_start_problems(ctx: Mapping, key: str) -> list[str]:
    """A date of the mandate's life (termination, completion) that cannot precede ``valid_from``."""
    start, value = day(ctx.get("valid_from")), day(ctx.get(key))
    if start and value and value < start:
        return [f"{key} must not be before valid_from"]
    return []


def case_problems(ctx: Mapping) -> list[str]:
    """``cases``: a list (may be empty) of dicts with str ``case_no``, ``title`` and ``status_zh``."""
    return layout.list_problems(ctx, "cases", CASE_TYPES, min_items=0)


# --- formatting -------------------------------------------------------------------------------


def clause(text: str) -> str:
    """A reason set inside a sentence ("因……，"): no final punctuation."""
    return text.strip().rstrip("。；，！？.;,")


def agent_text(ctx: Mapping) -> str:
    """``"王敏（联系电话：0769-2288 1234）"``, ``"王敏"`` or ``"待指派"``."""
    name = ctx["agent_name"].strip()
    if not name:
        return AGENT_PENDING
    phone = ctx["agent_phone"].strip()
    return f"{name}（联系电话：{phone}）" if phone else name


def agent_signature(ctx: Mapping) -> str:
    return f"代办专员：{ctx['agent_name'].strip() or AGENT_PENDING}"


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
