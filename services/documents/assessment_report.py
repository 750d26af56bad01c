"""标准地预评估报告 (standard-land pre-assessment report): the result of checking a project against
a parcel's control indicators, the regional assessments it may reuse and the energy-review
thresholds, together with the department's decision.

The rules' output (``Evaluation.result``, see the standard-land contract) is printed as stored:
the arithmetic texts, verdicts and reasons come from the rules, so the report shows the numbers
the decision was made on. The view is the shared
:class:`~services.documents.layout.SectionedView`.

Context: :class:`AssessmentReportContext`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal

from docx.document import Document
from pydantic import Field

from services.core.formatting import format_area, format_date_zh, format_datetime_zh, format_wan_yuan, rule_set_zh
from services.documents import layout
from services.documents.kind import ContextModel, DecimalText, DocumentKind, Items
from services.documents.layout import Section, SectionedView, Table

KIND = "assessment_report"
TITLE = "标准地预评估报告"
NUMBER_WORD = "评"
TEMPLATE = "sectioned.html"

_ENERGY_LEVELS = {
    "none": "无需单独进行节能审查",
    "local": "需单独进行节能审查，由地市级节能审查机关审查",
    "provincial": "需单独进行节能审查，由省级节能审查机关审查",
}
_DECISIONS = {"approve": "同意该项目通过标准地预评估"}

INDICATOR_HEADER = ("指标", "控制值", "计划值", "测算", "结论")
_VERDICTS = ("pass", "at_risk", "fail")


class Indicator(ContextModel):
    name_zh: str
    unit: str
    threshold_text: str = Field(description="控制值, e.g. ≥ 180 万元/亩")
    measured_at_zh: str = Field(description="考核节点")
    planned: str = Field(description="the project's planned value")
    verdict: Literal["pass", "at_risk", "fail"]
    verdict_zh: str
    arithmetic: str = Field(description="the rule's arithmetic, printed as 测算")


class RegionalAssessment(ContextModel):
    code: str
    name: str
    authority: str
    valid_from: str = Field(description="ISO date")
    valid_until: str | None = Field(description="ISO date; None: valid without end")
    conditions: str = Field(description="conditions of reuse")
    reusable: bool
    reasons: Items[str]


class Energy(ContextModel):
    annual_energy_tce: DecimalText | None
    annual_electricity_kwh: DecimalText | None
    needed: bool = Field(description="a separate 节能审查 is needed")
    level: Literal["none", "local", "provincial"] = Field(description="who reviews (see _ENERGY_LEVELS)")
    reason: str


class Proposal(ContextModel):
    result_zh: str
    reasons: Items[str]


class Evaluation(ContextModel):
    """``Evaluation.result`` as the standard-land rules store it."""

    rules_version: str
    margin: DecimalText = Field(description="临界余量 as a fraction")
    indicators: Items[Indicator] = Field(min_length=1)
    assessments: Items[RegionalAssessment] = Field(description="区域评估成果; may be empty")
    energy: Energy
    proposal: Proposal


class Decision(ContextModel):
    kind: Literal["approve"] = Field(description="only an approval issues the report")
    reviewer: str
    department: str
    decided_at: datetime
    reasons: str


class AssessmentReportContext(layout.CaseDocumentContext):
    application_title: str = Field(description="without 《》, e.g. 标准地预评估申请")
    parcel: layout.Parcel
    industry_code: str = Field(description="GB/T 4754 code")
    industry_name: str
    total_investment_wan: DecimalText = Field(description="total investment in 万元")
    land_area_mu: DecimalText = Field(description="land the project asks for, in 亩")
    evaluation: Evaluation
    evaluated_at: datetime = Field(description="when the rules ran")
    decision: Decision


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    evaluation = ctx["evaluation"]
    return SectionedView(
        meta=layout.make_meta(TITLE, ctx, f"{ctx['application_title']} {ctx['case_no']}"),
        issuer=ctx["issuer"],
        title=TITLE,
        subtitle="",
        number=ctx["number"],
        draft_note="",
        addressee="",
        preamble=(_preamble(ctx),),
        sections=(
            Section("一、项目与地块概况", _overview(ctx)),
            _indicator_section(evaluation),
            Section("三、区域评估成果复用", _reuse_lines(evaluation["assessments"])),
            Section("四、节能审查", _energy_lines(evaluation["energy"])),
            Section("五、预评估结论与审查意见", _conclusion_lines(evaluation["proposal"], ctx["decision"])),
        ),
        closing=(),
        signatures=((ctx["issuer"], "（盖章）", format_date_zh(ctx["issued_on"])),),
        verification=layout.verification_line(ctx, "报告"),
        notes=("注：本报告为标准地出让前的预评估意见，不替代相关行政许可；项目建设以国有建设用地使用权出让合同、"
               "履约监管协议的约定及有关部门的审批结果为准。",),
    )


def _preamble(ctx: Mapping) -> str:
    parcel = ctx["parcel"]
    return (
        f"根据{ctx['enterprise_name']}（统一社会信用代码：{ctx['uscc']}）提交的《{ctx['application_title']}》"
        f"（案件编号 {ctx['case_no']}），本机关于{format_datetime_zh(ctx['evaluated_at'])}对照{parcel['base_name']}"
        f"{parcel['number']}号宗地的“标准地”控制指标、区域评估成果及节能审查有关规定，对该项目进行了预评估"
        f"（评估规则：{rule_set_zh(ctx['evaluation']['rules_version'])}）。现将评估情况报告如下："
    )


def _overview(ctx: Mapping) -> tuple[str, ...]:
    return layout.labelled((
        ("项目名称", ctx["project_name"]),
        ("申请单位", f"{ctx['enterprise_name']}（统一社会信用代码：{ctx['uscc']}）"),
        ("所属行业", layout.industry_text(ctx)),
        ("项目总投资", format_wan_yuan(ctx["total_investment_wan"])),
        ("拟用地面积", format_area(ctx["land_area_mu"])),
        *layout.parcel_fields(ctx["parcel"]),
    ))


def _indicator_section(evaluation: Mapping) -> Section:
    indicators = evaluation["indicators"]
    margin = layout.percent(evaluation["margin"], 0)
    rows = tuple(
        (f"{item['name_zh']}\n（{item['measured_at_zh']}）", item["threshold_text"],
         layout.with_unit(item["planned"], item["unit"]), item["arithmetic"],
         item["verdict_zh"].replace("（", "\n（", 1))
        for item in indicators
    )
    table = Table(INDICATOR_HEADER, rows, (3.3, 2.5, 2.3, 5.3, 2.2), (False, True, True, False, True), compact=True)
    counts = {verdict: sum(item["verdict"] == verdict for item in indicators) for verdict in _VERDICTS}
    summary = (f"共评估控制指标{len(indicators)}项，其中符合{counts['pass']}项，临界（有风险）{counts['at_risk']}项，"
               f"不符合{counts['fail']}项。")
    explain = (f"“临界（有风险）”指计划值虽满足控制值，但与控制值的差距在临界余量{margin}以内，"
               "项目实施中计划值稍有变动即可能不满足要求，应在履约监管中重点关注。")
    intro = "将项目计划值逐项与宗地控制指标对照，测算结果如下："
    return Section("二、控制指标评估", (intro,), table, (summary, explain))


def _reuse_lines(assessments: Sequence[Mapping]) -> tuple[str, ...]:
    usable = [a for a in assessments if a["reusable"]]
    unusable = [a for a in assessments if not a["reusable"]]
    return (
        f"（一）可复用的区域评估成果（{len(usable)}项）：",
        *layout.numbered(f"{_assessment_name(a)}。复用条件：{layout.clause(a['conditions']) or '无特别条件'}；"
                         f"核查情况：{layout.sentence(layout.joined(a['reasons']))}" for a in usable),
        f"（二）不可复用的区域评估成果（{len(unusable)}项）：",
        *layout.numbered(f"{_assessment_name(a)}。不可复用原因：{layout.sentence(layout.joined(a['reasons']))}"
                         for a in unusable),
        "对可复用的评估事项，项目不再单独评估或按告知承诺方式办理，但应遵守上述复用条件；对不可复用的评估事项，"
        "申请人应按规定单独办理。",
    )


def _assessment_name(a: Mapping) -> str:
    since = layout.iso_date_zh(a["valid_from"])
    validity = (f"有效期{since}至{layout.iso_date_zh(a['valid_until'])}" if a["valid_until"]
                else f"自{since}起长期有效")
    return f"{a['name']}（编号 {a['code']}，{a['authority']}，{validity}）"


def _energy_lines(energy: Mapping) -> tuple[str, ...]:
    tce, kwh = energy["annual_energy_tce"], energy["annual_electricity_kwh"]
    return (
        f"年综合能源消费量：{layout.grouped(tce) + '吨标准煤' if tce is not None else '未申报'}；"
        f"年电力消费量：{layout.grouped(kwh) + '千瓦时' if kwh is not None else '未申报'}。",
        f"审查结论：{_ENERGY_LEVELS[energy['level']]}。理由：{layout.sentence(energy['reason'])}",
    )


def _conclusion_lines(proposal: Mapping, decision: Mapping) -> tuple[str, ...]:
    return (
        f"（一）预评估结论：{proposal['result_zh']}。",
        *layout.numbered(layout.sentence(reason) for reason in proposal["reasons"]),
        f"（二）审查意见：经{decision['department']}审查，{_DECISIONS[decision['kind']]}。{layout.sentence(decision['reasons'])}",
        f"审查人：{decision['reviewer']}；审查时间：{format_datetime_zh(decision['decided_at'])}。",
    )


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the report into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=AssessmentReportContext)
