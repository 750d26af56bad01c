"""豁免环评手续 (exemption from EIA procedures): does an entry of the provincial exemption list cover the project?

The list is data (``data/eia_exemption.toml``, or the park's file named by its commitment configuration).
An entry covers a project when every industry code of the project starts with one of the entry's
prefixes and each of its conditions is answered and holds. Nothing is assumed: an unanswered condition
leaves the exemption open and names the question. The guard: an exemption list covers only
low-impact projects, so a project the catalogue puts at 环境影响报告书 is never exempted, and no file may
raise an entry's ``max_level`` to it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from services.eia.provenance import EiaConfigError, Provenance, read_provenance, require
from services.eia.rules import (
    LEVEL_RANK,
    LEVEL_ZH,
    OPS,
    Catalogue,
    Classification,
    EiaFacts,
    Question,
    fact_answer,
    load_catalogue,
    parse_facts,
)

DEFAULT_EXEMPTION = Path(__file__).parent / "data" / "eia_exemption.toml"
WAIVABLE = ("registration", "report_form")  # never report_book
SENSITIVE_KEY = "sensitive_areas"


@dataclass(frozen=True)
class Check:
    """One condition of an entry: a yes/no fact, a quantity against a threshold, or 不涉及环境敏感区."""

    kind: str  # fact | quantity | sensitive
    key: str
    equals: bool = True
    op: str = "<"
    value: Fraction = Fraction(0)
    unit: str = ""


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    condition_zh: str
    source: str
    inferred: bool
    codes: tuple[str, ...]
    max_level: str
    when: tuple[Check, ...]

    def covers(self, codes: Iterable[str]) -> bool:
        codes = list(codes)
        return bool(codes) and all(any(c.startswith(p) for p in self.codes) for c in codes)


@dataclass(frozen=True)
class ExemptionList:
    version: str
    name: str
    provenance: Provenance
    entries: tuple[Entry, ...]
    path: str


def load_exemption_list(path: str | Path | None = None) -> ExemptionList:
    """The exemption list at ``path`` (default: the bundled illustrative one), checked; cached per path."""
    return _load(str(Path(path or DEFAULT_EXEMPTION).resolve()))


@lru_cache(maxsize=16)
def _load(path: str) -> ExemptionList:
    where = f"豁免名录 {path}"
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise EiaConfigError(f"{where}：无法读取（{error}）") from error
    catalogue = load_catalogue()
    items = require(raw, "entries", list, where, "豁免条目 [[entries]]")
    entries = tuple(_entry(item, i, where, catalogue) for i, item in enumerate(items, start=1))
    return ExemptionList(require(raw, "version", str, where, "名录版本，随每次判定记录"), raw.get("name", ""),
                         read_provenance(raw, "豁免名录", where), entries, path)


def _entry(raw: Mapping[str, Any], i: int, where: str, catalogue: Catalogue) -> Entry:
    here = f"{where} 第{i}条（{raw.get('key', '')}）"
    for key, meaning in (("key", "条目标识"), ("title", "条目名称"), ("condition_zh", "名录所列条件原文"),
                         ("source", "本条出处")):
        require(raw, key, str, here, meaning)
    codes = require(raw, "codes", list, here, "适用的国民经济行业代码前缀")
    if not codes or not all(isinstance(c, str) and c.isdigit() and len(c) <= 4 for c in codes):
        raise EiaConfigError(f"{here}：codes 应为1–4位数字的行业代码前缀（加引号，如 \"701\"）")
    max_level = raw.get("max_level", "registration")
    if max_level not in WAIVABLE:
        raise EiaConfigError(f"{here}：max_level 只能是 registration 或 report_form——豁免名录不豁免环境影响报告书项目")
    return Entry(raw["key"], raw["title"], raw["condition_zh"], raw["source"], bool(raw.get("inferred", False)),
                 tuple(codes), max_level, tuple(_check(c, here, catalogue) for c in raw.get("when", ())))


def _check(raw: Mapping[str, Any], here: str, catalogue: Catalogue) -> Check:
    if raw.get("sensitive") is False:
        return Check("sensitive", SENSITIVE_KEY)
    if "fact" in raw:
        if raw["fact"] not in catalogue.facts:
            raise EiaConfigError(f"{here}：when.fact “{raw['fact']}”不是 eia_questions.toml 定义的是/否问题")
        return Check("fact", raw["fact"], bool(raw.get("equals", True)))
    if "quantity" in raw:
        key, unit, op = raw["quantity"], raw.get("unit", ""), raw.get("op", "<")
        spec = catalogue.quantities.get(key)
        if spec is None:
            raise EiaConfigError(f"{here}：when.quantity “{key}”不是 eia_questions.toml 定义的数量")
        if unit not in spec.units or op not in OPS:
            raise EiaConfigError(f"{here}：when.quantity “{key}”的 unit 应为{'、'.join(spec.units)}，op 应为 "
                                 f"{'、'.join(OPS)}")
        return Check("quantity", key, op=op, value=Fraction(str(require(raw, "value", str, here, "阈值（加引号）"))),
                     unit=unit)
    raise EiaConfigError(f"{here}：when 只能是 fact、quantity 或 sensitive = false")


# --------------------------------------------------------------------------- evaluation


def _holds(check: Check, facts: EiaFacts, catalogue: Catalogue) -> bool | None:
    if check.kind == "sensitive":
        return None if facts.sensitive_areas is None else not facts.sensitive_areas
    if check.kind == "fact":
        answer = fact_answer(facts, check.key, catalogue)
        return None if answer is None else answer == check.equals
    given = facts.quantities.get(check.key)
    if given is None or given.unknown or given.value is None:
        return None
    units = catalogue.units
    x = Fraction(given.value) * units[given.unit].factor / units[check.unit].factor
    return {">=": x >= check.value, ">": x > check.value, "<=": x <= check.value, "<": x < check.value,
            "==": x == check.value}[check.op]


def _check_zh(check: Check, catalogue: Catalogue) -> str:
    if check.kind == "sensitive":
        return "不涉及第三条所列环境敏感区"
    if check.kind == "fact":
        return f"“{catalogue.question_text(check.key)}”答“{'是' if check.equals else '否'}”"
    return f"{catalogue.question_text(check.key)} {OPS[check.op]} {float(check.value):g} {check.unit}"


@dataclass(frozen=True)
class Exemption:
    """Whether an exemption entry applies, which one and why, with the list's provenance."""

    applies: bool
    entry: Entry | None
    explanation_zh: str
    checked: tuple[dict[str, Any], ...]
    questions_unanswered: tuple[str, ...]
    version: str
    provenance: Provenance

    def to_dict(self) -> dict[str, Any]:
        entry = self.entry
        return {"applies": self.applies, "explanation_zh": self.explanation_zh, "version": self.version,
                "entry": None if entry is None else {
                    "key": entry.key, "title": entry.title, "condition_zh": entry.condition_zh,
                    "source": entry.source, "inferred": entry.inferred},
                "checked": [dict(c) for c in self.checked], "questions_unanswered": list(self.questions_unanswered),
                "list": self.provenance.to_dict()}


def check_exemption(classification: Classification, facts: EiaFacts | Mapping[str, Any],
                    exemptions: ExemptionList | None = None, catalogue: Catalogue | None = None) -> Exemption:
    """Apply the exemption list to a classified project; a 报告书 project is never exempted."""
    exemptions = exemptions or load_exemption_list()
    catalogue = catalogue or load_catalogue()
    facts = parse_facts(facts, catalogue)
    codes = [c.code for c in facts.industry_codes]
    candidates = [e for e in exemptions.entries if e.covers(codes)]
    done = (exemptions.version, exemptions.provenance)
    if not candidates:
        return Exemption(False, None, "豁免名录未列出本项目的行业", (), (), *done)
    level = classification.level
    checked: list[dict[str, Any]] = []
    unanswered: list[str] = []
    for entry in candidates:
        if level == "report_book" or LEVEL_RANK[level] > LEVEL_RANK[entry.max_level]:
            why = (f"环评类别为{LEVEL_ZH[level]}，豁免名录只适用于环境影响较小的项目，不降低报告书项目的类别"
                   if level == "report_book" else
                   f"环评类别为{LEVEL_ZH[level]}，本条只豁免至{LEVEL_ZH[entry.max_level]}的项目")
            checked.append({"key": entry.key, "title": entry.title, "applies": False, "explanation_zh": why})
            continue
        results = [(check, _holds(check, facts, catalogue)) for check in entry.when]
        failed = [_check_zh(c, catalogue) for c, r in results if r is False]
        missing = [c.key for c, r in results if r is None]
        if failed:
            why = "不符合：" + "；".join(failed)
        elif missing:
            why = "尚未回答：" + "；".join(catalogue.question_text(k) for k in missing)
            unanswered.extend(k for k in missing if k not in unanswered)
        else:
            shown = "；".join(_check_zh(c, catalogue) for c, _ in results) or "行业在名录内"
            why = f"符合本条条件：{shown}"
            checked.append({"key": entry.key, "title": entry.title, "applies": True, "explanation_zh": why})
            text = (f"属于豁免名录“{entry.title}”：{why}——豁免环评手续，无需编制环评文件、无需办理审批或备案"
                    f"（仍须依法落实污染防治措施及排污许可或排污登记）")
            return Exemption(True, entry, text, tuple(checked), (), *done)
        checked.append({"key": entry.key, "title": entry.title, "applies": False, "explanation_zh": why})
    head = "；".join(f"“{c['title']}”{c['explanation_zh']}" for c in checked)
    return Exemption(False, None, f"豁免名录不适用：{head}", tuple(checked), tuple(unanswered), *done)


def exemption_questions(codes: Iterable[str], asked: Iterable[str], exemptions: ExemptionList | None = None,
                        catalogue: Catalogue | None = None) -> list[Question]:
    """The questions the entries covering these codes need that the wizard has not asked yet."""
    exemptions = exemptions or load_exemption_list()
    catalogue = catalogue or load_catalogue()
    codes, seen = list(codes), set(asked)
    out: list[Question] = []
    for entry in (e for e in exemptions.entries if e.covers(codes)):
        for check in entry.when:
            if check.key in seen or check.kind == "sensitive":
                continue
            seen.add(check.key)
            help_text = f"豁免名录“{entry.title}”的条件"
            if check.kind == "fact":
                out.append(Question(check.key, "bool", catalogue.question_text(check.key), help_text,
                                    target=f"facts.{check.key}"))
            else:
                spec = catalogue.quantities[check.key]
                out.append(Question(check.key, "quantity", spec.question, help_text, units=spec.units,
                                    target=f"quantities.{check.key}"))
    return out
