"""标准地对标核验报告 (standard-land verification report): the measured values at completion
(对标验收) or at the end of the initial operating period (达产复核) held against the committed
values, and the consequences the supervision agreement attaches to a shortfall.

The rules' ``VerificationResult`` (see the standard-land contract) is printed as stored: the
arithmetic, shortfalls and consequence statements come from the rules. The view is the shared
:class:`~services.documents.layout.SectionedView`.

Context: :class:`VerificationReportContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from docx.document import Document
from pydantic import Field, ValidationInfo, field_validator

from services.core.formatting import format_date_zh
from services.documents import layout
from services.documents.kind import ContextModel, DocumentKind, Items, decimal_text
from services.documents.layout import Section, SectionedView, Table

KIND = "verification_report"
TITLE = "标准地对标核验报告"
NUMBER_WORD = "验"
TEMPLATE = "sectioned.html"

CHECKPOINTS = {"completion": "对标验收", "ramp_up_end": "达产复核", "annual": "年度核验"}
_SCOPE = {"completion": "竣工验收时考核的指标", "ramp_up_end": "投产初始运行期满时考核的指标",
          "annual": "投产后每年度考核的指标"}

ROW_HEADER = ("指标", "承诺值", "实际值", "差额", "测算", "结论")


class VerificationRow(ContextModel):
    name_zh: str
    unit: str
    committed_text: str
    actual: str
    met: bool
    shortfall: str | None = Field(description="a decimal string when not met")
    shortfall_ratio: str | None = Field(description="a decimal string when not met")
    arithmetic: str

    @field_validator("shortfall", "shortfall_ratio")
    @classmethod
    def _figures_when_not_met(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("met") is False and value is not None:
            decimal_text(value, info)
        return value


class Consequences(ContextModel):
    rectification_deadline: str | None = Field(description="ISO date")
    rectification_months: int | None  # None when everything was met (no rectification)
    damages_formula: str | None
    credit_record: bool
    statements: Items[str]


class VerificationResult(ContextModel):
    """``VerificationResult`` as the standard-land rules store it."""

    checkpoint: str
    checkpoint_zh: str
    rows: Items[VerificationRow] = Field(min_length=1)
    all_met: bool
    consequences: Consequences

    @field_validator("checkpoint")
    @classmethod
    def _same_checkpoint(cls, value: str, info: ValidationInfo) -> str:
        expected = (info.context or {}).get("checkpoint")
        if value != expected:
            raise ValueError(f"checkpoint {value!r} differs from checkpoint {expected!r}")
        return value


class VerificationReportContext(layout.CaseDocumentContext):
    checkpoint: Literal["completion", "ramp_up_end", "annual"] = Field(description="对标验收, 达产复核 or 年度核验")
    measured_on: date = Field(description="date the values were taken")
    recorded_by: str = Field(description="记录人")
    evidence: Items[str] = Field(min_length=1, description="evidence the values come from, e.g. 税务部门完税证明")
    parcel: layout.Parcel
    verification: VerificationResult


def prepare(ctx: Mapping) -> SectionedView:
    """Context (checked by the declaration's model) → view. Deterministic: depends on ``ctx`` only."""
    checkpoint = CHECKPOINTS[ctx["checkpoint"]]
    result = ctx["verification"]
    return SectionedView(
        meta=layout.make_meta(TITLE, ctx, f"{checkpoint} {ctx['project_name']} {ctx['case_no']}"),
        issuer=ctx["issuer"],
        title=TITLE,
        subtitle=f"（{checkpoint}）",
        number=ctx["number"],
        draft_note="",
        addressee="",
        preamble=(_preamble(ctx, checkpoint),),
        sections=(
            Section("一、核验基本情况", _basics(ctx, checkpoint)),
            Section("二、核验依据", layout.numbered(ctx["evidence"])),
            _rows_section(result["rows"]),
            Section("四、核验结论及处理意见", _outcome(result, checkpoint)),
        ),
        closing=(),
        signatures=(
            ("被核验单位（盖章）：", ctx["enterprise_name"], "法定代表人或委托代理人（签字）：",
             f"日期：{layout.BLANK_DATE}"),
            ("核验单位（盖章）：", ctx["issuer"], f"记录人：{ctx['recorded_by']}",
             f"日期：{format_date_zh(ctx['issued_on'])}"),
        ),
        verification=layout.verification_line(ctx, "报告"),
    )


def _preamble(ctx: Mapping, checkpoint: str) -> str:
    parcel = ctx["parcel"]
    return (
        f"根据履约监管协议的约定，本机关于{format_date_zh(ctx['measured_on'])}对{ctx['enterprise_name']}"
        f"在{parcel['base_name']}{parcel['number']}号宗地投资建设的{ctx['project_name']}（案件编号 {ctx['case_no']}）"
        f"进行了{checkpoint}，对{_SCOPE[ctx['checkpoint']]}逐项核验。现将核验情况报告如下："
    )


def _basics(ctx: Mapping, checkpoint: str) -> tuple[str, ...]:
    parcel = ctx["parcel"]
    return layout.labelled((
        ("项目名称", ctx["project_name"]),
        ("被核验单位", f"{ctx['enterprise_name']}（统一社会信用代码：{ctx['uscc']}）"),
        ("宗地", f"{parcel['base_name']}{parcel['number']}号宗地，{parcel['location']}，{layout.parcel_area(parcel)}"),
        ("核验节点", checkpoint),
        ("核验日期", format_date_zh(ctx["measured_on"])),
        ("记录人", ctx["recorded_by"]),
    ))


def _rows_section(rows) -> Section:
    table_rows = tuple(
        (row["name_zh"], row["committed_text"], layout.with_unit(row["actual"], row["unit"]), _shortfall(row),
         row["arithmetic"], "达标" if row["met"] else "未达标")
        for row in rows
    )
    table = Table(ROW_HEADER, table_rows, (2.0, 2.9, 2.6, 2.6, 4.0, 1.5), (False, True, True, True, False, True),
                  compact=True)
    missed = sum(not row["met"] for row in rows)
    summary = f"共核验指标{len(rows)}项，达到承诺值{len(rows) - missed}项，未达到承诺值{missed}项。"
    return Section("三、指标核验情况", ("各项指标的承诺值、实际值及测算过程如下：",), table, (summary,))


def _shortfall(row: Mapping) -> str:
    """No shortfall for a met indicator; otherwise the amount and its share of the committed value."""
    if row["met"]:
        return "—"
    return f"{layout.with_unit(row['shortfall'], row['unit'])}\n（{layout.percent(row['shortfall_ratio'])}）"


def _outcome(result: Mapping, checkpoint: str) -> tuple[str, ...]:
    consequences = result["consequences"]
    statements = layout.numbered(layout.sentence(text) for text in consequences["statements"])
    if result["all_met"]:
        return (f"经核验，各项指标均达到承诺值，{checkpoint}通过。", *_only_if(consequences["statements"], statements))
    missed = "、".join(row["name_zh"] for row in result["rows"] if not row["met"])
    lines = [f"经核验，{missed}未达到承诺值，{checkpoint}未通过。依据履约监管协议，处理意见如下："]
    lines += statements
    if consequences["rectification_deadline"]:
        lines.append(f"整改期限：{layout.iso_date_zh(consequences['rectification_deadline'])}前"
                     f"（{consequences['rectification_months']}个月）。")
    if consequences["damages_formula"]:
        lines.append(f"违约金测算：{layout.sentence(consequences['damages_formula'])}")
    lines.append(f"信用记录：{'纳入企业信用记录' if consequences['credit_record'] else '不纳入企业信用记录'}。")
    lines.append("被核验单位对核验结果有异议的，可自收到本报告之日起按履约监管协议的约定书面申请复核。")
    return tuple(lines)


def _only_if(items, lines: tuple[str, ...]) -> tuple[str, ...]:
    return lines if items else ()


def build_docx(doc: Document, v: SectionedView) -> None:
    """Write the report into an empty document made by :func:`docx_builder.new_document`."""
    layout.build_sectioned_docx(doc, v)


DOCUMENT = DocumentKind(code=KIND, title=TITLE, number_word=NUMBER_WORD, template=TEMPLATE, prepare=prepare,
                        build_docx=build_docx,
                        context=VerificationReportContext)
