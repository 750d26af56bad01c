"""亩均效益综合评价: the park's enterprises ranked each year on tax, output and energy per 亩 (classes A/B/C/D).

The yearly figures (``MuAnnualReturn``) are imported by the park from a CSV (tax, statistics and energy data);
the method — indicators, weights, cap and class limits — is data (``data/mu_evaluation.toml`` or the park's
``GC_MU_EVALUATION_FILE``). Each indicator is scored against the park's own figure of that year, so the
ranking needs no fixed national thresholds. Nothing here is stored: a ranking is computed from the returns.
"""

import csv
import io
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.core import audit, clock, text, uscc
from services.core.settings import get_settings
from services.models import MuAnnualReturn, User
from services.standard_land.catalogue_csv import decode

BUNDLED = Path(__file__).parent / "data" / "mu_evaluation.toml"
Figure = Literal["tax_wan", "output_wan", "energy_tce", "land_area_mu"]
COLUMNS = {"统一社会信用代码": "uscc", "企业名称": "enterprise_name", "年度": "year", "用地面积（亩）": "land_area_mu",
           "实缴税收（万元）": "tax_wan", "工业总产值（万元）": "output_wan", "综合能耗（吨标准煤）": "energy_tce"}
MAX_ROWS = 20_000


class Indicator(BaseModel):
    code: str
    name: str
    unit: str
    weight: Decimal = Field(gt=0)
    numerator: Figure
    denominator: Figure


class GradeClass(BaseModel):
    code: str
    name: str
    min_score: Decimal = Field(ge=0)


class Method(BaseModel):
    """评价办法: as loaded from the TOML file, checked (classes best first, the last one open to any score)."""

    version: str
    title: str
    illustrative: bool
    cap: Decimal = Field(gt=0)
    indicators: list[Indicator] = Field(min_length=1)
    classes: list[GradeClass] = Field(min_length=1)

    @model_validator(mode="after")
    def _classes_descend(self) -> "Method":
        limits = [c.min_score for c in self.classes]
        if limits != sorted(limits, reverse=True) or limits[-1] != 0:
            raise ValueError("classes must be listed best first, by falling min_score, the last with min_score 0")
        return self

    def grade(self, score: Decimal) -> GradeClass:
        return next(c for c in self.classes if score >= c.min_score)


@cache
def _load(path: str) -> Method:
    return Method.model_validate(tomllib.loads(Path(path).read_text(encoding="utf-8")))


def load_method() -> Method:
    """The park's method, or the bundled illustrative one; a wrong file fails loudly (at the first ranking)."""
    return _load(get_settings().mu_evaluation_file or str(BUNDLED))


# ------------------------------------------------------------------------------------------------ ranking

@dataclass(frozen=True)
class Scored:
    """One indicator of one enterprise: its value, the park's, the points it earns."""

    value: Decimal
    park: Decimal
    points: Decimal


@dataclass(frozen=True)
class RankedEnterprise:
    rank: int
    uscc: str
    name: str
    land_area_mu: Decimal
    scores: dict[str, Scored]
    total: Decimal
    grade: GradeClass


@dataclass(frozen=True)
class Ranking:
    year: int
    method: Method
    park: dict[str, Decimal]
    rows: list[RankedEnterprise]


def _q(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(Decimal(places))


def rank(returns: list[MuAnnualReturn], year: int, method: Method) -> Ranking:
    """Score every return of ``year`` against the park's figures and rank them (ties: by USCC)."""
    mine = [r for r in returns if r.year == year]
    park: dict[str, Decimal] = {}
    for i in method.indicators:
        above = sum((Decimal(getattr(r, i.numerator)) for r in mine), Decimal(0))
        below = sum((Decimal(getattr(r, i.denominator)) for r in mine), Decimal(0))
        park[i.code] = above / below if below else Decimal(0)
    scored = []
    for r in mine:
        scores = {}
        for i in method.indicators:
            value = Decimal(getattr(r, i.numerator)) / Decimal(getattr(r, i.denominator))
            ratio = min(value / park[i.code], method.cap) if park[i.code] else Decimal(0)
            scores[i.code] = Scored(_q(value), _q(park[i.code]), _q(i.weight * ratio))
        total = sum((s.points for s in scores.values()), Decimal(0))
        scored.append((r, scores, total))
    scored.sort(key=lambda item: (-item[2], item[0].uscc))
    rows = [RankedEnterprise(n, r.uscc, r.enterprise_name, r.land_area_mu, scores, total, method.grade(total))
            for n, (r, scores, total) in enumerate(scored, start=1)]
    return Ranking(year, method, {k: _q(v) for k, v in park.items()}, rows)


def ranking_for(session: Session, year: int) -> Ranking:
    returns = list(session.exec(select(MuAnnualReturn).where(MuAnnualReturn.year == year)))
    return rank(returns, year, load_method())


def years(session: Session) -> list[int]:
    """The years with returns, newest first."""
    return sorted(set(session.exec(select(MuAnnualReturn.year))), reverse=True)


def ranking_csv(ranking: Ranking) -> str:
    """The ranking as CSV (UTF-8 with BOM for Excel), with the method's version and whether it is illustrative."""
    out = io.StringIO()
    writer = csv.writer(out)
    names = [f"{i.name}（{i.unit}）" for i in ranking.method.indicators]
    writer.writerow(["名次", "统一社会信用代码", "企业名称", "用地面积（亩）", *names,
                     *(f"{i.name}得分" for i in ranking.method.indicators), "综合得分", "分类"])
    for row in ranking.rows:
        writer.writerow([row.rank, row.uscc, row.name, f"{row.land_area_mu:f}",
                         *(f"{row.scores[i.code].value:f}" for i in ranking.method.indicators),
                         *(f"{row.scores[i.code].points:f}" for i in ranking.method.indicators),
                         f"{row.total:f}", f"{row.grade.code}类（{row.grade.name}）"])
    note = "（示例办法，非园区正式评价办法）" if ranking.method.illustrative else ""
    writer.writerow([f"{ranking.year}年度 {ranking.method.title} {ranking.method.version}{note}"])
    return "\ufeff" + out.getvalue()


# ------------------------------------------------------------------------------------------------ import

class ReturnInput(BaseModel):
    """One CSV row, checked."""

    uscc: uscc.Checked
    enterprise_name: Annotated[str, text.Checked(128, min_length=2)]
    year: int = Field(ge=2000, le=2100)
    land_area_mu: Decimal = Field(gt=0, max_digits=14, decimal_places=4)
    tax_wan: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    output_wan: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    energy_tce: Decimal = Field(gt=0, max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    years: list[int]


class ReturnsError(Exception):
    """The file was refused; ``problems`` are Chinese sentences naming the line and column of each."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


_LIMITS = {"land_area_mu": "大于0、最多4位小数的数字", "tax_wan": "不小于0、最多2位小数的数字",
           "output_wan": "不小于0、最多2位小数的数字", "energy_tce": "大于0、最多2位小数的数字",
           "year": "2000至2100之间的年份", "enterprise_name": "2至128个字符、不含控制字符的名称"}


def import_returns(session: Session, actor: User, content: bytes) -> ImportResult:
    """Check every row; write all (create, or update the same USCC and year) only when none is wrong."""
    rows = _parse(content)
    created = updated = 0
    now = clock.now()
    try:
        with session.begin_nested():
            for data in rows:
                row = session.exec(select(MuAnnualReturn).where(MuAnnualReturn.uscc == data.uscc,
                                                                MuAnnualReturn.year == data.year)).first()
                if row is None:
                    row = MuAnnualReturn(**data.model_dump(), recorded_by_id=actor.id, recorded_at=now)
                    created += 1
                else:
                    for key, value in data.model_dump().items():
                        setattr(row, key, value)
                    row.recorded_by_id, row.recorded_at = actor.id, now
                    updated += 1
                session.add(row)
            session.flush()
    except IntegrityError:
        raise ReturnsError(["另一人正在导入同一批数据，请稍后重试"]) from None
    result = ImportResult(created, updated, sorted({r.year for r in rows}))
    audit.record(session, "mu_returns.imported", actor=actor, entity="mu_annual_return", entity_id="csv",
                 detail={"created": created, "updated": updated, "years": result.years})
    return result


def _parse(content: bytes) -> list[ReturnInput]:
    try:
        records = list(csv.reader(io.StringIO(decode(content), newline="")))
    except UnicodeDecodeError:
        raise ReturnsError(["无法识别文件编码，请另存为“CSV UTF-8（逗号分隔）”后重新上传"]) from None
    except csv.Error as error:
        raise ReturnsError([f"文件不是有效的CSV格式（{error}）"]) from None
    if not records:
        raise ReturnsError(["文件为空或缺少表头行"])
    header = [h.strip().lstrip("\ufeff").strip() for h in records[0]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ReturnsError([f"第1行缺少必需的列“{name}”" for name in missing])
    body = [(n, r) for n, r in enumerate(records[1:], start=2) if any(c.strip() for c in r)]
    if not body:
        raise ReturnsError(["文件中没有数据行"])
    if len(body) > MAX_ROWS:
        raise ReturnsError([f"一次最多导入{MAX_ROWS}行，请分批导入"])
    problems: list[str] = []
    rows: list[ReturnInput] = []
    seen: dict[tuple[str, int], int] = {}
    for line, record in body:
        cells = {field: (record[header.index(name)].strip() if header.index(name) < len(record) else "")
                 for name, field in COLUMNS.items()}
        data = _row(line, cells, problems)
        if data is None:
            continue
        if (data.uscc, data.year) in seen:
            problems.append(f"第{line}行：{data.uscc}的{data.year}年度数据与第{seen[(data.uscc, data.year)]}行重复")
            continue
        seen[(data.uscc, data.year)] = line
        rows.append(data)
    if problems:
        raise ReturnsError(problems)
    return rows


def _row(line: int, cells: dict[str, str], problems: list[str]) -> ReturnInput | None:
    labels = {field: name for name, field in COLUMNS.items()}
    found = len(problems)
    code = uscc.validate(cells["uscc"])
    if not code.valid:
        problems.append(f"第{line}行“统一社会信用代码”：{code.reason}")
    for field in ("land_area_mu", "tax_wan", "output_wan", "energy_tce"):
        try:
            Decimal(cells[field].replace(",", ""))
        except InvalidOperation:
            problems.append(f"第{line}行“{labels[field]}”：应为{_LIMITS[field]}")
    if len(problems) > found:
        return None
    try:
        return ReturnInput.model_validate({**cells, "uscc": code.normalized, **{
            f: cells[f].replace(",", "") for f in ("land_area_mu", "tax_wan", "output_wan", "energy_tce")}})
    except ValidationError as error:
        for item in error.errors():
            field = str(item["loc"][0])
            problems.append(f"第{line}行“{labels.get(field, field)}”：应为{_LIMITS.get(field, '有效的值')}")
        return None
