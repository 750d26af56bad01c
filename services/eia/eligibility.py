"""环评告知承诺制 (EIA approval by notification and commitment): may this project take that route?

Pure functions on frozen dataclasses — no database, web or orchestration. The conditions are
configuration (``data/eia_commitment.toml``; a province or city passes its own file to
:func:`load_commitment_config`), and the configuration's ``version`` is returned with every answer.

Terms used in the code and in the Chinese output:

* 告知承诺制: the authority states the conditions, the applicant commits in writing that they are
  met, and the authority approves without substantive review, checking afterwards.
* 规划环评 (plan EIA): the park's plan-level EIA, a regional assessment of kind ``plan_eia``; the
  project's parcel must be in its scope and the assessment in force on the day.
* 环境敏感区: the areas of art. 3 of the 2021 catalogue (any item counts here).
* 正面清单 (positive list): the industries admitted to the route, as GB/T 4754 prefixes of the main
  works (ancillary boilers or wastewater plants do not have to be on it).
* Excluded processes: facts such as electroplating (化学镀 and 阳极氧化 included, note 6); an
  unanswered excluded fact fails its condition — the commitment letter must state it.

The positive list is the park's published text or, until the park loads its own file (setting
``eia_commitment_file``), the bundled example: its ``source``, ``published_on`` and ``illustrative`` flag
(:mod:`services.eia.provenance`) travel with every answer so that pages and documents say which.

Every condition is returned with ``met`` and a Chinese explanation; failing one makes the route
unavailable, but the applicant may always choose the normal route instead (``voluntary_zh``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from services.core.settings import get_settings
from services.eia.provenance import EiaConfigError, Provenance, read_provenance, require
from services.eia.rules import (
    Catalogue,
    Classification,
    EiaFacts,
    Question,
    fact_answer,
    load_catalogue,
    parse_facts,
)

DEFAULT_COMMITMENT = Path(__file__).parent / "data" / "eia_commitment.toml"
ROUTE_LEVELS = ("report_form", "report_book")


@dataclass(frozen=True)
class CommitmentConfig:
    version: str
    name: str
    allow_report_book: bool
    require_plan_eia: bool
    require_not_sensitive: bool
    excluded_facts: tuple[str, ...]
    positive_list: tuple[str, ...]
    positive_list_exclude: tuple[str, ...]
    explanations: Mapping[str, str]
    excluded_names: Mapping[str, str]
    path: str = ""
    provenance: Provenance | None = None
    exemption_file: str = ""  # the park's 豁免名录 named by this file, resolved; "" = the bundled example
    simplified_file: str = ""  # the park's 简化环评内容 list, likewise

    def on_positive_list(self, code: str) -> bool:
        return any(code.startswith(p) for p in self.positive_list) and \
            not any(code.startswith(p) for p in self.positive_list_exclude)


def load_commitment_config(path: str | Path | None = None) -> CommitmentConfig:
    """The eligibility configuration at ``path`` (default: the shipped one); cached per path.

    Raises :class:`EiaConfigError` naming the key when a park's file lacks its source, date, version or
    positive list, or names a process the questions do not define."""
    return _load(str(Path(path or DEFAULT_COMMITMENT).resolve()))


def current_config() -> CommitmentConfig:
    """The park's configuration (setting ``eia_commitment_file``) or the bundled illustrative one."""
    return load_commitment_config(get_settings().eia_commitment_file or None)


@lru_cache(maxsize=16)
def _load(path: str) -> CommitmentConfig:
    where = f"告知承诺制配置 {path}"
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise EiaConfigError(f"{where}：无法读取（{error}）") from error
    explanations = dict(tomllib.loads(DEFAULT_COMMITMENT.read_text(encoding="utf-8"))["explanations"])
    explanations.update(raw.get("explanations", {}))  # a local file may override only some texts
    version = require(raw, "version", str, where, "配置版本，随每次判定记录")
    positive = require(raw, "positive_list", list, where, "正面清单：主体工程的国民经济行业代码前缀")
    for key in ("positive_list", "positive_list_exclude"):
        bad = [p for p in raw.get(key, ()) if not (isinstance(p, str) and p.isdigit() and 1 <= len(p) <= 4)]
        if bad:
            raise EiaConfigError(f"{where}：{key} 中的“{bad[0]}”不是1–4位数字的行业代码前缀（加引号，如 \"292\"）")
    questions = load_catalogue().facts
    unknown = [k for k in raw.get("excluded_facts", ()) if k not in questions]
    if unknown:
        raise EiaConfigError(f"{where}：excluded_facts 中的“{unknown[0]}”不是 eia_questions.toml 定义的是/否问题")
    here = Path(path).parent
    return CommitmentConfig(
        version=version, name=raw.get("name", ""),
        allow_report_book=bool(raw.get("allow_report_book", False)),
        require_plan_eia=bool(raw.get("require_plan_eia", True)),
        require_not_sensitive=bool(raw.get("require_not_sensitive", True)),
        excluded_facts=tuple(raw.get("excluded_facts", ())),
        positive_list=tuple(positive),
        positive_list_exclude=tuple(raw.get("positive_list_exclude", ())),
        explanations=explanations, excluded_names=dict(raw.get("excluded_names", {})), path=path,
        provenance=read_provenance(raw, "正面清单", where),
        exemption_file=str((here / raw["exemption_file"]).resolve()) if raw.get("exemption_file") else "",
        simplified_file=str((here / raw["simplified_file"]).resolve()) if raw.get("simplified_file") else "")


@dataclass(frozen=True)
class EligibilityCondition:
    key: str
    met: bool
    explanation_zh: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "met": self.met, "explanation_zh": self.explanation_zh}


@dataclass(frozen=True)
class Eligibility:
    """Whether the commitment route is open, each condition with its explanation, and the config version."""

    eligible: bool
    conditions: tuple[EligibilityCondition, ...]
    config_version: str
    catalogue_version: str
    level: str
    voluntary_zh: str
    provenance: Provenance | None = None

    @property
    def failed(self) -> tuple[EligibilityCondition, ...]:
        return tuple(c for c in self.conditions if not c.met)

    def to_dict(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "conditions": [c.to_dict() for c in self.conditions],
                "config_version": self.config_version, "catalogue_version": self.catalogue_version,
                "level": self.level, "voluntary_zh": self.voluntary_zh,
                "positive_list": self.provenance.to_dict() if self.provenance else None}


def check_commitment_route(classification: Classification, facts: EiaFacts | Mapping[str, Any], has_plan_eia: bool,
                           config: CommitmentConfig | None = None,
                           catalogue: Catalogue | None = None) -> Eligibility:
    """Check each configured condition of the commitment route for a classified project."""
    config = config or current_config()
    catalogue = catalogue or load_catalogue()
    facts = parse_facts(facts, catalogue)
    text = config.explanations
    conditions: list[EligibilityCondition] = []

    level = classification.level
    if level == "report_form" or (level == "report_book" and config.allow_report_book):
        ok = text["level_ok"].format(level_zh=classification.level_zh)
        conditions.append(EligibilityCondition("level", True, ok))
    else:
        conditions.append(EligibilityCondition("level", False, text[f"level_{level}"]))

    if config.require_plan_eia:
        conditions.append(EligibilityCondition("plan_eia", has_plan_eia,
                                               text["plan_eia_ok" if has_plan_eia else "plan_eia_missing"]))

    if config.require_not_sensitive:
        parts = facts.sensitive_areas
        if parts is None:
            conditions.append(EligibilityCondition("not_sensitive", False, text["not_sensitive_unanswered"]))
        elif parts:
            labels = catalogue.sensitive.parts or {}
            names = "、".join(labels.get(p, str(p)) for p in sorted(set(parts)))
            failed = text["not_sensitive_failed"].format(parts=names)
            conditions.append(EligibilityCondition("not_sensitive", False, failed))
        else:
            conditions.append(EligibilityCondition("not_sensitive", True, text["not_sensitive_ok"]))

    for key in config.excluded_facts:
        name = config.excluded_names.get(key) or catalogue.question_text(key)
        answer = fact_answer(facts, key, catalogue)
        variant = "excluded_unanswered" if answer is None else ("excluded_failed" if answer else "excluded_ok")
        conditions.append(EligibilityCondition(f"not_{key}", answer is False, text[variant].format(name=name)))

    main = [c.code for c in facts.industry_codes if c.role == "main"] or [c.code for c in facts.industry_codes]
    outside = [c for c in main if not config.on_positive_list(c)]
    conditions.append(EligibilityCondition(
        "positive_list", not outside,
        text["positive_list_failed"].format(codes="、".join(outside)) if outside
        else text["positive_list_ok"].format(codes="、".join(main))))

    return Eligibility(all(c.met for c in conditions), tuple(conditions), config.version,
                       classification.catalogue_version, level, text["voluntary"], config.provenance)


# --------------------------------------------------------------------------- plan EIA from plain data


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def plan_eia_for(assessments: Iterable[Mapping[str, Any]], parcel_id: int, on: date,
                 kind: str = "plan_eia") -> Mapping[str, Any] | None:
    """The first assessment of ``kind`` covering the parcel and in force on ``on``, or None.

    Each assessment is a plain dict with ``kind``, ``valid_from``, ``valid_until`` (None = open-ended;
    dates or ISO strings) and ``parcel_ids`` — e.g. a RegionalAssessment row with its scope.
    """
    for item in assessments:
        if item.get("kind") != kind:
            continue
        start, end = _date(item.get("valid_from")), _date(item.get("valid_until"))
        in_force = (start is None or start <= on) and (end is None or on <= end)
        in_scope = int(parcel_id) in {int(p) for p in item.get("parcel_ids", ())}
        if in_force and in_scope:
            return item
    return None


def has_plan_eia(assessments: Iterable[Mapping[str, Any]], parcel_id: int, on: date, kind: str = "plan_eia") -> bool:
    """Whether the parcel is covered on ``on`` by a plan EIA in force (see :func:`plan_eia_for`)."""
    return plan_eia_for(assessments, parcel_id, on, kind) is not None


def eligibility_questions(asked: Iterable[str], config: CommitmentConfig | None = None,
                          catalogue: Catalogue | None = None) -> list[Question]:
    """Questions the commitment-route check needs that the catalogue rows did not ask (e.g. electroplating
    for an electronics plant): the wizard asks them too, so the check never fails for lack of an answer."""
    config = config or current_config()
    catalogue = catalogue or load_catalogue()
    asked = set(asked)
    return [Question(key=key, kind="bool", question=catalogue.question_text(key),
                     help="告知承诺制条件：" + (config.excluded_names.get(key) or key), target=f"facts.{key}")
            for key in config.excluded_facts if key not in asked]
