"""建设项目环境影响评价文件审批决定 (EIA approval decision) for a 环境影响报告表 or 报告书, on the
commitment route (告知承诺制审批) or the normal route (DOMAIN §3.4–§3.6, §7).

The decision approves construction, lists the conditions attached (pollution controls, total-emission
quotas, 三同时, discharge permit before operation …), and, for a commitment-route approval, says
when the post-approval check (事中事后核查) is due and that a false commitment revokes it. It ends
with the applicant's rights to administrative review (60 days) and litigation (6 months).

The view is the shared :class:`~services.documents.layout.SectionedView`. This
module does not schedule the post-check or decide anything: the caller passes the results in.

Context: :class:`EiaDecisionContext`.
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
from services.documents.kind import DayOrNone, DocumentKind, Items, context_day
from services.documents.layout import Section, SectionedView

KIND = "eia_decision"
TITLE = "建设项目环境影响评价文件审批决定"
ANNOTATION = "（此件公开发布）"  # 附注: approval decisions on EIA documents are published (环评审批信息公开)
NUMBER_WORD = "环审"
TEMPLATE = "sectioned.html"

DISPLAY_TITLE = "建设项目环境影响评价文件\n审批决定"  # two lines: 16 letter-spaced characters overflow one
ROUTES = {"commitment": "告知承诺制审批", "normal": "一般程序审批"}
REVOCATION = "承诺不实或不符合告知承诺制条件的，依法撤销审批决定并纳入失信记录"

class EiaDecisionContext(ce.EiaContext):
    route: Literal["commitment", "normal"] = Field(description="告知承诺制 or 一般程序")
    level_zh: ce.Level
    site: str = Field(description="建设地点")
    scale: str = Field(description="建设规模, e.g. 年产智能传感器500万件")
    conditions: Items[str] = Field(min_length=1, description="conditions of the approval")
    decided_on: date = Field(description="date of the decision (under the seal), not after issued_on")
    post_check_due: DayOrNone = Field(description="事中事后核查 due date: a date on the commitment route, None on "
                                                  "the normal route")
    revocation: bool = Field(description="print the revocation clause (commitment route only)")
    positive_list_note: str = ce.POSITIVE_LIST_NOTE

    @field_validator("decided_on")
    @classmethod
    def _decided_before(cls, value: date, info: ValidationInfo) -> date:
        if (issued := context_day(info, "issued_on")) and value > issued:
            raise ValueError("decided_on must not be after issued_on")
        if (due := context_day(info, "post_check_due")) and value > due:
            raise ValueError("decided_on must not be after post_check_due")
        return value

    @field_validator("post_check_due")
    @classmethod
    def _post_check_on_commitment_route(cls, value: date | None, info: ValidationInfo) -> date | None:
        route = (info.context or {}).get("route")
        if route == "commitment" and value is None:
            raise ValueError("post_check_due is required on the commitment route")
        if route == "normal" and value is not None:
            raise ValueError("post_check_due must be None on the normal route")
        return value

    @field_validator("revocation")
    @classmethod
    def _revocation_on_commitment_route(cls, value: bool, info: ValidationInfo) -> bool:
        if value and (info.context or {}).get("route") == "normal":
            raise ValueError("revocation applies to commitment-route approvals only")
        return value


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    commitment = ctx["route"] == "commitment"
    return SectionedView(
        meta=layout.make_meta(TITLE, ctx, f"{ctx['project_name']} {ctx['level_zh']} {ctx['case_no']}"),
        issuer=ctx["authority"],
        title=DISPLAY_TITLE,
        subtitle="（告知承诺制审批）" if commitment else "",
        number=ctx["number"],
        draft_note="",
        addressee=ce.addressee(ctx),
        preamble=(_preamble(ctx),),
        sections=(
            Section("一、项目概况", _basics(ctx)),
            Section("二、审批意见", _opinion(ctx)),
            Section("三、建设单位应当落实的要求", (
                "你单位应当向社会公众主动公开经批准的环境影响评价文件，并重点做好以下工作：",
                *ce.enumerated(ctx["conditions"]),
            )),
            Section("四、监督管理", _supervision(ctx)),
            Section("五、权利告知", (
                "你单位如对本决定不服，可以自收到本决定之日起六十日内依法申请行政复议，"
                "也可以自收到本决定之日起六个月内依法向人民法院提起行政诉讼。",
            )),
        ),
        closing=(),
        signatures=ce.sealed_by(ctx["authority"], ctx["decided_on"]),
        annotation=ANNOTATION,
        verification=layout.verification_line(ctx, "审批决定"),
    )


def _preamble(ctx: Mapping) -> str:
    documents = f"《{ctx['project_name']}{ctx['level_zh']}》"
    if ctx["route"] == "commitment":
        return (
            f"你单位报送的{documents}及《建设项目环境影响评价告知承诺书》（案件编号 {ctx['case_no']}）收悉。"
            f"经审查（告知承诺制审批），该项目符合环境影响评价文件告知承诺制审批条件，你单位已作出相应承诺。"
            f"根据{ce.EIA_LAW}等有关规定，现作出审批决定如下："
        )
    return (
        f"你单位报送的{documents}（案件编号 {ctx['case_no']}）收悉。经审查，根据{ce.EIA_LAW}等有关规定，"
        "现作出审批决定如下："
    )


def _basics(ctx: Mapping) -> tuple[str, ...]:
    return layout.labelled((
        ("项目名称", ctx["project_name"]),
        ("建设单位", ce.enterprise_text(ctx)),
        ("建设地点", ctx["site"]),
        ("建设规模", ctx["scale"]),
        ("环境影响评价文件类别", ctx["level_zh"]),
        ("审批方式", ROUTES[ctx["route"]]),
        *((("告知承诺制正面清单", ctx["positive_list_note"]),)
          if ctx["route"] == "commitment" and ctx.get("positive_list_note") else ()),
    ))


def _opinion(ctx: Mapping) -> tuple[str, ...]:
    level = ctx["level_zh"]
    return (
        f"该项目在全面落实{level}提出的各项污染防治、生态保护和环境风险防范措施，并确保污染物稳定达标排放的前提下，"
        "对环境的不利影响能够得到缓解和控制。",
        f"从生态环境保护角度，同意该项目按照{level}所列建设项目的性质、规模、地点、生产工艺和环境保护对策措施进行建设。",
    )


def _supervision(ctx: Mapping) -> tuple[str, ...]:
    lines = [f"（一）{ce.major_change_clause('环境影响评价文件')}。"]
    if ctx["route"] == "commitment":
        lines.append(f"（二）本项目为告知承诺制审批项目。本机关将于{format_date_zh(ctx['post_check_due'])}前对环境影响评价文件"
                     "质量及承诺履行情况开展事中事后核查，你单位应当如实提供有关资料并配合核查。")
        if ctx["revocation"]:
            lines.append(f"（三）经核查，{REVOCATION}；由此产生的法律责任和经济损失由你单位承担。")
    else:
        lines.append("（二）项目建设和运行期间，本机关及属地生态环境部门依法对你单位落实本审批决定的情况进行监督检查。")
    return tuple(lines)


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the decision into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=EiaDecisionContext)
