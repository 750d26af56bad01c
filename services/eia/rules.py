"""环评分类 (EIA classification): the level a project needs under the 2021 classification catalogue.

Pure functions on frozen dataclasses and one pydantic input model — no database, no web, no
orchestration. The catalogue rows are DATA (``data/eia_catalogue_2021.toml``, its questions in
``data/eia_questions.toml``); a province or city swaps in its own file by passing ``path`` to
:func:`load_catalogue`, and the file's ``version`` is returned with every result so that the
application can record which rules decided it.

Terms used in the code and in the Chinese output:

* 名录 (catalogue): 《建设项目环境影响评价分类管理名录（2021年版）》, 生态环境部令第16号.
* 报告书 / 报告表 / 登记表 (``report_book`` / ``report_form`` / ``registration``): the three levels;
  ``not_managed`` = 不纳入建设项目环境影响评价管理.
* 行 (row): one catalogue category with its GB/T 4754-2017 code prefixes and one cell per level. In a
  cell "；" separates alternatives (OR), "/" means the level is not used, "其他" is the residual and
  "（…除外）" carves out exceptions. Levels are tried 报告书 → 报告表 → 登记表; the first that fires
  is the row's level.
* 第三条 (art. 3): environmentally sensitive areas, items (一)(二)(三); each row's last column says
  which of them count for that row.
* 第四条 (art. 4): a project spanning several rows takes the highest level among them.
* 第五条 (art. 5): a project the catalogue does not list is not under EIA management.
* 注2: thresholds refer to new capacity (新增规模). 注3: 单纯混合 / 分装. 注6: 化学镀 and 阳极氧化
  count as 电镀 (the fact ``electroplating`` is "是" when ``electroless_plating`` or ``anodizing`` is).
* 注4 and "*": "标*号指在工业建筑中生产的建设项目". Our reading: a code marked "*" brings its row into
  play only for production inside an industrial building (GB/T 50083-2014: buildings for industrial
  production, i.e. factories and warehouses); the same activity elsewhere — in a shop, supermarket or
  dwelling — is not listed by that row and so, by art. 5, not under EIA management. Codes without
  "*" apply wherever production happens.

Unanswered questions (the choice made for this module): nothing is guessed silently. The result is
computed in three-valued logic; when a level's outcome depends on an unanswered question, the
level is decided under a stated assumption — a yes/no fact counts as "否", an omitted quantity as 0,
the sensitive-area question as "不涉及", the industrial-building question as "是" (park projects
produce in factories) — every such assumption is written into the trail, and the question keys are
returned in ``questions_unanswered`` (``complete`` is then false). ``classify(..., strict=True)``
raises :class:`MissingAnswers` instead. Questions whose answer cannot change the outcome are not
reported.

"用量未知" (``{"unknown": true, "unit": …}``: used, amount not known) is an answer, not an omission, so
it is not assumed to be 0. The classification is run for every possible amount — one amount in each
interval between the catalogue's thresholds for that quantity, and each threshold itself; amounts
above 0, since the thing is used — and the result is the **most demanding** level among them (art. 4
reads the same way across rows: the highest level decides; an applicant who cannot exclude the larger
amount must prepare the document it requires, and can answer with the amount to get a lower level).
``Classification.unknown_amounts`` and a trail entry say which level each possible amount gives
("若…≥ 10 t/a：环境影响报告书；< 10 t/a：环境影响报告表"); with several unknown quantities, each
interval shows the most demanding level over the others' possible amounts. The rows' trail entries are
those of the most demanding case, and name the amount assumed there.

Bracketed exclusions such as "其他（仅分割、焊接、组装的除外；年用非溶剂型低VOCs含量涂料10吨以下的
除外）" are read as carving out a project whose whole process content is covered by the bracket; see
the header of the catalogue file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from services.core import text as free_text
from services.core.errors import DomainError
from services.core.formatting import rule_set_zh

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_CATALOGUE = DATA_DIR / "eia_catalogue_2021.toml"

Level = Literal["report_book", "report_form", "registration", "not_managed"]
LEVELS: tuple[str, ...] = ("report_book", "report_form", "registration")
LEVEL_RANK = {"not_managed": 0, "registration": 1, "report_form": 2, "report_book": 3}
LEVEL_ZH = {"report_book": "环境影响报告书", "report_form": "环境影响报告表", "registration": "环境影响登记表",
            "not_managed": "不纳入建设项目环境影响评价管理"}
CELL_ZH = {"report_book": "报告书", "report_form": "报告表", "registration": "登记表"}
ART4_ZH = "第四条：建设内容涉及本名录中两个及以上项目类别的建设项目，其环境影响评价类别按照其中单项等级最高的确定"
ART5_ZH = "第五条：本名录未作规定的建设项目，不纳入建设项目环境影响评价管理"
NOTE4_ZH = "注4：标*号指在工业建筑中生产的建设项目"
NOTE6_ZH = "注6：化学镀、阳极氧化生产工艺按照本名录中电镀工艺相关规定执行"
NOT_MANAGED_NOTE_ZH = "不纳入环评管理的，仍应核对省级豁免名录和《固定污染源排污许可分类管理名录》（排污登记等）"
PART_ZH = {1: "第三条（一）", 2: "第三条（二）", 3: "第三条（三）"}
ROLE_ZH = {"main": "主体工程", "ancillary": "辅助工程"}
CODE_PATTERN = re.compile(r"^\d{4}$")
OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}

Tri = bool | None


class CatalogueError(ValueError):
    """A catalogue or questions file that does not hold together (unknown key, unit, template…)."""


class EiaFactsError(DomainError):
    """Bad facts: ``errors`` maps a field path (``facts.foo``, ``industry_codes.0.code``) to a Chinese message."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("；".join(f"{k}：{v}" for k, v in errors.items()), field=next(iter(errors), None),
                         errors=errors)


class MissingAnswers(ValueError):
    """Raised by ``classify(strict=True)`` when the outcome depends on unanswered questions."""

    def __init__(self, keys: Sequence[str], questions: Sequence[str]):
        self.keys = tuple(keys)
        super().__init__("以下问题尚未回答，无法确定环评类别：" + "；".join(
            f"{q}（{k}）" for k, q in zip(keys, questions, strict=True)))


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Unit:
    name: str
    dimension: str
    factor: Fraction  # base units per one of this unit


@dataclass(frozen=True)
class FactSpec:
    key: str
    question: str
    help: str = ""
    implied_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuantitySpec:
    key: str
    question: str
    units: tuple[str, ...]
    help: str = ""


@dataclass(frozen=True)
class Condition:
    """One alternative of a cell (or a sub-condition); see the vocabulary in the catalogue file."""

    kind: Literal["always", "other", "fact", "quantity", "code", "sensitive", "all", "any"]
    text: str = ""
    fact: str | None = None
    equals: bool = True
    quantity: str | None = None
    op: str = ">="
    value: Fraction = Fraction(0)
    unit: str = ""
    nonzero: bool = False
    codes: tuple[str, ...] = ()
    parts: tuple[Condition, ...] = ()
    excepts: tuple[Condition, ...] = ()
    also_fact: str | None = None  # "其他屠宰": other = true plus fact = "slaughtering"


@dataclass(frozen=True)
class SensitiveEntry:
    part: int
    text: str
    confirm: str | None = None
    when: str | None = None


@dataclass(frozen=True)
class RowExclusion:
    text: str
    condition: Condition
    refer_row: int | None = None


@dataclass(frozen=True)
class CodeRef:
    prefix: str
    star: bool


@dataclass(frozen=True)
class CatalogueRow:
    no: int
    section: str
    category: str
    codes: tuple[CodeRef, ...]
    cells: Mapping[str, str]
    levels: Mapping[str, tuple[Condition, ...]]
    sensitive: tuple[SensitiveEntry, ...] = ()
    sensitive_area_meaning: str = ""
    not_applicable: tuple[RowExclusion, ...] = ()
    codes_assigned: bool = False
    match_fact: str | None = None

    def match(self, code: str) -> CodeRef | None:
        """The longest of this row's prefixes that ``code`` starts with."""
        hits = [ref for ref in self.codes if code.startswith(ref.prefix)]
        return max(hits, key=lambda ref: len(ref.prefix)) if hits else None


@dataclass(frozen=True)
class Question:
    """One wizard question; ``target`` says where its answer goes in :class:`EiaFacts`."""

    key: str
    kind: Literal["bool", "quantity", "parts"]
    question: str
    help: str = ""
    units: tuple[str, ...] = ()
    rows: tuple[int, ...] = ()
    optional: bool = False
    target: str = ""
    parts: Mapping[int, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "kind": self.kind, "question": self.question, "help": self.help,
                               "target": self.target, "rows": list(self.rows), "optional": self.optional}
        if self.units:
            out["units"] = list(self.units)
        if self.parts:
            out["parts"] = {str(k): v for k, v in self.parts.items()}
        return out


@dataclass(frozen=True)
class Catalogue:
    version: str
    title: str
    path: str
    rows: tuple[CatalogueRow, ...]
    facts: Mapping[str, FactSpec]
    quantities: Mapping[str, QuantitySpec]
    units: Mapping[str, Unit]
    building: Question
    sensitive: Question
    coverage: tuple[str, ...]
    not_covered: Mapping[str, str]
    questions_version: str = ""

    def row(self, no: int) -> CatalogueRow:
        return next(r for r in self.rows if r.no == no)

    def coverage_problem(self, code: str) -> str | None:
        """Chinese reason why this file cannot classify ``code``, or None."""
        for prefix, text in self.not_covered.items():
            if code.startswith(prefix):
                return f"行业代码{code}：{text}"
        if not any(code.startswith(prefix) for prefix in self.coverage):
            return (f"行业代码{code}不在本环评分类配置（{rule_set_zh(self.version)}）已编码的行业范围内"
                    f"（国民经济行业分类01–97大类），请核对行业代码")
        return None

    def question_text(self, key: str) -> str:
        if key in self.facts:
            return self.facts[key].question
        if key in self.quantities:
            return self.quantities[key].question
        return {self.building.key: self.building.question, self.sensitive.key: self.sensitive.question}.get(key, key)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The catalogue at ``path`` (default: the national 2021 file), parsed and checked; cached per path."""
    return _load(str(Path(path or DEFAULT_CATALOGUE).resolve()))


@lru_cache(maxsize=16)
def _load(path: str) -> Catalogue:
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
        qfile = file.parent / raw.get("questions", "eia_questions.toml")
        qraw = tomllib.loads(qfile.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CatalogueError(f"无法读取环评分类配置 {path}：{error}") from error
    units = {name: Unit(name, u["dimension"], Fraction(str(u["factor"]))) for name, u in qraw.get("units", {}).items()}
    facts = {k: FactSpec(k, v["question"], v.get("help", ""), tuple(v.get("implied_by", ())))
             for k, v in qraw.get("facts", {}).items()}
    quantities = {k: QuantitySpec(k, v["question"], tuple(v["units"]), v.get("help", ""))
                  for k, v in qraw.get("quantities", {}).items()}
    b, s = qraw["building"], qraw["sensitive"]
    building = Question(b["key"], "bool", b["question"], b.get("help", ""), target=b["key"])
    sensitive = Question(s["key"], "parts", s["question"], s.get("help", ""), target=s["key"],
                         parts={int(k): v for k, v in s.get("parts", PART_ZH).items()})
    parser = _Parser(raw.get("templates", {}), facts, quantities, units)
    rows = tuple(parser.row(r) for r in raw.get("rows", []))
    if len({r.no for r in rows}) != len(rows):
        raise CatalogueError("环评分类配置中行号重复")
    return Catalogue(
        version=str(raw["version"]), title=raw.get("title", ""), path=path, rows=rows, facts=facts,
        quantities=quantities, units=units, building=building, sensitive=sensitive,
        coverage=tuple(raw.get("coverage", ())),
        not_covered={n["prefix"]: n["text"] for n in raw.get("not_covered", [])},
        questions_version=str(qraw.get("version", "")))


class _Parser:
    """TOML tables → :class:`Condition` trees, checking every key, unit and template they name."""

    def __init__(self, templates: Mapping[str, Any], facts, quantities, units):
        self.templates, self.facts, self.quantities, self.units = templates, facts, quantities, units
        self.where = ""

    def fail(self, message: str):
        raise CatalogueError(f"{self.where}：{message}")

    def row(self, raw: Mapping[str, Any]) -> CatalogueRow:
        self.where = f"第{raw.get('no')}行"
        codes = tuple(CodeRef(c.rstrip("*").strip(), c.strip().endswith("*")) for c in raw.get("codes", ()))
        levels = {level: tuple(self.condition(c) for c in raw.get(level, ())) for level in LEVELS}
        sensitive = tuple(SensitiveEntry(int(s["part"]), s.get("text", ""), self.fact_key(s.get("confirm")),
                                         self.fact_key(s.get("when"))) for s in raw.get("sensitive", ()))
        excluded = tuple(RowExclusion(x["text"], self.condition(x), x.get("refer_row"))
                         for x in raw.get("not_applicable", ()))
        if any(p.part not in (1, 2, 3) for p in sensitive):
            self.fail("环境敏感区只能是第三条（一）（二）（三）")
        return CatalogueRow(no=int(raw["no"]), section=raw.get("section", ""), category=raw["category"], codes=codes,
                            cells=dict(raw.get("cells", {})), levels=levels, sensitive=sensitive,
                            sensitive_area_meaning=raw.get("sensitive_area_meaning", ""), not_applicable=excluded,
                            codes_assigned=bool(raw.get("codes_assigned", False)),
                            match_fact=self.fact_key(raw.get("match_fact")))

    def fact_key(self, key: str | None) -> str | None:
        if key is not None and key not in self.facts:
            self.fail(f"未定义的是/否问题“{key}”")
        return key

    def condition(self, raw: Mapping[str, Any]) -> Condition:
        if "use" in raw:
            if raw["use"] not in self.templates:
                self.fail(f"未定义的模板“{raw['use']}”")
            raw = {**self.templates[raw["use"]], **{k: v for k, v in raw.items() if k != "use"}}
        text = raw.get("text", "")
        excepts = tuple(self.condition(x) for x in raw.get("except", ()))
        if raw.get("always"):
            return Condition("always", text, excepts=excepts)
        if raw.get("other"):
            return Condition("other", text, excepts=excepts, also_fact=self.fact_key(raw.get("fact")))
        if "fact" in raw:
            return Condition("fact", text, fact=self.fact_key(raw["fact"]), equals=bool(raw.get("equals", True)),
                             excepts=excepts)
        if "quantity" in raw:
            key, unit, op = raw["quantity"], raw.get("unit", ""), raw.get("op", ">=")
            if key not in self.quantities:
                self.fail(f"未定义的数量“{key}”")
            if op not in OPS:
                self.fail(f"比较符“{op}”无效")
            if unit not in self.units or any(self.units[u].dimension != self.units[unit].dimension
                                             for u in self.quantities[key].units):
                self.fail(f"数量“{key}”的单位“{unit}”无效或量纲不一致")
            return Condition("quantity", text, quantity=key, op=op, value=Fraction(str(raw["value"])), unit=unit,
                             nonzero=bool(raw.get("nonzero", False)), excepts=excepts)
        if "code" in raw:
            return Condition("code", text, codes=tuple(str(c) for c in raw["code"]), excepts=excepts)
        if raw.get("sensitive"):  # equals = false: "不涉及环境敏感区的"
            return Condition("sensitive", text, equals=bool(raw.get("equals", True)), excepts=excepts)
        for kind in ("all", "any"):
            if kind in raw:
                return Condition(kind, text, parts=tuple(self.condition(p) for p in raw[kind]), excepts=excepts)
        self.fail(f"无法识别的条件：{dict(raw)}")
        raise AssertionError  # unreachable


# --------------------------------------------------------------------------- input model


class IndustryCode(BaseModel):
    """One GB/T 4754-2017 class (小类, 4 digits) of the project: its main works or an ancillary process."""

    model_config = ConfigDict(extra="forbid")
    code: str
    role: Literal["main", "ancillary"] = "main"

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        text = str(value).strip() if isinstance(value, str | int) else value
        if isinstance(text, str) and not CODE_PATTERN.match(text):
            raise ValueError("行业代码应为4位数字（国民经济行业分类小类，如3360）")
        return text


class QuantityIn(BaseModel):
    """A new capacity or annual consumption with its unit (units per question: see the questions), or
    ``unknown``: used, amount not known (用量未知), then without ``value``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"value": "12", "unit": "t/a"}, {"unknown": True, "unit": "t/a"}]})
    value: Decimal | None = Field(default=None, ge=0, description="数量（新增规模或年用量）；用量未知时不填")
    unknown: StrictBool = Field(default=False, description=(
        "true = 用量未知（使用但数量不确定）：按各可能用量分别判定，取最高级别，见 unknown_amounts"))
    unit: str


class EiaFacts(BaseModel):
    """What the enterprise answers in the EIA classification wizard.

    Unknown fact and quantity keys are refused, and so are units the question does not offer; the
    catalogue used for that check is ``context={"catalogue": …}`` or the national default. 是/否 answers
    are booleans (``StrictBool``): a ``0`` or ``"yes"`` is refused, not guessed, as the API's schema says.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"industry_codes": [{"code": "3360", "role": "main"}], "in_industrial_building": True,
         "sensitive_areas": [], "facts": {"electroplating": True}, "quantities": {}}]})

    industry_codes: list[IndustryCode] = Field(min_length=1, description="主体工程及辅助工程的行业代码（4位小类）")
    in_industrial_building: StrictBool | None = Field(default=None, description="是否在工业建筑中生产（名录注4）")
    sensitive_areas: list[Literal[1, 2, 3]] | None = Field(
        default=None, description="涉及的第三条环境敏感区项号；[] = 不涉及；不填 = 未回答")
    facts: dict[str, StrictBool] = Field(default_factory=dict, description="是/否问题的回答，键见 questions")
    quantities: dict[str, QuantityIn] = Field(default_factory=dict, description=(
        "新增规模/年用量及单位；{\"unknown\": true, \"unit\": …} = 用量未知（使用但数量不确定）；"
        "不填 = 未回答（按0暂行判定）"))

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> EiaFacts:
        catalogue = (info.context or {}).get("catalogue") if info else None
        errors = facts_problems(self, catalogue or load_catalogue())
        if errors:
            raise PydanticCustomError("eia_facts", "{summary}",
                                      {"summary": "；".join(errors.values()), "errors": errors})
        return self


def facts_problems(facts: EiaFacts, catalogue: Catalogue) -> dict[str, str]:
    """Field path → Chinese message for what ``catalogue`` cannot use: unknown keys, units, codes."""
    errors: dict[str, str] = {}
    for i, item in enumerate(facts.industry_codes):
        problem = catalogue.coverage_problem(item.code)
        if problem:
            errors[f"industry_codes.{i}.code"] = f"第{i + 1}个行业代码：{problem}"
    for key in facts.facts:
        if key not in catalogue.facts:
            errors[f"facts.{key}"] = (f"工艺问题“{key}”（facts.{key}）不是本环评分类配置（{catalogue.version}）"
                                      "定义的是/否问题")
    for key, quantity in facts.quantities.items():
        spec = catalogue.quantities.get(key)
        if spec is None:
            errors[f"quantities.{key}"] = (f"数量“{key}”（quantities.{key}）不是本环评分类配置（{catalogue.version}）"
                                           "定义的数量")
        elif quantity.unit not in spec.units:
            errors[f"quantities.{key}.unit"] = (f"“{spec.question}”（quantities.{key}.unit）的单位只能是"
                                                f"{'、'.join(spec.units)}，不能是“{quantity.unit}”")
        if spec is not None and quantity.unknown and quantity.value is not None:
            errors[f"quantities.{key}.value"] = (f"“{spec.question}”（quantities.{key}）已选择用量未知，"
                                                 "不能同时填写数量")
        elif spec is not None and not quantity.unknown and quantity.value is None:
            errors[f"quantities.{key}.value"] = (f"请填写“{spec.question}”的数量（quantities.{key}.value），"
                                                 "或选择用量未知（unknown: true）")
    return errors


_LABELS = {"industry_codes": "行业代码", "in_industrial_building": "是否在工业建筑中生产",
           "sensitive_areas": "涉及的环境敏感区", "facts": "工艺问题", "quantities": "规模数量",
           # the application's own fields (POST /api/v1/eia/applications)
           "project_id": "建设项目", "scale": "建设规模", "eia_organisation": "环评文件编制单位", "route": "审批方式",
           "commitment_confirmed": "告知承诺书确认", "document": "环评文件", "Idempotency-Key": "防重复提交编号"}


def errors_zh(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Pydantic / FastAPI validation errors → {field path: Chinese message naming the field}."""
    out: dict[str, str] = {}
    for item in errors:
        if item.get("type") == "eia_facts":
            for path, message in (item.get("ctx") or {}).get("errors", {}).items():
                out.setdefault(path, message)
            continue
        loc = [str(x) for x in item.get("loc", ()) if x not in ("body", "query", "path", "header")]
        out.setdefault(".".join(loc) or "__all__", _message_zh(loc, item))
    return out


def _field_label(loc: Sequence[str]) -> str:
    if not loc:
        return "请求内容"
    head = loc[0]
    if head == "industry_codes" and len(loc) >= 2 and loc[1].isdigit():
        name = {"code": "行业代码", "role": "的角色"}.get(loc[2], "") if len(loc) > 2 else ""
        return f"第{int(loc[1]) + 1}个行业代码{'' if name == '行业代码' else name}（{'.'.join(loc)}）"
    if head in ("facts", "quantities") and len(loc) >= 2:
        tail = {"value": "的数值", "unit": "的单位"}.get(loc[2], "") if len(loc) > 2 else ""
        return f"{_LABELS[head]}“{loc[1]}”{tail}（{'.'.join(loc)}）"
    return f"{_LABELS.get(head, head)}（{'.'.join(loc)}）"


def _message_zh(loc: Sequence[str], item: Mapping[str, Any]) -> str:
    kind, ctx, label = item.get("type", ""), item.get("ctx") or {}, _field_label(loc)
    if kind == "missing":
        return f"请填写{label}"
    if message := free_text.message_zh(label, item):  # the application's free text (scale, file name …)
        return message
    if kind == "too_short":
        return f"请至少填写一个{label}"
    if kind == "extra_forbidden":
        return f"未知字段“{loc[-1] if loc else ''}”，请删除"
    if kind in ("bool_parsing", "bool_type"):
        return f"{label}请填写 true（是）或 false（否）"
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "finite_number"):
        return f"{label}请填写数字"
    if kind == "greater_than_equal":
        return f"{label}不能为负数"
    if kind == "literal_error" and loc and loc[0] == "sensitive_areas":
        return f"{label}只能填写第三条的项号 1、2、3"
    if kind == "literal_error":
        return f"{label}只能是 main（主体工程）或 ancillary（辅助工程）"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return f"{label}格式不正确"
    if kind in ("string_type",):
        return f"{label}请填写文字"
    if kind == "value_error":
        return f"{label}：{ctx.get('error', item.get('msg', ''))}"
    return f"{label}填写有误"


def parse_facts(data: EiaFacts | Mapping[str, Any], catalogue: Catalogue | None = None) -> EiaFacts:
    """Validate plain data (or re-check a model) against ``catalogue``; raises :class:`EiaFactsError`."""
    catalogue = catalogue or load_catalogue()
    if isinstance(data, EiaFacts):
        errors = facts_problems(data, catalogue)
        if errors:
            raise EiaFactsError(errors)
        return data
    try:
        return EiaFacts.model_validate(data, context={"catalogue": catalogue})
    except ValidationError as error:
        raise EiaFactsError(errors_zh(error.errors())) from None


# --------------------------------------------------------------------------- evaluation


def _fmt(value: Fraction) -> str:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize(), "f")
    return "0" if text in ("-0", "") else text


class _Ctx:
    """Answers seen through one row: records which were used and which were missing."""

    def __init__(self, facts: EiaFacts, catalogue: Catalogue, row: CatalogueRow, code: str | None, assume: bool):
        self.facts, self.catalogue, self.row, self.code, self.assume = facts, catalogue, row, code, assume
        self.used: dict[str, Any] = {}
        self.missing: list[str] = []
        self.notes: list[str] = []

    def _miss(self, key: str) -> None:
        if key not in self.missing:
            self.missing.append(key)

    def fact(self, key: str) -> Tri:
        spec = self.catalogue.facts[key]
        implied = [k for k in spec.implied_by if self.facts.facts.get(k) is True]
        if implied:
            for k in implied:
                self.used[f"facts.{k}"] = True
            if key in self.facts.facts:
                self.used[f"facts.{key}"] = self.facts.facts[key]
            if self.facts.facts.get(key) is not True:
                names = "、".join(self.catalogue.facts[k].question.removeprefix("是否有").rstrip("？") for k in implied)
                note = (f"{names}按电镀工艺执行（{NOTE6_ZH}）" if key == "electroplating"
                        else f"{names} → {self.catalogue.question_text(key)}")
                if note not in self.notes:
                    self.notes.append(note)
            return True
        value = self.facts.facts.get(key)
        if value is None:
            self._miss(key)
            return False if self.assume else None
        self.used[f"facts.{key}"] = value
        return value

    def quantity(self, key: str, unit: str) -> Fraction | None:
        given = self.facts.quantities.get(key)
        if given is None:
            self._miss(key)
            return Fraction(0) if self.assume else None
        units = self.catalogue.units
        assert given.value is not None, "用量未知 is classified per possible amount (_with_unknown_amounts)"
        value = Fraction(given.value) * units[given.unit].factor / units[unit].factor
        shown = f"{_fmt(Fraction(given.value))} {given.unit}"
        if given.unit != unit:
            shown += f"（折合 {_fmt(value)} {unit}）"
        self.used[f"quantities.{key}"] = shown
        return value

    def sensitive(self) -> Tri:
        parts = self.facts.sensitive_areas
        if parts is None:
            self._miss(self.catalogue.sensitive.key)
            if not self.assume:
                return None
            parts = []
        self.used[self.catalogue.sensitive.key] = sorted(set(parts))
        result: Tri = False
        for entry in self.row.sensitive:
            if entry.part not in parts:
                continue
            checks = [self.fact(k) for k in (entry.confirm, entry.when) if k]
            held = _and(checks) if checks else True
            result = _or([result, held])
            if result:
                return True
        return result


def _and(values: Iterable[Tri]) -> Tri:
    values = list(values)
    return False if False in values else (None if None in values else True)


def _or(values: Iterable[Tri]) -> Tri:
    values = list(values)
    return True if True in values else (None if None in values else False)


def _compare(x: Fraction, op: str, y: Fraction) -> bool:
    return {">=": x >= y, ">": x > y, "<=": x <= y, "<": x < y, "==": x == y}[op]


def _base(cond: Condition, ctx: _Ctx) -> Tri:
    if cond.kind == "always":
        return True
    if cond.kind == "other":
        return ctx.fact(cond.also_fact) if cond.also_fact else True
    if cond.kind == "fact":
        value = ctx.fact(cond.fact or "")
        return None if value is None else value == cond.equals
    if cond.kind == "quantity":
        x = ctx.quantity(cond.quantity or "", cond.unit)
        if x is None:
            return None
        return _compare(x, cond.op, cond.value) and (x > 0 or not cond.nonzero)
    if cond.kind == "code":
        return bool(ctx.code) and any((ctx.code or "").startswith(c) for c in cond.codes)
    if cond.kind == "sensitive":
        touched = ctx.sensitive()
        return None if touched is None else touched == cond.equals
    results: list[Tri] = []
    for part in cond.parts:  # short-circuit so that answers that cannot matter are not asked for
        value = _eval(part, ctx)[0]
        results.append(value)
        if value is (cond.kind == "any"):
            break
    return _or(results) if cond.kind == "any" else _and(results)


def _eval(cond: Condition, ctx: _Ctx) -> tuple[Tri, list[str]]:
    """Three-valued result of a condition, and the texts of the exceptions that applied."""
    base = _base(cond, ctx)
    if base is False or not cond.excepts:
        return base, []
    fired: list[str] = []
    results: list[Tri] = []
    for exc in cond.excepts:
        value = _eval(exc, ctx)[0]
        results.append(value)
        if value:
            fired.append(exc.text)
            break
    excepted = _or(results)
    if excepted:
        return False, fired
    return (None if None in (base, excepted) else True), []


def _static(cond: Condition, code: str | None) -> Tri:
    """What a condition is whatever the answers are (only code conditions decide), or None."""
    if cond.kind == "code":
        base: Tri = bool(code) and any((code or "").startswith(c) for c in cond.codes)
    elif cond.kind == "always" or (cond.kind == "other" and not cond.also_fact):
        base = True
    elif cond.kind == "all":
        base = _and(_static(p, code) for p in cond.parts)
    elif cond.kind == "any":
        base = _or(_static(p, code) for p in cond.parts)
    else:
        base = None
    if base is False:
        return False
    exc = _or(_static(x, code) for x in cond.excepts) if cond.excepts else False
    if exc is True:
        return False
    return True if (base is True and exc is False) else None


# --------------------------------------------------------------------------- questions


def _cond_keys(cond: Condition, code: str | None, row: CatalogueRow, out: list[str]) -> None:
    if _static(cond, code) is False:
        return
    if cond.kind == "fact" or (cond.kind == "other" and cond.also_fact):
        out.append(cond.fact or cond.also_fact or "")
    elif cond.kind == "quantity":
        out.append(cond.quantity or "")
    elif cond.kind == "sensitive":
        out.append("__sensitive__")
        for entry in row.sensitive:
            out.extend(k for k in (entry.when, entry.confirm) if k)
    elif cond.kind in ("all", "any") and not (cond.kind == "any" and any(_static(p, code) for p in cond.parts)):
        for part in cond.parts:
            _cond_keys(part, code, row, out)
    for exc in cond.excepts:
        _cond_keys(exc, code, row, out)


def _row_keys(row: CatalogueRow, code: str | None) -> list[str]:
    """Answer keys the row can consult for ``code``, in the order the cells ask them."""
    keys: list[str] = []
    for exclusion in row.not_applicable:
        _cond_keys(exclusion.condition, code, row, keys)
    for level in LEVELS:
        conditions = row.levels[level]
        certain = [c for c in conditions if _static(c, code) is True]
        if certain:  # this level fires whatever the answers: lower levels are never reached
            break
        for cond in conditions:
            _cond_keys(cond, code, row, keys)
    return keys


def _matches(codes: Iterable[str], catalogue: Catalogue) -> list[tuple[str, CatalogueRow, CodeRef]]:
    out = []
    for code in codes:
        for row in catalogue.rows:
            ref = row.match(code)
            if ref is not None:
                out.append((code, row, ref))
    return out


def questions_for(industry_codes: Iterable[str], catalogue: Catalogue | None = None) -> list[Question]:
    """The questions the rows matched by these codes need, after the two always-asked ones.

    Always: production in an industrial building (note 4) and the art. 3 sensitive areas. Then, in
    catalogue order, each yes/no fact and quantity some matched row consults for its code — a
    condition that cannot hold for the code (another class) asks nothing, and once a level fires
    whatever the answers, lower levels ask nothing. Detail facts of note 6 follow ``electroplating``
    as optional questions. Raises :class:`EiaFactsError` for a malformed or uncovered code.
    """
    catalogue = catalogue or load_catalogue()
    codes = [str(c).strip() for c in industry_codes]
    errors: dict[str, str] = {}
    for i, typed in enumerate(codes):
        problem = None if CODE_PATTERN.match(typed) else f"行业代码“{typed}”应为4位数字（国民经济行业分类小类，如3360）"
        problem = problem or catalogue.coverage_problem(typed)
        if problem:
            errors[f"codes.{i}"] = problem
    if errors:
        raise EiaFactsError(errors)
    needed: dict[str, list[int]] = {}

    def add(key: str, row_no: int) -> None:
        needed.setdefault(key, [])
        if row_no not in needed[key]:
            needed[key].append(row_no)

    visited: set[tuple[int, str | None]] = set()
    pending: list[tuple[CatalogueRow, str | None]] = [(row, code) for code, row, _ in _matches(codes, catalogue)]
    while pending:
        row, code = pending.pop(0)
        if (row.no, code) in visited:
            continue
        visited.add((row.no, code))
        for key in _row_keys(row, code):
            add(key, row.no)
            for implied in catalogue.facts.get(key, FactSpec(key, "")).implied_by:
                add(implied, row.no)
            # a fact that brings another row into play (row 85 → row 101): that row's questions too
            pending.extend((other, None) for other in catalogue.rows if other.match_fact == key)
    out = [catalogue.building, catalogue.sensitive]
    optional = {k for spec in catalogue.facts.values() for k in spec.implied_by}
    for key, rows in needed.items():
        if key == "__sensitive__":
            out[1] = _with_rows(catalogue.sensitive, rows)
        elif key in catalogue.facts:
            spec = catalogue.facts[key]
            out.append(Question(key, "bool", spec.question, spec.help, rows=tuple(rows), optional=key in optional,
                                target=f"facts.{key}"))
        else:
            q = catalogue.quantities[key]
            out.append(Question(key, "quantity", q.question, q.help, units=q.units, rows=tuple(rows),
                                target=f"quantities.{key}"))
    star_rows = tuple(sorted({row.no for code, row, ref in _matches(codes, catalogue) if ref.star}))
    out[0] = _with_rows(catalogue.building, star_rows)
    return out


def _with_rows(q: Question, rows: Iterable[int]) -> Question:
    return Question(q.key, q.kind, q.question, q.help, q.units, tuple(rows), q.optional, q.target, q.parts)


def fact_answer(facts: EiaFacts, key: str, catalogue: Catalogue | None = None) -> bool | None:
    """A yes/no answer as the rules see it: "是" if a fact implying it is "是" (note 6); None = unanswered."""
    catalogue = catalogue or load_catalogue()
    spec = catalogue.facts.get(key, FactSpec(key, ""))
    if any(facts.facts.get(k) is True for k in spec.implied_by):
        return True
    return facts.facts.get(key)


# --------------------------------------------------------------------------- classification


@dataclass(frozen=True)
class Classification:
    """The level, the reason trail (JSON-able dicts) and the catalogue version that decided it."""

    level: Level
    trail: tuple[dict[str, Any], ...]
    catalogue_version: str
    questions_unanswered: tuple[str, ...] = ()
    rows: tuple[int, ...] = field(default=())  # rows that set the level (art. 4)
    unknown_amounts: tuple[dict[str, Any], ...] = ()  # per 用量未知 quantity: the level of each possible amount

    @property
    def level_zh(self) -> str:
        return LEVEL_ZH[self.level]

    @property
    def complete(self) -> bool:
        """False when some answer was assumed (see ``questions_unanswered``)."""
        return not self.questions_unanswered

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "level_zh": self.level_zh, "catalogue_version": self.catalogue_version,
                "complete": self.complete, "questions_unanswered": list(self.questions_unanswered),
                "rows": list(self.rows), "unknown_amounts": [dict(u) for u in self.unknown_amounts],
                "trail": [dict(t) for t in self.trail]}


def _assumption_zh(key: str, catalogue: Catalogue) -> str:
    if key == catalogue.building.key:
        return "未回答是否在工业建筑中生产，按“是”处理（园区项目通常在厂房内生产）"
    if key == catalogue.sensitive.key:
        return "未回答是否涉及环境敏感区，按“不涉及”处理"
    if key in catalogue.quantities:  # the question only: its key (e.g. solvent_coating) means nothing to a reader
        return f"未填写“{catalogue.quantities[key].question}”，按0处理"
    return f"未回答“{catalogue.question_text(key)}”，按“否”处理"


def _row_head(row: CatalogueRow) -> str:
    return f"第{row.no}行（{row.category}）"


def _evaluate_row(row: CatalogueRow, code: str | None, role: str | None, ref: CodeRef | None, facts: EiaFacts,
                  catalogue: Catalogue) -> tuple[str | None, dict[str, Any], list[str]]:
    """(row level or None if the row does not apply, trail entry, keys whose answers were assumed)."""
    entry: dict[str, Any] = {"step": "row", "row": row.no, "section": row.section, "category": row.category,
                             "code": code, "role": role}
    if ref is not None:
        entry.update(matched_prefix=ref.prefix, star=ref.star)
    else:
        entry.update(matched_by=f"facts.{row.match_fact}")
    used: dict[str, Any] = {}
    assumed: list[str] = []
    notes: list[str] = []
    if ref is not None and ref.star:
        building = facts.in_industrial_building
        used[catalogue.building.key] = building
        if building is False:
            entry.update(applies=False, level=None, facts_used=used, explanation_zh=(
                f"{_row_head(row)}：{ref.prefix}*为标*号行业（{NOTE4_ZH}），本项目不在工业建筑中生产，不适用本行"))
            return None, entry, []
        if building is None:
            assumed.append(catalogue.building.key)
    for exclusion in row.not_applicable:
        value, ctx = _eval_twice(exclusion.condition, facts, catalogue, row, code)
        used.update(ctx.used)
        if value is None:
            assumed.extend(k for k in ctx.missing if k not in assumed)
        if ctx.assume_result:
            refer = f"，按第{exclusion.refer_row}行判定" if exclusion.refer_row else ""
            entry.update(applies=False, level=None, facts_used=used, not_applicable=exclusion.text,
                         explanation_zh=f"{_row_head(row)}：{exclusion.text}，本项目不适用本行{refer}")
            return None, entry, assumed
    checked: list[dict[str, Any]] = []
    decided: str | None = None
    fired: list[str] = []
    for level in LEVELS:
        conditions = row.levels[level]
        cell = row.cells.get(level, "/")
        if not conditions:
            checked.append({"level": level, "cell": cell, "fired": False, "conditions": []})
            continue
        results = []
        needs_assumption = False
        for cond in conditions:
            value, ctx = _eval_twice(cond, facts, catalogue, row, code)
            used.update(ctx.used)
            notes.extend(n for n in ctx.notes if n not in notes)
            results.append((cond, value, ctx))
            needs_assumption = needs_assumption or value is None
        definite = [c for c, v, _ in results if v is True]
        if definite:
            level_fired, texts = True, [c.text for c in definite]
        else:
            texts = [c.text for c, v, ctx in results if v is None and ctx.assume_result]
            level_fired = bool(texts)
        if not definite and needs_assumption:
            for _c, v, ctx in results:
                if v is None:
                    assumed.extend(k for k in ctx.missing if k not in assumed)
        checked.append({"level": level, "cell": cell, "fired": level_fired, "conditions": [
            {"text": c.text, "result": bool(v) if v is not None else ctx.assume_result,
             **({"assumed": True} if v is None and not definite else {}),
             **({"except": ctx.excepted} if ctx.excepted else {})} for c, v, ctx in results]})
        if level_fired:
            decided, fired = level, texts
            break
    level_out = decided or "not_managed"
    entry.update(applies=True, level=level_out, level_zh=LEVEL_ZH[level_out], condition=fired[0] if fired else None,
                 fired=fired, checked=checked, facts_used=used)
    if notes:
        entry["notes"] = notes
    if assumed:
        entry["assumptions"] = [_assumption_zh(k, catalogue) for k in assumed]
    where = f"{code}（{ROLE_ZH.get(role or '', '')}）属" if code else ""
    if decided:
        text = f"{where}{_row_head(row)}，{CELL_ZH[decided]}条件“{'；'.join(fired)}”成立 → {LEVEL_ZH[decided]}"
    else:
        excepted = [e for c in checked for x in c["conditions"] for e in x.get("except", [])]
        why = f"（适用“{'；'.join(excepted)}”）" if excepted else ""
        text = f"{where}{_row_head(row)}，报告书、报告表、登记表条件均不满足或为“/”{why} → 本行不纳入环评管理"
    if notes:
        text += "（" + "；".join(notes) + "）"
    if assumed:
        text += "（含假定：" + "；".join(entry["assumptions"]) + "）"
    entry["explanation_zh"] = text
    return decided, entry, assumed


@dataclass
class _Eval:
    used: dict[str, Any]
    missing: list[str]
    notes: list[str]
    assume_result: bool
    excepted: list[str]


def _eval_twice(cond: Condition, facts: EiaFacts, catalogue: Catalogue, row: CatalogueRow,
                code: str | None) -> tuple[Tri, _Eval]:
    """Evaluate without assumptions; if unknown, again with the documented defaults."""
    ctx = _Ctx(facts, catalogue, row, code, assume=False)
    value, excepted = _eval(cond, ctx)
    result = value
    if value is None:
        ctx2 = _Ctx(facts, catalogue, row, code, assume=True)
        value2, excepted = _eval(cond, ctx2)
        result = bool(value2)
        ctx.used.update(ctx2.used)
    return value, _Eval(ctx.used, ctx.missing, ctx.notes, bool(result), excepted)


def classify(facts: EiaFacts | Mapping[str, Any], catalogue: Catalogue | None = None, *,
             strict: bool = False) -> Classification:
    """The EIA level of a project from its wizard answers, with the reason trail (art. 4 / art. 5 last).

    Raises :class:`EiaFactsError` for bad facts, and with ``strict`` :class:`MissingAnswers` when the
    level depends on unanswered questions (otherwise the trail states the assumption made).
    """
    catalogue = catalogue or load_catalogue()
    facts = parse_facts(facts, catalogue)
    if any(q.unknown for q in facts.quantities.values()):
        return _with_unknown_amounts(facts, catalogue, strict)
    return _classify_known(facts, catalogue, strict)


def _classify_known(facts: EiaFacts, catalogue: Catalogue, strict: bool) -> Classification:
    trail: list[dict[str, Any]] = []
    levels: list[tuple[int, str]] = []
    unanswered: list[str] = []
    seen_codes: list[str] = []
    rows_applied: set[int] = set()
    for item in facts.industry_codes:
        if item.code in seen_codes:
            continue
        seen_codes.append(item.code)
        matches = [(row, row.match(item.code)) for row in catalogue.rows]
        matches = [(row, ref) for row, ref in matches if ref is not None]
        if not matches:
            trail.append({"step": "code", "code": item.code, "role": item.role, "row": None, "explanation_zh": (
                f"{item.code}（{ROLE_ZH[item.role]}）：名录未列出该行业类别（{ART5_ZH}）")})
            continue
        for row, ref in matches:
            level, entry, assumed = _evaluate_row(row, item.code, item.role, ref, facts, catalogue)
            trail.append(entry)
            unanswered.extend(k for k in assumed if k not in unanswered)
            if entry.get("applies"):
                rows_applied.add(row.no)
            if level:
                levels.append((row.no, level))
    for row in catalogue.rows:  # rows reached through a fact (row 101 via 原料为危险废物)
        if row.match_fact and facts.facts.get(row.match_fact) is True and row.no not in rows_applied:
            level, entry, assumed = _evaluate_row(row, None, None, None, facts, catalogue)
            trail.append(entry)
            unanswered.extend(k for k in assumed if k not in unanswered)
            if level:
                levels.append((row.no, level))
    if strict and unanswered:
        raise MissingAnswers(unanswered, [catalogue.question_text(k) for k in unanswered])
    if levels:
        top = max(levels, key=lambda x: LEVEL_RANK[x[1]])[1]
        deciding = tuple(sorted({no for no, lvl in levels if lvl == top}))
        listing = "；".join(f"第{no}行：{LEVEL_ZH[lvl]}" for no, lvl in levels)
        trail.append({"step": "art4", "rule_zh": ART4_ZH, "level": top, "level_zh": LEVEL_ZH[top],
                      "rows": [{"row": no, "level": lvl} for no, lvl in levels], "decided_by": list(deciding),
                      "explanation_zh": f"{listing} → 取最高级别：{LEVEL_ZH[top]}"
                                        f"（第{'、'.join(map(str, deciding))}行）"})
        return Classification(top, tuple(trail), catalogue.version, tuple(unanswered), deciding)  # type: ignore[arg-type]
    reason = ("所涉名录行的各级条件均不满足、为“/”或属“除外”情形" if rows_applied
              else "项目不属于名录列出的任何项目类别")
    trail.append({"step": "art5", "rule_zh": ART5_ZH, "level": "not_managed", "level_zh": LEVEL_ZH["not_managed"],
                  "explanation_zh": f"{reason} → {LEVEL_ZH['not_managed']}", "note_zh": NOT_MANAGED_NOTE_ZH})
    return Classification("not_managed", tuple(trail), catalogue.version, tuple(unanswered), ())


# --------------------------------------------------------------------------- 用量未知 (used, amount unknown)


@dataclass(frozen=True)
class _Span:
    """Possible amounts of one quantity, in its answer's unit: from ``low`` to ``high`` (None: no upper end)."""

    low: Fraction
    low_in: bool
    high: Fraction | None
    high_in: bool

    def sample(self) -> Decimal:
        """One amount inside the span (every amount of a span gives the same level)."""
        value = self.low if self.low_in else (self.low * 2 if self.high is None else (self.low + self.high) / 2)
        return Decimal(value.numerator) / Decimal(value.denominator)

    def zh(self, unit: str) -> str:
        if self.low == self.high:
            return f"= {_fmt(self.low)} {unit}"
        low = f"{'≥' if self.low_in else '>'} {_fmt(self.low)} {unit}"
        if self.high is None:
            return "任何用量" if self.low == 0 else low
        high = f"{'≤' if self.high_in else '<'} {_fmt(self.high)} {unit}"
        return high if self.low == 0 else f"{low} 且 {high}"


def _conditions(cond: Condition) -> Iterable[Condition]:
    yield cond
    for inner in (*cond.parts, *cond.excepts):
        yield from _conditions(inner)


def _spans(catalogue: Catalogue, key: str, unit: str) -> list[_Span]:
    """Amounts above 0 cut at every threshold the catalogue compares ``key`` with: (0, t1), [t1], (t1, t2) …"""
    units, cuts = catalogue.units, set()
    for row in catalogue.rows:
        roots = [c for level in LEVELS for c in row.levels[level]] + [x.condition for x in row.not_applicable]
        for cond in (c for root in roots for c in _conditions(root)):
            if cond.kind == "quantity" and cond.quantity == key:
                cuts.add(cond.value * units[cond.unit].factor / units[unit].factor)
    spans, low = [], Fraction(0)
    for cut in sorted(c for c in cuts if c > 0):
        spans += [_Span(low, False, cut, False), _Span(cut, True, cut, True)]
        low = cut
    return spans + [_Span(low, False, None, False)]


def _with_unknown_amounts(facts: EiaFacts, catalogue: Catalogue, strict: bool) -> Classification:
    """Classify once per combination of possible amounts of the 用量未知 quantities; the most demanding decides."""
    unknown = {k: q.unit for k, q in facts.quantities.items() if q.unknown}
    spans = {k: _spans(catalogue, k, unit) for k, unit in unknown.items()}
    cases: list[tuple[dict[str, int], Classification]] = []
    for choice in product(*(range(len(spans[k])) for k in unknown)):
        picked = dict(zip(unknown, choice, strict=True))
        amounts = {k: QuantityIn(value=spans[k][i].sample(), unit=unknown[k]) for k, i in picked.items()}
        cases.append((picked, _classify_known(facts.model_copy(update={"quantities": facts.quantities | amounts}),
                                              catalogue, strict)))
    worst_picked, worst = max(cases, key=lambda case: LEVEL_RANK[case[1].level])  # the smallest amounts that give it
    summaries: list[dict[str, Any]] = []
    for key, unit in unknown.items():
        merged: list[tuple[_Span, str]] = []
        decided_for = 0  # the range holding the most demanding case
        for i, span in enumerate(spans[key]):
            level = max((c.level for p, c in cases if p[key] == i), key=LEVEL_RANK.__getitem__)
            if merged and merged[-1][1] == level:
                merged[-1] = (_Span(merged[-1][0].low, merged[-1][0].low_in, span.high, span.high_in), level)
            else:
                merged.append((span, level))
            if i == worst_picked[key]:
                decided_for = len(merged) - 1
        question = catalogue.quantities[key].question
        ranges = [{"range_zh": span.zh(unit), "level": level, "level_zh": LEVEL_ZH[level]} for span, level in merged]
        told = "；".join(f"若 {r['range_zh']}：{r['level_zh']}" for r in ranges) if len(ranges) > 1 \
            else f"任何用量均为{ranges[0]['level_zh']}"
        summaries.append({"key": key, "question": question, "unit": unit, "ranges": ranges,
                          "decided_for_zh": ranges[decided_for]["range_zh"],
                          "explanation_zh": f"“{question}”用量未知：{told}"})
    trail = [dict(entry) for entry in worst.trail]
    for entry in trail:
        used = entry.get("facts_used")
        if isinstance(used, dict):
            entry["facts_used"] = used | {f"quantities.{s['key']}": f"用量未知（按{s['decided_for_zh']}判定）"
                                          for s in summaries if f"quantities.{s['key']}" in used}
    several = "（多项用量未知：每个区间取其他用量最不利的情形）" if len(summaries) > 1 else ""
    trail.append({"step": "unknown_amounts", "level": worst.level, "level_zh": worst.level_zh,
                  "quantities": summaries, "explanation_zh": "；".join(s["explanation_zh"] for s in summaries)
                  + f"{several} → 用量未知，按可能的最高级别确定：{worst.level_zh}"})
    return Classification(worst.level, tuple(trail), worst.catalogue_version, worst.questions_unanswered, worst.rows,
                          tuple(summaries))


# --------------------------------------------------------------------------- examples (OpenAPI, tests)

EXAMPLE_FACTS: dict[str, dict[str, Any]] = {
    "report_book": {
        "summary": "金属表面处理，含阳极氧化（注6按电镀）→ 报告书（第67行）",
        "value": {"industry_codes": [{"code": "3360", "role": "main"}], "in_industrial_building": True,
                  "sensitive_areas": [], "facts": {"electroplating": False, "anodizing": True}}},
    "report_form": {
        "summary": "通用零部件机加工 + 天然气锅炉 2 MW → 报告表（第69、91行，第四条取最高）",
        "value": {"industry_codes": [{"code": "3484", "role": "main"}, {"code": "4430", "role": "ancillary"}],
                  "in_industrial_building": True, "sensitive_areas": [],
                  "facts": {"electroplating": False, "cwa_only": False},
                  "quantities": {"solvent_coating": {"value": "0", "unit": "t/a"},
                                 "low_voc_coating": {"value": "3", "unit": "t/a"},
                                 "gas_boiler_capacity": {"value": "2", "unit": "MW"},
                                 "coal_oil_boiler_capacity": {"value": "0", "unit": "t/h"}}}},
    "registration": {
        "summary": "肉制品加工 8000 吨/年，无屠宰 → 登记表（第18行“其他肉类加工”）",
        "value": {"industry_codes": [{"code": "1353", "role": "main"}], "in_industrial_building": True,
                  "sensitive_areas": [], "facts": {"slaughtering": False, "meat_processing": True},
                  "quantities": {"meat_processing": {"value": "8000", "unit": "t/a"}}}},
    "not_managed": {
        "summary": "钢结构件仅切割、焊接、组装，不涂装 → 不纳入环评管理（第66行“除外”）",
        "value": {"industry_codes": [{"code": "3311", "role": "main"}], "in_industrial_building": True,
                  "sensitive_areas": [], "facts": {"electroplating": False, "cwa_only": True},
                  "quantities": {"solvent_coating": {"value": "0", "unit": "t/a"},
                                 "low_voc_coating": {"value": "0", "unit": "t/a"}}}},
}
