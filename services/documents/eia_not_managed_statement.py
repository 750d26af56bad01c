"""不纳入建设项目环境影响评价管理告知书 (statement that a project is outside EIA management):
the 2021 catalogue, art. 5, puts projects it does not provide for outside EIA management (DOMAIN
§3.1–§3.2). The statement prints the classifier's reason trail, reminds the enterprise of the
obligations that remain (discharge permit or registration, emission standards, provincial rules)
and says that it rests on the facts the applicant declared: if they are untrue, it is void.

The view is the shared :class:`~services.documents.layout.SectionedView`. This
module does not classify: the reasons come from the rules as stored.

Context: :class:`EiaNotManagedStatementContext`.
"""

from __future__ import annotations

from collections.abc import Mapping

from docx.document import Document
from pydantic import Field

from services.core.formatting import rule_set_zh
from services.documents import common_eia as ce
from services.documents import layout
from services.documents.kind import DocumentKind, Items
from services.documents.layout import Section, SectionedView

KIND = "eia_not_managed_statement"
TITLE = "不纳入建设项目环境影响评价管理告知书"
NUMBER_WORD = "环告"
TEMPLATE = "sectioned.html"

DISPLAY_TITLE = "不纳入建设项目\n环境影响评价管理告知书"  # 18 characters: two lines, words kept whole
ARTICLE_5 = "本名录未作规定的建设项目，不纳入建设项目环境影响评价管理"
PROVINCIAL_EXEMPTIONS = "《广东省豁免环境影响评价手续办理的建设项目名录（2020年版）》"

class EiaNotManagedStatementContext(ce.EiaContext):
    site: str = Field(description="建设地点")
    industry_codes: ce.IndustryCodes
    reasons: Items[str] = Field(min_length=1, description="the classifier's reason trail in Chinese")
    catalogue_version: str = Field(description="the catalogue data the classifier used, printed as 名录版本")


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    return SectionedView(
        meta=layout.make_meta(TITLE, ctx, f"{ctx['project_name']} {ctx['case_no']}"),
        issuer=ctx["authority"],
        title=DISPLAY_TITLE,
        subtitle="",
        number=ctx["number"],
        draft_note="",
        addressee=ce.addressee(ctx),
        preamble=(
            f"你单位申报的{ctx['project_name']}（案件编号 {ctx['case_no']}）相关信息收悉。经对照{ce.CATALOGUE}，"
            "现将该项目环境影响评价管理类别告知如下：",
        ),
        sections=(
            Section("一、项目基本情况", (*layout.labelled((
                ("建设单位", ce.enterprise_text(ctx)),
                ("项目名称", ctx["project_name"]),
                ("建设地点", ctx["site"]),
                ("名录版本", rule_set_zh(ctx["catalogue_version"])),
            )), "所属行业（国民经济行业分类，GB/T 4754—2017）："), ce.industry_table(ctx["industry_codes"])),
            Section("二、判定理由", (
                "根据你单位申报的项目信息，对照名录的判定情况如下：", *ce.enumerated(ctx["reasons"]),
            )),
            Section("三、告知结论", (
                f"根据{ce.CATALOGUE}第五条“{ARTICLE_5}”的规定，该项目不纳入建设项目环境影响评价管理，"
                "无需编制环境影响报告书、环境影响报告表，也无需填报环境影响登记表。",
            )),
            Section("四、其他告知事项", (
                "（一）本告知书不免除你单位依法应当履行的其他生态环境保护义务。项目纳入排污许可管理的，应当"
                f"{ce.permit_reminder()}。",
                "（二）项目建设和运营中应当落实污染防治措施，污染物排放应当符合国家和地方规定的排放标准及总量控制要求。",
                f"（三）广东省依照名录第五条报经确认新增纳入环境影响评价管理的建设项目类型，以及{PROVINCIAL_EXEMPTIONS}"
                "等地方性规定对该类项目另有要求的，从其规定。",
                "（四）本告知书依据你单位申报的项目性质、规模、生产工艺、原辅材料和建设地点等信息作出。申报信息不真实、"
                "不完整的，本告知书自始无效；项目上述情况发生变化的，应当重新判定并依法办理环境影响评价手续。",
            )),
        ),
        closing=(),
        signatures=ce.sealed_by(ctx["authority"], ctx["issued_on"]),
        verification=layout.verification_line(ctx, "告知书"),
    )


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the statement into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=EiaNotManagedStatementContext)
