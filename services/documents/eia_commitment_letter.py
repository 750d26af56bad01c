"""建设项目环境影响评价告知承诺书 (EIA commitment letter): the enterprise's commitments that
found an approval by notification and commitment (告知承诺制, DOMAIN §3.5–§3.6): who it is and
what it builds, that the project meets each eligibility condition, that the EIA document is true
and who prepared it, pollution controls and 三同时, the discharge permit and completion acceptance,
and that a false commitment means revocation and a 失信 record.

The view is the shared :class:`~services.documents.layout.SectionedView`. This
module does not decide eligibility: the rules do, and a letter is only issued when every listed
condition is met (an unmet one is refused here rather than printed as a false commitment).

Context: :class:`EiaCommitmentLetterContext`.
"""

from __future__ import annotations

from collections.abc import Mapping

from docx.document import Document
from pydantic import Field, field_validator

from services.documents import common_eia as ce
from services.documents import layout
from services.documents.kind import ContextModel, DocumentKind, Items
from services.documents.layout import Section, SectionedView

KIND = "eia_commitment_letter"
TITLE = "建设项目环境影响评价告知承诺书"
NUMBER_WORD = "环诺"
TEMPLATE = "sectioned.html"

ORGANISATION_PENDING = "（建设单位自行编制或委托的环评单位名称）"

class Eligibility(ContextModel):
    explanation_zh: str = Field(description="a condition of the 告知承诺制, as the rules explain it")
    met: bool = Field(description="must be True: the enterprise cannot commit to an unmet condition")

    @field_validator("met")
    @classmethod
    def _met(cls, value: bool) -> bool:
        if not value:
            raise ValueError("met is False: the enterprise cannot commit to an unmet condition")
        return value


class EiaCommitmentLetterContext(ce.EiaContext):
    legal_representative: str = Field(description="法定代表人 of the enterprise")
    site: str = Field(description="建设地点")
    project_code: str = Field(description="投资项目代码; empty prints （赋码后填写）")
    industry_codes: ce.IndustryCodes
    catalogue_rows: Items[ce.CatalogueRow] = Field(min_length=1, description="the matched catalogue rows")
    level_zh: ce.Level
    eligibility: Items[Eligibility] = Field(min_length=1, description="the conditions, all met")
    eia_organisation: str = Field(description="who prepared the EIA document; empty prints a placeholder")
    positive_list_note: str = ce.POSITIVE_LIST_NOTE


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    level = ctx["level_zh"]
    return SectionedView(
        meta=layout.make_meta(TITLE, ctx, f"{ctx['project_name']} {level} {ctx['case_no']}"),
        issuer="",
        title=TITLE,
        subtitle="",
        number=ctx["number"],
        draft_note="",
        addressee=f"{ctx['authority']}：",
        preamble=(_preamble(ctx),),
        sections=(
            Section("一、建设单位及项目基本情况", _basics(ctx), ce.industry_table(ctx["industry_codes"]),
                    layout.labelled((("对应名录类别", ce.catalogue_text(ctx["catalogue_rows"])),
                                 ("环境影响评价文件类别", level)))),
            Section("二、符合告知承诺制审批条件", ("本单位承诺，本项目符合告知承诺制审批的下列全部条件：",
                                                   *ce.enumerated(e["explanation_zh"] for e in ctx["eligibility"]),
                                                   *_note(ctx),
                                                   "上述情况发生变化的，本单位将主动告知审批部门，"
                                                   "不再适用告知承诺制审批的，按一般程序重新报批。")),
            Section("三、环境影响评价文件真实完整", _document_lines(ctx)),
            Section("四、落实污染防治措施和“三同时”制度", _control_lines(level)),
            Section("五、排污许可和竣工环境保护验收", (
                f"（一）{ce.permit_reminder()}。",
                "（二）项目竣工后，依照《建设项目竣工环境保护验收暂行办法》自主开展竣工环境保护验收，"
                "验收合格后方投入生产或者使用，并依法向社会公开验收信息。",
            )),
            Section("六、承诺不实的责任", (
                "本单位知悉并接受：承诺内容不实、项目不符合告知承诺制审批条件或者不履行本承诺的，审批部门依法撤销审批决定，"
                "由此产生的法律责任和经济损失由本单位承担；相关情况纳入本单位失信记录，依法依规实施信用惩戒。",
            )),
            Section("七、接受监督", (
                f"本单位自愿接受{ctx['authority']}及有关部门的事中事后监督检查，如实提供有关资料，配合现场核查，"
                "并同意依法公开本承诺书及审批信息。",
                "本承诺书自本单位盖章、法定代表人签字之日起生效，随环境影响评价文件一并报送审批部门。",
            )),
        ),
        closing=(),
        signatures=((f"建设单位（盖章）：{ctx['enterprise_name']}", "法定代表人（签字）：",
                     f"日期：{layout.BLANK_DATE}"),),
        verification=layout.verification_line(ctx, "承诺书"),
        sign_centered=False,
    )


def _preamble(ctx: Mapping) -> str:
    return (
        f"本单位{ctx['enterprise_name']}（统一社会信用代码：{ctx['uscc']}，法定代表人：{ctx['legal_representative']}）"
        f"拟在{ctx['site']}建设{ctx['project_name']}（案件编号 {ctx['case_no']}），依照{ce.CATALOGUE}应当编制"
        f"{ctx['level_zh']}。本单位自愿申请环境影响评价文件告知承诺制审批，对所报材料的真实性、准确性负责，"
        "并郑重承诺如下："
    )


def _note(ctx: Mapping) -> tuple[str, ...]:
    """The positive list's provenance (example or the park's source and date), when the caller gives it."""
    note = ctx.get("positive_list_note", "")
    return (f"（告知承诺制正面清单：{note}）",) if note else ()


def _basics(ctx: Mapping) -> tuple[str, ...]:
    return (*layout.labelled((
        ("建设单位", ce.enterprise_text(ctx)),
        ("法定代表人", ctx["legal_representative"]),
        ("项目名称", ctx["project_name"]),
        ("投资项目代码", ce.project_code_text(ctx["project_code"])),
        ("建设地点", ctx["site"]),
    )), "所属行业（国民经济行业分类，GB/T 4754—2017）：")


def _document_lines(ctx: Mapping) -> tuple[str, ...]:
    organisation = ctx["eia_organisation"] or ORGANISATION_PENDING
    level = ctx["level_zh"]
    return (
        f"本项目{level}由{organisation}编制，编制单位具备相应的技术能力。",
        f"本单位承诺所报批的{level}内容真实、完整、准确，不存在弄虚作假、内容遗漏或者结论错误等情形；"
        f"本单位对{level}的内容和结论负责。",
    )


def _control_lines(level: str) -> tuple[str, ...]:
    return (
        f"（一）严格落实{level}提出的各项污染防治和生态保护措施，确保污染物稳定达标排放，"
        "并符合重点污染物排放总量控制要求。",
        "（二）严格执行环境保护设施与主体工程同时设计、同时施工、同时投产使用的“三同时”制度。",
        f"（三）{ce.major_change_clause(level)}。",
    )


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the letter into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=EiaCommitmentLetterContext)
