"""CSV import of the parcel catalogue: all rows are checked first, and nothing is written unless all pass.

Files are UTF-8 (with or without the BOM Excel writes) or, failing that, GB18030 (what Excel on a
Chinese Windows saves as "CSV"). The first row is the header; column names may carry a note in
brackets, e.g. ``允许行业代码（分号分隔）``. Every column of the layout must be present; a cell may
be blank where the field is optional. Lines are numbered as a spreadsheet shows them: header = 1.

Layout (a) — parcels, one row per indicator (samples: ``services/standard_land/data/samples/parcels.csv``)::

    基地编码, 宗地编号, 坐落, 面积, 面积单位, 用地性质, 允许行业代码, 出让起始价万元, 初始运行期年,
    整改期限月, 违约金系数, 纳入信用记录, 指标代码, 指标名称, 单位, 比较, 阈值, 阈值上限, 考核节点

* rows with the same 宗地编号 form one parcel; its parcel columns (基地编码 … 纳入信用记录) must agree
  on every row;
* 面积单位: 平方米 or 亩 (stored in m², converted exactly: 1 亩 = 2000/3 m²);
* 允许行业代码: GB/T 4754 codes of 2–4 digits separated by semicolons, e.g. ``27;358``;
* 纳入信用记录: 是 | 否; blank optional cells take the defaults (3 years, 6 months, 1, 是);
* 比较: ≥ | ≤ | 介于 (also ge, le, between, >=, <=); 阈值上限 only with 介于, and greater than 阈值;
* 考核节点: 竣工 | 达产 | 年度 (also completion, ramp_up_end, annual).

Layout (b) — regional assessments, one row each (``services/standard_land/data/samples/regional_assessments.csv``)::

    评估编号, 类型, 名称, 审查部门, 生效日期, 失效日期, 适用行业, 适用宗地, 使用条件

* 类型: plan_eia, energy, flood, soil_water … or the Chinese name (规划环境影响评价, 区域节能评价 …);
* dates as 2026-03-01 (also 2026/3/1, 2026年3月1日); 失效日期 blank = open-ended, else ≥ 生效日期;
* 适用行业 and 适用宗地 (宗地编号 already in the catalogue) separated by semicolons.

Existing parcels and assessments are matched by 宗地编号 / 评估编号 and updated; the others are created.
A parcel's 供应状态 is kept on update. This module must not import FastAPI or Prefect.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeGuard, TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from services.core import audit
from services.models import IndustrialBase, Parcel, RegionalAssessment, User
from services.standard_land.catalogue import (
    AssessmentInput,
    CatalogueError,
    ParcelInput,
    check_assessment,
    check_parcel,
    duplicate_codes,
    error_messages,
    save_assessment,
    save_parcel,
)

Kind = Literal["parcels", "assessments"]
Model = TypeVar("Model", bound=BaseModel)

#: column → ParcelInput field (parcel-level columns, equal on every row of one parcel)
PARCEL_COLUMNS = {
    "基地编码": "base_code", "宗地编号": "number", "坐落": "location", "面积": "area", "面积单位": "area_unit",
    "用地性质": "land_use", "允许行业代码": "allowed_industry_codes", "出让起始价万元": "land_price_wan",
    "初始运行期年": "initial_operating_years", "整改期限月": "rectification_months", "违约金系数": "damages_rate",
    "纳入信用记录": "credit_record",
}
#: column → IndicatorInput field (one indicator per row)
INDICATOR_COLUMNS = {
    "指标代码": "code", "指标名称": "name_zh", "单位": "unit", "比较": "comparator", "阈值": "threshold",
    "阈值上限": "threshold_high", "考核节点": "measured_at",
}
ASSESSMENT_COLUMNS = {
    "评估编号": "code", "类型": "kind", "名称": "name", "审查部门": "authority", "生效日期": "valid_from",
    "失效日期": "valid_until", "适用行业": "allowed_industry_codes", "适用宗地": "parcel_numbers",
    "使用条件": "conditions",
}
LAYOUTS: dict[str, list[str]] = {
    "parcels": [*PARCEL_COLUMNS, *INDICATOR_COLUMNS],
    "assessments": list(ASSESSMENT_COLUMNS),
}
KIND_LABELS = {"parcels": "地块及控制指标", "assessments": "区域评估"}
_NOTE = re.compile(r"[（(][^）)]*[）)]")


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Problems:
    """Collects problems, one per (line, column), in the order found."""

    def __init__(self) -> None:
        self.items: dict[tuple[int, str], Problem] = {}

    def add(self, line: int, column: str, message: str) -> None:
        self.items.setdefault((line, column), Problem(line, column, message))

    def sorted(self) -> list[Problem]:
        return sorted(self.items.values(), key=lambda p: p.line)


@dataclass
class _Row:
    line: int
    cells: dict[str, str]


def import_csv(session: Session, actor: User | None, kind: Kind, content: bytes) -> ImportReport:
    """Check the whole file; write every row only if there is no problem at all.

    Writes go into the caller's transaction, to be committed when the report is ok. If a save still
    fails midway (a concurrent edit), the session is rolled back here and the report says so.
    """
    report = ImportReport(kind)
    problems = _Problems()
    rows = _read(content, LAYOUTS[kind], problems)
    report.rows = len(rows)
    if rows and not problems.items:
        plan: list[ParcelInput] | list[AssessmentInput] = (
            _plan_parcels(session, rows, problems) if kind == "parcels" else _plan_assessments(session, rows, problems))
        if not problems.items:
            _write(session, actor, kind, plan, report, problems)
    elif not rows and not problems.items:
        problems.add(2, "", "文件中没有数据行")
    report.problems = problems.sorted()
    return report


def is_kind(value: str) -> TypeGuard[Kind]:
    """Whether ``value`` names a layout (as posted by the import form)."""
    return value in LAYOUTS


def decode(content: bytes) -> str:
    """UTF-8 (a BOM is dropped), else GB18030; ``UnicodeDecodeError`` when neither fits."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("gb18030")


def _canonical(header: str, columns: list[str]) -> str:
    name = header.strip().lstrip("\ufeff").strip()
    for candidate in (name, _NOTE.sub("", name).strip(), re.sub(r"[（）()]", "", name)):
        if candidate in columns:
            return candidate
    return name


def _read(content: bytes, columns: list[str], problems: _Problems) -> list[_Row]:
    try:
        text = decode(content)
    except UnicodeDecodeError:
        problems.add(1, "", "无法识别文件编码，请另存为“CSV UTF-8（逗号分隔）”后重新上传")
        return []
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        problems.add(1, "", f"文件不是有效的CSV格式（{error}）")
        return []
    if not records or not any(c.strip() for c in records[0]):
        problems.add(1, "", "文件为空或缺少表头行")
        return []
    header = [_canonical(h, columns) for h in records[0]]
    for name in columns:
        if name not in header:
            problems.add(1, name, f"缺少必需的列“{name}”")
    for name in sorted({h for h in header if header.count(h) > 1 and h in columns}):
        problems.add(1, name, f"列“{name}”重复出现")
    if problems.items:
        return []
    index = {name: header.index(name) for name in columns}
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        rows.append(_Row(number, {name: record[i].strip() if i < len(record) else "" for name, i in index.items()}))
    return rows


def _given(cells: dict[str, str], columns: dict[str, str]) -> dict[str, str]:
    """Non-blank cells as input fields (a blank optional cell takes the field's default)."""
    return {f: cells[c] for c, f in columns.items() if cells[c] != ""}


def _column(columns: dict[str, str], field_name: str) -> str:
    return next((c for c, f in columns.items() if f == field_name), "")


def _plan_parcels(session: Session, rows: list[_Row], problems: _Problems) -> list[ParcelInput]:
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        number = row.cells["宗地编号"]
        if not number:
            problems.add(row.line, "宗地编号", "请填写宗地编号")
            continue
        groups.setdefault(number, []).append(row)
    bases = set(session.exec(select(IndustrialBase.code)).all())
    existing = dict(session.exec(select(Parcel.number, Parcel.id).where(col(Parcel.number).in_(list(groups)))).all())
    plan: list[ParcelInput] = []
    for number, group in groups.items():
        first = group[0]
        for row in group[1:]:
            for column in PARCEL_COLUMNS:
                if row.cells[column] != first.cells[column]:
                    problems.add(row.line, column, f"同一宗地各行的“{column}”应一致（第{first.line}行为"
                                                   f"“{first.cells[column]}”，本行为“{row.cells[column]}”）")
        base = first.cells["基地编码"]
        if base and base not in bases:
            problems.add(first.line, "基地编码", f"基地编码“{base}”不存在（现有：{'、'.join(sorted(bases))}）")
        for i, message in duplicate_codes([r.cells["指标代码"].lower() for r in group]).items():
            if group[i].cells["指标代码"]:
                problems.add(group[i].line, "指标代码", message)
        raw = _given(first.cells, PARCEL_COLUMNS) | {
            "id": existing.get(number), "indicators": [_given(r.cells, INDICATOR_COLUMNS) for r in group]}
        lines = [r.line for r in group]

        def where(key: str, lines: list[int] = lines) -> tuple[int, str]:
            parts = key.split(".")
            if parts[0] == "indicators" and len(parts) >= 3:
                return lines[int(parts[1])], _column(INDICATOR_COLUMNS, parts[2])
            return lines[0], _column(PARCEL_COLUMNS, parts[0]) or "宗地编号"

        data = _validate(ParcelInput, raw, where, problems)
        if data is not None:
            _report(check_parcel(session, data), where, problems)
            plan.append(data)
    return plan


def _plan_assessments(session: Session, rows: list[_Row], problems: _Problems) -> list[AssessmentInput]:
    seen: dict[str, int] = {}
    codes = [r.cells["评估编号"] for r in rows]
    existing = dict(session.exec(select(RegionalAssessment.code, RegionalAssessment.id)
                                 .where(col(RegionalAssessment.code).in_(codes))).all())
    plan: list[AssessmentInput] = []
    for row in rows:
        code = row.cells["评估编号"]
        if code in seen:
            problems.add(row.line, "评估编号", f"评估编号“{code}”与第{seen[code]}行重复")
            continue
        seen.setdefault(code, row.line)

        def where(key: str, line: int = row.line) -> tuple[int, str]:
            return line, _column(ASSESSMENT_COLUMNS, key.split(".")[0]) or "评估编号"

        data = _validate(AssessmentInput, _given(row.cells, ASSESSMENT_COLUMNS) | {"id": existing.get(code)},
                         where, problems)
        if data is not None:
            _report(check_assessment(session, data), where, problems)
            plan.append(data)
    return plan


def _validate(model: type[Model], raw: dict, where: Callable[[str], tuple[int, str]],
              problems: _Problems) -> Model | None:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        _report(error_messages(error), where, problems)
        return None


def _report(errors: dict[str, str], where: Callable[[str], tuple[int, str]], problems: _Problems) -> None:
    for key, message in errors.items():
        line, column = where(key)
        problems.add(line, column, message)


def _write(session: Session, actor: User | None, kind: str, plan: list[ParcelInput] | list[AssessmentInput],
           report: ImportReport, problems: _Problems) -> None:
    try:
        for data in plan:
            _, outcome = (save_parcel(session, actor, data) if isinstance(data, ParcelInput)
                          else save_assessment(session, actor, data))
            setattr(report, outcome, getattr(report, outcome) + 1)
    except CatalogueError as error:  # changed by someone else between the check and the write
        session.rollback()  # the import is all or nothing: drop what this import wrote so far
        report.created = report.updated = report.unchanged = 0
        problems.add(2, "", f"导入时数据已被他人修改，未导入任何内容，请重新上传（{error}）")
        return
    audit.record(session, "catalogue.imported", actor=actor, entity="catalogue", entity_id=kind,
                 detail={"kind": kind, "rows": report.rows, "created": report.created, "updated": report.updated,
                         "unchanged": report.unchanged})
