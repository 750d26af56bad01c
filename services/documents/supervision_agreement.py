"""履约监管协议（草案） (performance supervision agreement, draft): the bilateral contract between
the supervising body (甲方) and the land user (乙方) over a 标准地 parcel, with the eight clauses of
DOMAIN §2.4 as numbered articles. It is printed as a draft for negotiation: the signed paper is
the agreement, so every page says 草案.

The view is the shared :class:`~services.documents.layout.SectionedView`; the
indicator table and milestones are the same as in the 投资建设承诺书, so the two never disagree.

Context: :class:`SupervisionAgreementContext`.
"""

from __future__ import annotations

from collections.abc import Mapping

from docx.document import Document
from docx.shared import Pt
from pydantic import Field

from services.core.formatting import format_wan_yuan
from services.documents import docx_builder as dx
from services.documents import layout
from services.documents.kind import DocumentKind
from services.documents.layout import Section, SectionedView

KIND = "supervision_agreement"
TITLE = "履约监管协议（草案）"
NUMBER_WORD = "协"
TEMPLATE = "supervision_agreement.html"

DRAFT_MARK = "草案"
CONTRACT_PENDING = "（出让合同签订后填写）"
CODE_PENDING = "（赋码后填写）"

class SupervisionAgreementContext(layout.StandardLandTerms):
    land_contract_no: str = Field(description="出让合同编号; empty prints （出让合同签订后填写）")
    project_code: str = Field(description="投资项目代码; empty prints （赋码后填写）")


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    articles = (
        ("协议双方", _parties(ctx), None, ()),
        ("项目概况", _project(ctx), None, ()),
        ("控制指标", ("乙方承诺项目达到下列控制指标，甲方按所列考核节点组织核验：",),
         layout.commitment_table(ctx["commitments"]),
         ("各项指标的计算口径按本宗地“标准地”控制指标执行；乙方出具的《投资建设承诺书》为本协议附件，"
          "与本协议不一致的，以本协议为准。",)),
        ("建设期限", ("乙方应按下列期限开发建设：", *layout.milestone_lines(ctx)), None, ()),
        ("核验程序", _verification(ctx), None, ()),
        ("违约责任", _liability(ctx), None, ()),
        ("转让限制", _transfer(), None, ()),
        ("争议解决", ("因履行本协议发生争议的，双方应协商解决；协商不成的，任何一方可向宗地所在地"
                      "有管辖权的人民法院提起诉讼。",), None, ()),
        ("其他", ("本协议未尽事宜，由双方另行协商并签订补充协议，补充协议与本协议具有同等效力。",
                  "本协议一式四份，甲乙双方各执两份，自双方法定代表人或授权代表签字并加盖公章之日起生效。"), None, ()),
    )
    return SectionedView(
        meta=layout.make_meta(TITLE, ctx, f"{ctx['project_name']} {ctx['parcel']['number']} {ctx['case_no']}"),
        issuer="",
        title="履约监管协议",
        subtitle=f"（{DRAFT_MARK}）",
        number=ctx["number"],
        draft_note=(f"{DRAFT_MARK}说明：本文本为协议草案，供甲乙双方协商使用，条款以双方正式签署的文本为准；"
                    "未经双方签字盖章，不发生法律效力。"),
        addressee="",
        preamble=(_preamble(ctx),),
        sections=tuple(
            Section(f"第{layout.CN_NUM[i]}条　{name}", paragraphs, table, after)
            for i, (name, paragraphs, table, after) in enumerate(articles, start=1)
        ),
        closing=(),
        signatures=(
            ("甲方（盖章）：", ctx["supervisor"], "法定代表人或授权代表（签字）：", f"日期：{layout.BLANK_DATE}"),
            ("乙方（盖章）：", ctx["enterprise_name"], "法定代表人或授权代表（签字）：", f"日期：{layout.BLANK_DATE}"),
        ),
        verification=layout.verification_line(ctx, "协议草案"),
    )


def _preamble(ctx: Mapping) -> str:
    return (
        "为落实“标准地”企业承诺、信用评价和数据应用的全过程监管要求，根据《中华人民共和国民法典》"
        "《闲置土地处置办法》（国土资源部令第53号）等规定及国有建设用地使用权出让合同的约定，"
        f"甲乙双方就乙方在{ctx['parcel']['base_name']}{ctx['parcel']['number']}号宗地投资建设项目的履约监管事项，"
        "经平等协商，订立本协议。"
    )


def _parties(ctx: Mapping) -> tuple[str, ...]:
    return (
        f"甲方（监管方）：{ctx['supervisor']}",
        f"乙方（土地使用者）：{ctx['enterprise_name']}，统一社会信用代码：{ctx['uscc']}，"
        f"法定代表人：{ctx['legal_representative']}",
        f"国有建设用地使用权出让合同编号：{ctx['land_contract_no'] or CONTRACT_PENDING}",
    )


def _project(ctx: Mapping) -> tuple[str, ...]:
    return layout.labelled((
        ("项目名称", ctx["project_name"]),
        ("投资项目代码", ctx["project_code"] or CODE_PENDING),
        ("案件编号", ctx["case_no"]),
        *layout.parcel_fields(ctx["parcel"]),
        ("所属行业", layout.industry_text(ctx)),
        ("项目总投资", format_wan_yuan(ctx["total_investment_wan"])),
    ))


def _verification(ctx: Mapping) -> tuple[str, ...]:
    return (
        "（一）对标验收。项目竣工后，乙方向甲方申请对标验收，甲方结合竣工联合验收，对竣工验收时考核的指标进行核验；"
        "固定资产投资以具有相应资质的中介机构出具的项目投资专项审计报告为准，容积率、建筑密度等以规划核实结果为准。",
        f"（二）达产复核。投产初始运行期（{ctx['initial_operating_years']}年）期满后，甲方对投产初始运行期满时考核的指标"
        "进行复核；税收以税务部门出具的完税证明为准，产值以统计部门数据为准，能耗以能源计量及供电、供气部门数据为准，"
        "研发投入以经审计的财务报表为准。",
        "（三）乙方应按甲方要求如实报送数据、提供证明材料并配合现场核查。甲方应在核验完成后出具标准地对标核验报告，"
        "书面告知乙方核验结果；乙方对结果有异议的，可书面申请复核。",
    )


def _liability(ctx: Mapping) -> tuple[str, ...]:
    liability = ctx["liability"]
    lines = [
        f"（一）经核验未达到承诺值的，甲方书面通知乙方整改，乙方应在收到通知之日起{liability['rectification_months']}"
        "个月内完成整改并申请复核。",
        f"（二）整改期满仍未达到的，乙方应向甲方支付违约金：{layout.damages_text(liability)}。",
        "（三）甲方有权取消乙方享受的产业扶持、奖励等优惠政策，并追回已兑现部分。",
    ]
    if liability["credit_record"]:
        lines.append("（四）乙方未履行本协议的情况纳入企业信用记录，由有关部门依法依规实施信用惩戒。")
    lines.append(
        f"（{layout.CN_NUM[len(lines) + 1]}）乙方超过约定开工日期满一年未动工开发的，依照《闲置土地处置办法》"
        "（国土资源部令第53号），按土地出让价款的20%征缴土地闲置费；满两年未动工开发的，依法无偿收回国有建设用地使用权。"
        "因不可抗力或者政府、政府有关部门的行为造成动工开发迟延的除外。"
    )
    lines.append(
        f"（{layout.CN_NUM[len(lines) + 1]}）乙方擅自改变土地用途，或未达到承诺值且拒不整改的，"
        "甲方可提请自然资源主管部门依法处理，直至收回国有建设用地使用权。"
    )
    return tuple(lines)


def _transfer() -> tuple[str, ...]:
    return (
        "达产复核通过前，未经甲方书面同意，乙方不得转让、出租本宗地国有建设用地使用权及地上建筑物，不得分割宗地或分割转让"
        "地上建筑物；乙方股权变更导致实际控制人变化的，应事先书面告知甲方，受让方应承继本协议约定的义务。",
    )


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the draft into an empty document; every page's header says 草案."""
    header = doc.sections[0].header.paragraphs[0]
    header.paragraph_format.alignment = dx.Align.RIGHT
    dx.add_run(header, DRAFT_MARK, east_asia=dx.HEADING_FONT, size=Pt(12))
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=SupervisionAgreementContext)
