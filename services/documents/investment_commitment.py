"""投资建设承诺书 (investment-and-construction commitment letter): the enterprise's unilateral
commitment to a 标准地 parcel's control indicators, milestones and liabilities (DOMAIN §2.4 items
1–4 and 6), made to the supervising body before the 履约监管协议 is signed.

Its layout is the shared sectioned view of :mod:`services.documents.layout`.

Context: :class:`InvestmentCommitmentContext`.
"""

from __future__ import annotations

from collections.abc import Mapping

from docx.document import Document

from services.core.formatting import format_wan_yuan
from services.documents.kind import DocumentKind
from services.documents.layout import (
    BLANK_DATE,
    CN_NUM,
    Section,
    SectionedView,
    StandardLandTerms,
    build_sectioned_docx,
    commitment_table,
    damages_text,
    industry_text,
    labelled,
    make_meta,
    milestone_lines,
    parcel_fields,
    verification_line,
)

KIND = "investment_commitment"
TITLE = "投资建设承诺书"
NUMBER_WORD = "诺"
TEMPLATE = "sectioned.html"

# --- the commitment letter --------------------------------------------------------------------

class InvestmentCommitmentContext(StandardLandTerms):
    """The letter states the shared standard-land terms and nothing else."""


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    return SectionedView(
        meta=make_meta(TITLE, ctx, f"{ctx['project_name']} {ctx['parcel']['number']} {ctx['case_no']}"),
        issuer="",
        title=TITLE,
        subtitle="",
        number=ctx["number"],
        draft_note="",
        addressee=f"{ctx['supervisor']}：",
        preamble=(_preamble(ctx),),
        sections=(
            Section("一、项目基本情况", _project_lines(ctx)),
            Section("二、控制指标承诺", ("本单位承诺项目达到下列控制指标，并按所列考核节点接受核验：",),
                    commitment_table(ctx["commitments"]),
                    ("上述指标按本宗地“标准地”控制指标的口径计算；承诺值低于国家、省、市规定标准的，按规定标准执行。",)),
            Section("三、建设期限承诺", milestone_lines(ctx)),
            Section("四、接受对标核验", _verification_lines(ctx)),
            Section("五、违约责任", _liability_lines(ctx)),
            Section("六、其他", (
                "本承诺书自本单位盖章、法定代表人签字之日起生效，作为履约监管协议及国有建设用地使用权出让合同的组成部分；"
                "本单位对承诺内容的真实性负责，并同意将本承诺书及履约情况依法公开。",
            )),
        ),
        closing=(),
        signatures=((f"承诺单位（盖章）：{ctx['enterprise_name']}", "法定代表人（签字）：", f"日期：{BLANK_DATE}"),),
        verification=verification_line(ctx, "承诺书"),
        sign_centered=False,
    )


def _preamble(ctx: Mapping) -> str:
    parcel = ctx["parcel"]
    return (
        f"本单位{ctx['enterprise_name']}（统一社会信用代码：{ctx['uscc']}，法定代表人：{ctx['legal_representative']}）"
        f"拟在{parcel['base_name']}{parcel['number']}号宗地投资建设{ctx['project_name']}（案件编号 {ctx['case_no']}）。"
        "为落实“标准地”企业承诺、信用评价和数据应用的全过程监管要求，本单位自愿作出如下承诺："
    )


def _project_lines(ctx: Mapping) -> tuple[str, ...]:
    return labelled((
        ("项目名称", ctx["project_name"]),
        *parcel_fields(ctx["parcel"]),
        ("所属行业", industry_text(ctx)),
        ("项目总投资", format_wan_yuan(ctx["total_investment_wan"])),
    ))


def _verification_lines(ctx: Mapping) -> tuple[str, ...]:
    return (
        f"（一）对标验收：项目竣工后，本单位申请结合竣工联合验收进行对标验收，如实提供经审计的固定资产投资专项审计报告、"
        f"规划核实资料等，接受{ctx['supervisor']}对容积率、建筑密度、固定资产投资强度等竣工验收时考核指标的核验。",
        f"（二）达产复核：投产初始运行期（{ctx['initial_operating_years']}年）期满后，本单位接受对亩均税收、亩均产值等"
        "指标的达产复核；税收以税务部门出具的完税证明为准，产值以统计部门数据为准，能耗以能源计量及供电、供气部门数据为准，"
        "研发投入以经审计的财务报表为准。",
        "（三）本单位按要求如实报送数据，配合现场核查；因本单位原因拒不报送或提供虚假资料的，视为相应指标未达到承诺值。",
    )


def _liability_lines(ctx: Mapping) -> tuple[str, ...]:
    liability = ctx["liability"]
    lines = [
        f"（一）经核验未达到承诺值的，本单位在收到整改通知之日起{liability['rectification_months']}个月内完成整改，"
        "整改期满后接受复核。",
        f"（二）整改期满仍未达到的，本单位按下列方式承担违约金：{damages_text(liability)}。",
        "（三）本单位自愿放弃相应的产业扶持、奖励等优惠政策，已享受的予以退还。",
    ]
    if liability["credit_record"]:
        lines.append("（四）本单位同意将未履行承诺的情况纳入企业信用记录，并接受相应的信用惩戒。")
    lines.append(f"（{CN_NUM[len(lines) + 1]}）超过约定开工日期未动工的，本单位接受按照《闲置土地处置办法》"
                 "（国土资源部令第53号）的规定处置。")
    return tuple(lines)



def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the letter into an empty document made by :func:`docx_builder.new_document`."""
    build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=InvestmentCommitmentContext)
