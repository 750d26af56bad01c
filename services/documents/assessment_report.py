"""标准地预评估报告 (standard-land pre-assessment report): the result of checking a project against
a parcel's control indicators, the regional assessments it may reuse and the energy-review
thresholds, together with the department's decision.

The rules' output (``Evaluation.result``, see the standard-land contract) is printed as stored:
the arithmetic texts, verdicts and reasons come from the rules, so the report shows the numbers
the decision was made on. The view is the shared
:class:`~services.documents.layout.SectionedView`.

Context (a plain dict; all keys required):

=====================  ==========  ==========================================================
key                    type        meaning
=====================  ==========  ==========================================================
number                 str         文号, e.g. ``"东莞绿通评〔2026〕第0001号"``
issuer                 str         issuing body
issued_on              date        date under the seal; also the file's created date
enterprise_name        str         applicant enterprise
uscc                   str         its 统一社会信用代码
case_no                str         case number
project_name           str         project name
verification_code      str         查验码
application_title      str         without 《》, e.g. ``"标准地预评估申请"``
parcel                 dict        as in ``investment_commitment``
industry_code          str         GB/T 4754 code
industry_name          str         its name
total_investment_wan   str         total investment in 万元, decimal string
land_area_mu           str         land the project asks for, in 亩, decimal string
evaluation             dict        ``Evaluation.result``: ``rules_version``, ``margin``,
                                   ``indicators``, ``assessments``, ``energy``, ``proposal``
evaluated_at           datetime    when the rules ran
decision               dict        ``{"kind": "approve", "reviewer", "department",
                                   "decided_at": datetime, "reasons": str}``
=====================  ==========  ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from docx.document import Document

from services.core.formatting import format_area, format_date_zh, format_datetime_zh, format_wan_yuan
from services.documents import layout
from services.documents.kind import DocumentKind
from services.documents.layout import Section, SectionedView, Table

KIND = "assessment_report"
TITLE = "标准地预评估报告"
NUMBER_WORD = "评"
TEMPLATE = "sectioned.html"

_TYPES: dict[str, layout.TypeSpec] = {
    "application_title": str,
    "parcel": Mapping,
    "industry_code": str,
    "industry_name": str,
    "total_investment_wan": str,
    "land_area_mu": str,
    "evaluation": Mapping,
    "evaluated_at": datetime,
    "decision": Mapping,
}
_EVALUATION_TYPES: dict[str, layout.TypeSpec] = {
    "rules_version": str, "margin": str, "indicators": (list, tuple), "assessments": (list, tuple),
    "energy": Mapping, "proposal": Mapping,
}
_INDICATOR_TYPES: dict[str, layout.TypeSpec] = {
    "name_zh": str, "unit": str, "threshold_text": str, "measured_at_zh": str, "planned": str, "verdict": str,
    "verdict_zh": str, "arithmetic": str,
}
_ASSESSMENT_TYPES: dict[str, layout.TypeSpec] = {
    "code": str, "name": str, "authority": str, "valid_from": str, "valid_until": (str, type(None)),
    "conditions": str, "reusable": bool, "reasons": (list, tuple),
}
_ENERGY_TYPES: dict[str, layout.TypeSpec] = {
    "annual_energy_tce": (str, type(None)), "annual_electricity_kwh": (str, type(None)), "needed": bool,
    "level": str, "reason": str,
}
_PROPOSAL_TYPES: dict[str, layout.TypeSpec] = {"result_zh": str, "reasons": (list, tuple)}
_DECISION_TYPES: dict[str, layout.TypeSpec] = {
    "kind": str, "reviewer": str, "department": str, "decided_at": datetime, "reasons": str,
}
_VERDICTS = ("pass", "at_risk", "fail")
_ENERGY_LEVELS = {
    "none": "无需单独进行节能审查",
    "local": "需单独进行节能审查，由地市级节能审查机关审查",
    "provincial": "需单独进行节能审查，由省级节能审查机关审查",
}
_DECISIONS = {"approve": "同意该项目通过标准地预评估"}

INDICATOR_HEADER = ("指标", "控制值", "计划值", "测算", "结论")


def validate(ctx: Mapping) -> None:
    """Raise ``ValueError`` naming every missing or mistyped key, nested keys included."""
    problems = layout.common_problems(ctx, _TYPES)
    problems += layout.decimal_problems({"land_area_mu": ctx.get("land_area_mu")})
    problems += _evaluation_problems(ctx)
    problems += layout.mapping_problems(ctx, "decision", _DECISION_TYPES)
    decision = ctx.get("decision")
    if isinstance(decision, Mapping) and isinstance(decision.get("kind"), str) and decision["kind"] not in _DECISIONS:
        problems.append(f"decision.kind must be one of {sorted(_DECISIONS)}, not {decision['kind']!r}")
    layout.raise_problems(KIND, problems)


def _evaluation_problems(ctx: Mapping) -> list[str]:
    problems = layout.mapping_problems(ctx, "evaluation", _EVALUATION_TYPES)
    evaluation = ctx.get("evaluation")
    if not isinstance(evaluation, Mapping):
        return problems
    prefix = "evaluation."
    problems += layout.decimal_problems({"evaluation.margin": evaluation.get("margin")})
    problems += layout.list_problems(evaluation, "indicators", _INDICATOR_TYPES, prefix=prefix)
    problems += layout.list_problems(evaluation, "assessments", _ASSESSMENT_TYPES, min_items=0, prefix=prefix)
    problems += layout.mapping_problems(evaluation, "energy", _ENERGY_TYPES, prefix=prefix)
    problems += layout.mapping_problems(evaluation, "proposal", _PROPOSAL_TYPES, prefix=prefix)
    for i, item in enumerate(_dicts(evaluation.get("indicators"))):
        if item.get("verdict") not in _VERDICTS:
            problems.append(f"evaluation.indicators[{i}].verdict must be one of {list(_VERDICTS)}")
    for i, item in enumerate(_dicts(evaluation.get("assessments"))):
        problems += layout.str_list_problems(item, "reasons", prefix=f"evaluation.assessments[{i}].")
    if isinstance(evaluation.get("proposal"), Mapping):
        problems += layout.str_list_problems(evaluation["proposal"], "reasons", prefix="evaluation.proposal.")
    energy = evaluation.get("energy")
    if isinstance(energy, Mapping):
        if energy.get("level") not in _ENERGY_LEVELS:
            problems.append(f"evaluation.energy.level must be one of {list(_ENERGY_LEVELS)}")
        problems += layout.decimal_problems({f"evaluation.energy.{k}": energy.get(k)
                                         for k in ("annual_energy_tce", "annual_electricity_kwh")})
    return problems


def _dicts(value: object) -> list[Mapping]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, (list, tuple)) else []


def prepare(ctx: Mapping) -> SectionedView:
    """Context → view. Deterministic: depends on ``ctx`` only."""
    validate(ctx)
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
        f"（评估规则版本 {ctx['evaluation']['rules_version']}）。现将评估情况报告如下："
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
        *layout.numbered(f"{_assessment_name(a)}。复用条件：{a['conditions'] or '无特别条件'}；"
                     f"核查情况：{layout.sentence('；'.join(a['reasons']))}" for a in usable),
        f"（二）不可复用的区域评估成果（{len(unusable)}项）：",
        *layout.numbered(f"{_assessment_name(a)}。不可复用原因：{layout.sentence('；'.join(a['reasons']))}"
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
                        build_docx=build_docx)
