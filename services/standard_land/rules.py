"""标准地 (standard land) rules: pre-assessment of a project against a parcel, and verification.

Pure functions on plain frozen dataclasses — no database, no web, no orchestration — so the same
rules run in the flow, on the web page and in the tests. Decimal only: a binary float must not
decide whether an enterprise owes 违约金.

Terms used in the code and in the Chinese output:

* 控制指标 (control indicator): a parcel's fixed standard, e.g. 固定资产投资强度 ≥ 150 万元/亩,
  held with a comparator ``ge`` (≥), ``le`` (≤) or ``between`` (inclusive band).
* 临界 (at risk): the planned value meets the indicator but with less than the configured margin
  (``DEFAULT_MARGIN`` = 10 %) to spare; the pre-assessment passes it, with a warning.
* 区域评估复用 (reuse of a regional assessment): a project may use an assessment done for the area
  when it is in force, the parcel is in its scope and the industry is on its list.
* 节能审查 (energy review), per 《固定资产投资项目节能审查办法》(2023): none below 1,000 tce and
  5 million kWh a year; provincial from 10,000 tce; local (市/县级) in between.
* 对标验收 (acceptance against the standard, at completion) and 达产复核 (ramp-up review, at the
  end of the initial operating period): actual values checked against the enterprise's commitment.
* 违约金 (liquidated damages): 出让价款 × 差额比例 × 系数, summed over the failed indicators and
  capped at 出让价款 × 系数; plus a rectification deadline and, if agreed, the credit record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from services.core.formatting import format_date_zh
from services.standard_land.models import Comparator, MeasuredAt

RULES_VERSION = "standard_land/1"
DEFAULT_MARGIN = Decimal("0.10")

ENERGY_NONE_TCE = Decimal(1000)
ENERGY_NONE_KWH = Decimal(5_000_000)
ENERGY_PROVINCIAL_TCE = Decimal(10_000)
KWH_PER_WAN = Decimal(10_000)

Checkpoint = Literal["completion", "ramp_up_end", "annual"]
CHECKPOINT_ZH = {"completion": "对标验收", "ramp_up_end": "达产复核", "annual": "年度核验"}
CHECKPOINT_MEASURED_AT: dict[str, frozenset[MeasuredAt]] = {
    "completion": frozenset({MeasuredAt.completion}),
    "ramp_up_end": frozenset({MeasuredAt.ramp_up_end, MeasuredAt.annual}),
    "annual": frozenset({MeasuredAt.annual}),  # each year after 达产: the indicators the parcel checks yearly
}

_ONE_PLACE = Decimal("0.1")
_TWO_PLACES = Decimal("0.01")
_FOUR_PLACES = Decimal("0.0001")
_HUNDRED = Decimal(100)


# --------------------------------------------------------------------------- numbers and text


def to_decimal(value: Decimal | int | str, what: str = "value") -> Decimal:
    """Coerce to Decimal; floats are refused so a binary fraction never enters a verdict."""
    if isinstance(value, bool | float):
        raise TypeError(f"{what}: expected Decimal, int or str, got {type(value).__name__}")
    result = Decimal(value) if isinstance(value, int | str) else value
    if not isinstance(result, Decimal) or not result.is_finite():
        raise ValueError(f"{what}: not a finite number: {value!r}")
    return result


def fmt_decimal(value: Decimal) -> str:
    """Plain notation without trailing zeros (``150.0000`` → ``150``), as the contract prints numbers."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _percent(part: Decimal, base: Decimal, quantum: Decimal = _ONE_PLACE) -> str | None:
    """``part / base`` as a percentage string, half-up; None when the base is zero."""
    if base == 0:
        return None
    return f"{(part / abs(base) * _HUNDRED).quantize(quantum, rounding=ROUND_HALF_UP)}%"


def _with_percent(text: str, part: Decimal, base: Decimal, quantum: Decimal = _ONE_PLACE) -> str:
    pct = _percent(part, base, quantum)
    return f"{text}（{pct}）" if pct else text


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


# --------------------------------------------------------------------------- input specs


@dataclass(frozen=True)
class IndicatorSpec:
    """One 控制指标 of a parcel; ``threshold_high`` only for ``between`` (inclusive band)."""

    code: str
    name_zh: str
    unit: str
    comparator: Comparator
    threshold: Decimal
    threshold_high: Decimal | None
    measured_at: MeasuredAt

    def __post_init__(self) -> None:
        object.__setattr__(self, "comparator", Comparator(self.comparator))
        object.__setattr__(self, "measured_at", MeasuredAt(self.measured_at))
        object.__setattr__(self, "threshold", to_decimal(self.threshold, f"{self.code}.threshold"))
        if self.threshold_high is not None:
            object.__setattr__(self, "threshold_high", to_decimal(self.threshold_high, f"{self.code}.threshold_high"))
        bad_band = self.threshold_high is None or self.threshold_high < self.threshold
        if self.comparator is Comparator.between and bad_band:
            raise ValueError(f"{self.code}: between needs threshold_high ≥ threshold")

    @classmethod
    def from_row(cls, row: Any) -> IndicatorSpec:
        """Build from a ParcelIndicator row (or anything with the same attribute names)."""
        return cls(code=row.code, name_zh=row.name_zh, unit=row.unit or "", comparator=Comparator(row.comparator),
                   threshold=row.threshold, threshold_high=row.threshold_high,
                   measured_at=MeasuredAt(row.measured_at))

    @property
    def high(self) -> Decimal:
        """Upper bound of a ``between`` band (validated present)."""
        assert self.threshold_high is not None
        return self.threshold_high

    @property
    def band_text(self) -> str:
        return f"{fmt_decimal(self.threshold)}～{fmt_decimal(self.high)}"

    @property
    def threshold_text(self) -> str:
        """``≥ 150 万元/亩`` or ``1～1.8`` (plus the unit when there is one)."""
        if self.comparator is Comparator.between:
            return _with_unit(self.band_text, self.unit)
        return _with_unit(f"{self.comparator.symbol} {fmt_decimal(self.threshold)}", self.unit)


@dataclass(frozen=True)
class AssessmentSpec:
    """A 区域评估 with its scope (parcel ids), validity and industry list (GB/T 4754 prefixes)."""

    code: str
    kind: str
    name: str
    authority: str
    valid_from: date
    valid_until: date | None
    parcel_ids: frozenset[int]
    allowed_industry_codes: tuple[str, ...] = ()
    conditions: str = ""

    @classmethod
    def from_row(cls, row: Any, parcel_ids: Iterable[int] | None = None) -> AssessmentSpec:
        """Build from a RegionalAssessment row; the scope comes from ``parcel_ids`` or ``row.parcel_ids``."""
        scope = parcel_ids if parcel_ids is not None else getattr(row, "parcel_ids", ())
        return cls(code=row.code, kind=row.kind, name=row.name, authority=row.authority or "",
                   valid_from=row.valid_from, valid_until=row.valid_until, parcel_ids=frozenset(scope),
                   allowed_industry_codes=tuple(row.allowed_industry_codes or ()), conditions=row.conditions or "")


@dataclass(frozen=True)
class Liability:
    """违约责任 terms of a parcel, applied when a verification finds a shortfall."""

    land_price_wan: Decimal | None
    damages_rate: Decimal = Decimal(1)
    rectification_months: int = 6
    credit_record: bool = True

    @classmethod
    def from_row(cls, row: Any) -> Liability:
        """Build from a Parcel row (or anything with the same attribute names)."""
        price = None if row.land_price_wan is None else to_decimal(row.land_price_wan, "land_price_wan")
        return cls(land_price_wan=price, damages_rate=to_decimal(row.damages_rate, "damages_rate"),
                   rectification_months=int(row.rectification_months), credit_record=bool(row.credit_record))


# --------------------------------------------------------------------------- indicator verdicts


class Verdict(StrEnum):
    pass_ = "pass"
    at_risk = "at_risk"
    fail = "fail"

    @property
    def label_zh(self) -> str:
        return {"pass": "符合", "at_risk": "临界（有风险）", "fail": "不符合"}[self.value]

    @property
    def rank(self) -> int:
        """fail < at_risk < pass, for comparing verdicts."""
        return {"fail": 0, "at_risk": 1, "pass": 2}[self.value]


@dataclass(frozen=True)
class IndicatorResult:
    spec: IndicatorSpec
    planned: Decimal
    verdict: Verdict
    arithmetic: str

    def to_dict(self) -> dict[str, Any]:
        s = self.spec
        return {"code": s.code, "name_zh": s.name_zh, "unit": s.unit, "comparator": s.comparator.value,
                "threshold": fmt_decimal(s.threshold),
                "threshold_high": None if s.threshold_high is None else fmt_decimal(s.threshold_high),
                "threshold_text": s.threshold_text, "measured_at": s.measured_at.value,
                "measured_at_zh": s.measured_at.label_zh, "planned": fmt_decimal(self.planned),
                "verdict": self.verdict.value, "verdict_zh": self.verdict.label_zh, "arithmetic": self.arithmetic}


def _margin_note(margin: Decimal) -> str:
    return f"，余量小于临界幅度 {fmt_decimal(margin * _HUNDRED)}%"


def _evaluate_ge(spec: IndicatorSpec, planned: Decimal, margin: Decimal) -> tuple[Verdict, str]:
    """≥: the more the better; at risk below threshold × (1 + margin)."""
    p, t = fmt_decimal(planned), fmt_decimal(spec.threshold)
    if planned < spec.threshold:
        gap = spec.threshold - planned
        return Verdict.fail, _with_percent(f"计划值 {p} < 控制值 {t}，差额 {fmt_decimal(gap)}", gap, spec.threshold)
    text = _with_percent(f"计划值 {p} ≥ 控制值 {t}，高出 {fmt_decimal(planned - spec.threshold)}",
                         planned - spec.threshold, spec.threshold)
    if planned < spec.threshold * (1 + margin):
        return Verdict.at_risk, text + _margin_note(margin)
    return Verdict.pass_, text


def _evaluate_le(spec: IndicatorSpec, planned: Decimal, margin: Decimal) -> tuple[Verdict, str]:
    """≤: the less the better; at risk above threshold × (1 − margin)."""
    p, t = fmt_decimal(planned), fmt_decimal(spec.threshold)
    if planned > spec.threshold:
        excess = planned - spec.threshold
        text = f"计划值 {p} > 控制值 {t}，超出 {fmt_decimal(excess)}"
        return Verdict.fail, _with_percent(text, excess, spec.threshold)
    text = _with_percent(f"计划值 {p} ≤ 控制值 {t}，低于控制值 {fmt_decimal(spec.threshold - planned)}",
                         spec.threshold - planned, spec.threshold)
    if planned > spec.threshold * (1 - margin):
        return Verdict.at_risk, text + _margin_note(margin)
    return Verdict.pass_, text


def _evaluate_between(spec: IndicatorSpec, planned: Decimal, margin: Decimal) -> tuple[Verdict, str]:
    """Inclusive band; at risk within margin × band width of either bound."""
    low, high, p = spec.threshold, spec.high, fmt_decimal(planned)
    if planned < low:
        gap = low - planned
        return Verdict.fail, _with_percent(
            f"计划值 {p} < 控制下限 {fmt_decimal(low)}（区间 {spec.band_text}），差额 {fmt_decimal(gap)}", gap, low)
    if planned > high:
        excess = planned - high
        text = f"计划值 {p} > 控制上限 {fmt_decimal(high)}（区间 {spec.band_text}），超出 {fmt_decimal(excess)}"
        return Verdict.fail, _with_percent(text, excess, high)
    nearest = min(planned - low, high - planned)
    text = (f"计划值 {p} 在控制区间 {spec.band_text} 内，"
            f"距下限 {fmt_decimal(planned - low)}、距上限 {fmt_decimal(high - planned)}")
    pct = _percent(nearest, high - low)
    text += f"（距最近边界占区间宽度 {pct}）" if pct else ""
    if nearest < margin * (high - low):
        return Verdict.at_risk, text + _margin_note(margin)
    return Verdict.pass_, text


_EVALUATORS = {Comparator.ge: _evaluate_ge, Comparator.le: _evaluate_le, Comparator.between: _evaluate_between}


def evaluate_indicator(spec: IndicatorSpec, planned: Decimal, margin: Decimal = DEFAULT_MARGIN) -> IndicatorResult:
    """Verdict of one planned value: meeting the threshold exactly is met; a thin margin is 临界."""
    planned = to_decimal(planned, spec.code)
    verdict, arithmetic = _EVALUATORS[spec.comparator](spec, planned, _check_margin(margin))
    return IndicatorResult(spec=spec, planned=planned, verdict=verdict, arithmetic=arithmetic)


def _check_margin(margin: Decimal) -> Decimal:
    margin = to_decimal(margin, "margin")
    if not Decimal(0) <= margin < 1:
        raise ValueError(f"margin must be in [0, 1): {margin}")
    return margin


# --------------------------------------------------------------------------- regional assessments


@dataclass(frozen=True)
class AssessmentReuse:
    spec: AssessmentSpec
    reusable: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        s = self.spec
        return {"code": s.code, "kind": s.kind, "name": s.name, "authority": s.authority,
                "valid_from": s.valid_from.isoformat(),
                "valid_until": None if s.valid_until is None else s.valid_until.isoformat(),
                "conditions": s.conditions, "reusable": self.reusable, "reasons": list(self.reasons)}


def _industry_allowed(allowed: Sequence[str], industry_code: str) -> bool:
    """Prefix match on GB/T 4754 codes: ``39`` admits ``3983``; an empty list admits any industry."""
    code = (industry_code or "").strip()
    return not allowed or any(code and code.startswith(prefix.strip()) for prefix in allowed)


def _validity_problem(spec: AssessmentSpec, on_date: date) -> str | None:
    if spec.valid_from > on_date:
        return f"评估尚未生效（自{format_date_zh(spec.valid_from)}起生效）"
    if spec.valid_until is not None and spec.valid_until < on_date:
        return f"评估已过有效期（有效期至{format_date_zh(spec.valid_until)}）"
    return None


def _validity_text(spec: AssessmentSpec) -> str:
    if spec.valid_until is None:
        return f"自{format_date_zh(spec.valid_from)}起长期有效"
    return f"有效期至{format_date_zh(spec.valid_until)}"


def assessment_reuse(spec: AssessmentSpec, parcel_id: int, industry_code: str, on_date: date) -> AssessmentReuse:
    """Whether a project may reuse a 区域评估: in force, parcel in scope, industry on its list."""
    problems = [p for p in (_validity_problem(spec, on_date),) if p]
    if parcel_id not in spec.parcel_ids:
        problems.append("项目地块不在评估范围内")
    if not _industry_allowed(spec.allowed_industry_codes, industry_code):
        allowed = "、".join(spec.allowed_industry_codes)
        code = (industry_code or "").strip()
        problems.append(f"行业代码{code}不在评估准入行业（{allowed}）内" if code
                        else f"未提供行业代码，无法核对评估准入行业（{allowed}）")
    if problems:
        return AssessmentReuse(spec=spec, reusable=False, reasons=tuple(problems))
    reasons = (_validity_text(spec), "有效期、范围、行业均符合，可复用评估结论")
    return AssessmentReuse(spec=spec, reusable=True, reasons=reasons)


# --------------------------------------------------------------------------- energy review


@dataclass(frozen=True)
class EnergyReview:
    annual_energy_tce: Decimal | None
    annual_electricity_kwh: Decimal | None
    needed: bool
    level: Literal["none", "local", "provincial"]
    reason: str

    @property
    def level_zh(self) -> str:
        return {"none": "无需节能审查", "local": "市/县级节能审查", "provincial": "省级节能审查"}[self.level]

    def to_dict(self) -> dict[str, Any]:
        return {"annual_energy_tce": None if self.annual_energy_tce is None else fmt_decimal(self.annual_energy_tce),
                "annual_electricity_kwh": None if self.annual_electricity_kwh is None
                else fmt_decimal(self.annual_electricity_kwh),
                "needed": self.needed, "level": self.level, "reason": self.reason}


def _missing_notes(tce: Decimal | None, kwh: Decimal | None) -> str:
    notes = [n for n, v in (("未填报年综合能耗，按0计", tce), ("未填报年电力消费，按0计", kwh)) if v is None]
    return "；".join(notes) + "；" if notes else ""


def _energy_level(tce: Decimal, kwh: Decimal) -> Literal["none", "local", "provincial"]:
    if tce >= ENERGY_PROVINCIAL_TCE:
        return "provincial"
    if tce < ENERGY_NONE_TCE and kwh < ENERGY_NONE_KWH:
        return "none"
    return "local"


def _energy_reason(level: str, tce: Decimal, kwh: Decimal) -> str:
    usage = f"年综合能耗{fmt_decimal(tce)}吨标准煤"
    power = f"年电力消费{fmt_decimal(kwh / KWH_PER_WAN)}万千瓦时"
    if level == "none":
        return f"{usage}且{power}，均低于1000吨标准煤/500万千瓦时，无需单独进行节能审查"
    if level == "provincial":
        return f"{usage}，达到10000吨标准煤，需进行节能审查，由省级节能审查机关审查"
    triggers = [t for t, hit in (("年综合能耗达到1000吨标准煤", tce >= ENERGY_NONE_TCE),
                                 ("年电力消费达到500万千瓦时", kwh >= ENERGY_NONE_KWH)) if hit]
    return (f"{usage}、{power}，{'且'.join(triggers)}，需进行节能审查；"
            "年综合能耗低于10000吨标准煤，由市/县级节能审查机关审查")


def energy_review(annual_energy_tce: Decimal | None, annual_electricity_kwh: Decimal | None) -> EnergyReview:
    """节能审查 level per the 2023 measures; a missing figure counts as 0 and the reason says so."""
    tce = None if annual_energy_tce is None else to_decimal(annual_energy_tce, "annual_energy_tce")
    kwh = None if annual_electricity_kwh is None else to_decimal(annual_electricity_kwh, "annual_electricity_kwh")
    tce0, kwh0 = tce or Decimal(0), kwh or Decimal(0)
    if tce0 < 0 or kwh0 < 0:
        raise ValueError("energy figures must not be negative")
    level = _energy_level(tce0, kwh0)
    reason = _missing_notes(tce, kwh) + _energy_reason(level, tce0, kwh0)
    return EnergyReview(annual_energy_tce=tce, annual_electricity_kwh=kwh, needed=level != "none",
                        level=level, reason=reason)


# --------------------------------------------------------------------------- proposal and evaluation


@dataclass(frozen=True)
class Proposal:
    result: Literal["approve", "approve_with_risks", "reject"]
    reasons: tuple[str, ...]

    @property
    def result_zh(self) -> str:
        return {"approve": "建议通过", "approve_with_risks": "建议有条件通过（存在临界指标）",
                "reject": "建议不予通过"}[self.result]

    def to_dict(self) -> dict[str, Any]:
        return {"result": self.result, "result_zh": self.result_zh, "reasons": list(self.reasons)}


def _indicator_reason(r: IndicatorResult) -> str:
    label = "不符合控制指标" if r.verdict is Verdict.fail else "处于临界（有风险）"
    return f"{r.spec.name_zh}{label}：{r.arithmetic}"


def propose(indicators: Sequence[IndicatorResult], energy: EnergyReview) -> Proposal:
    """Recommendation: any fail rejects, any 临界 approves with risks; energy review is only a reminder."""
    verdicts = {r.verdict for r in indicators}
    result: Literal["approve", "approve_with_risks", "reject"] = (
        "reject" if Verdict.fail in verdicts else "approve_with_risks" if Verdict.at_risk in verdicts else "approve")
    reasons = [_indicator_reason(r) for r in indicators if r.verdict is Verdict.fail]
    reasons += [_indicator_reason(r) for r in indicators if r.verdict is Verdict.at_risk]
    if result == "approve":
        reasons.append("全部控制指标均符合且留有余量")
    if energy.needed:
        reasons.append(f"提醒：项目需进行{energy.level_zh}（{energy.reason}），不影响本预审结论")
    return Proposal(result=result, reasons=tuple(reasons))


@dataclass(frozen=True)
class StandardLandEvaluation:
    margin: Decimal
    indicators: tuple[IndicatorResult, ...]
    assessments: tuple[AssessmentReuse, ...]
    energy: EnergyReview
    proposal: Proposal

    def to_dict(self) -> dict[str, Any]:
        return {"rules_version": RULES_VERSION, "margin": str(self.margin),
                "indicators": [r.to_dict() for r in self.indicators],
                "assessments": [a.to_dict() for a in self.assessments],
                "energy": self.energy.to_dict(), "proposal": self.proposal.to_dict()}


def _as_specs(specs: Iterable[Any]) -> list[IndicatorSpec]:
    """Accept IndicatorSpec objects or ParcelIndicator rows."""
    return [s if isinstance(s, IndicatorSpec) else IndicatorSpec.from_row(s) for s in specs]


def _require_values(specs: Sequence[IndicatorSpec], values: Mapping[str, Any], what: str) -> None:
    missing = [s.code for s in specs if values.get(s.code) is None]
    if missing:
        raise ValueError(f"missing {what} value(s) for: {', '.join(missing)}")


def evaluate(specs: Iterable[IndicatorSpec], planned: Mapping[str, Decimal], assessments: Iterable[AssessmentSpec],
             parcel_id: int, industry_code: str, on_date: date, energy_tce: Decimal | None,
             electricity_kwh: Decimal | None, margin: Decimal = DEFAULT_MARGIN) -> StandardLandEvaluation:
    """标准地 pre-assessment: every indicator, every assessment's reuse, energy review and a proposal."""
    spec_list = _as_specs(specs)
    _require_values(spec_list, planned, "planned")
    margin = _check_margin(margin)
    results = tuple(evaluate_indicator(s, planned[s.code], margin) for s in spec_list)
    reuse = tuple(assessment_reuse(a, parcel_id, industry_code, on_date) for a in assessments)
    energy = energy_review(energy_tce, electricity_kwh)
    return StandardLandEvaluation(margin=margin, indicators=results, assessments=reuse, energy=energy,
                                  proposal=propose(results, energy))


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class VerificationRow:
    spec: IndicatorSpec
    committed: Decimal | None  # None for between: the commitment is the parcel band
    actual: Decimal
    met: bool
    shortfall: Decimal
    shortfall_ratio: Decimal  # exact; rounded to 4 places in to_dict
    arithmetic: str

    @property
    def committed_text(self) -> str:
        s = self.spec
        if s.comparator is Comparator.between:
            return s.threshold_text
        return _with_unit(f"{s.comparator.symbol} {fmt_decimal(self.committed or Decimal(0))}", s.unit)

    def to_dict(self) -> dict[str, Any]:
        s = self.spec
        committed = s.band_text if self.committed is None else fmt_decimal(self.committed)
        return {"code": s.code, "name_zh": s.name_zh, "unit": s.unit, "comparator": s.comparator.value,
                "committed": committed, "committed_text": self.committed_text, "actual": fmt_decimal(self.actual),
                "met": self.met, "shortfall": fmt_decimal(self.shortfall),
                "shortfall_ratio": str(_round(self.shortfall_ratio, _FOUR_PLACES)), "arithmetic": self.arithmetic}


def _round(value: Decimal, quantum: Decimal) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _ratio(shortfall: Decimal, base: Decimal) -> Decimal:
    """shortfall / base; a zero base with a shortfall counts as a full (100 %) shortfall."""
    if shortfall == 0:
        return Decimal(0)
    return shortfall / abs(base) if base != 0 else Decimal(1)


def _ratio_pct(ratio: Decimal) -> str:
    return f"{_round(ratio, _FOUR_PLACES) * _HUNDRED:.2f}%"


def _shortfall_text(head: str, label: str, shortfall: Decimal, ratio: Decimal) -> str:
    return f"{head}，{label} {fmt_decimal(shortfall)}（{_ratio_pct(ratio)}）"


def _verify_ge_le(spec: IndicatorSpec, committed: Decimal, actual: Decimal) -> VerificationRow:
    a, c = fmt_decimal(actual), fmt_decimal(committed)
    ge = spec.comparator is Comparator.ge
    shortfall = max(committed - actual, Decimal(0)) if ge else max(actual - committed, Decimal(0))
    ratio = _ratio(shortfall, committed)
    if shortfall == 0:
        text = f"实际值 {a} {spec.comparator.symbol} 承诺值 {c}，达到承诺标准"
    elif ge:
        text = _shortfall_text(f"实际值 {a} < 承诺值 {c}", "差额", shortfall, ratio)
    else:
        text = _shortfall_text(f"实际值 {a} > 承诺值 {c}", "超出", shortfall, ratio)
    return VerificationRow(spec=spec, committed=committed, actual=actual, met=shortfall == 0, shortfall=shortfall,
                           shortfall_ratio=ratio, arithmetic=text)


def _verify_between(spec: IndicatorSpec, actual: Decimal) -> VerificationRow:
    low, high, a = spec.threshold, spec.high, fmt_decimal(actual)
    if actual < low:
        shortfall, ratio = low - actual, _ratio(low - actual, low)
        head = f"实际值 {a} < 承诺区间下限 {fmt_decimal(low)}（{spec.band_text}）"
        text = _shortfall_text(head, "差额", shortfall, ratio)
    elif actual > high:
        shortfall, ratio = actual - high, _ratio(actual - high, high)
        head = f"实际值 {a} > 承诺区间上限 {fmt_decimal(high)}（{spec.band_text}）"
        text = _shortfall_text(head, "超出", shortfall, ratio)
    else:
        shortfall, ratio = Decimal(0), Decimal(0)
        text = f"实际值 {a} 在承诺区间 {spec.band_text} 内，达到承诺标准"
    return VerificationRow(spec=spec, committed=None, actual=actual, met=shortfall == 0, shortfall=shortfall,
                           shortfall_ratio=ratio, arithmetic=text)


def verify_indicator(spec: IndicatorSpec, committed: Decimal | None, actual: Decimal) -> VerificationRow:
    """One indicator against the commitment: the enterprise's value for ≥/≤, the parcel band for between."""
    actual = to_decimal(actual, f"{spec.code}.actual")
    if spec.comparator is Comparator.between:
        return _verify_between(spec, actual)
    if committed is None:
        raise ValueError(f"{spec.code}: committed value required")
    return _verify_ge_le(spec, to_decimal(committed, f"{spec.code}.committed"), actual)


@dataclass(frozen=True)
class Consequences:
    rectification_deadline: date | None
    rectification_months: int | None
    damages_wan: Decimal | None
    damages_formula: str | None
    credit_record: bool
    statements: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"rectification_deadline": None if self.rectification_deadline is None
                else self.rectification_deadline.isoformat(),
                "rectification_months": self.rectification_months,
                "damages_wan": None if self.damages_wan is None else str(self.damages_wan),
                "damages_formula": self.damages_formula, "credit_record": self.credit_record,
                "statements": list(self.statements)}


@dataclass(frozen=True)
class VerificationResult:
    checkpoint: Checkpoint
    rows: tuple[VerificationRow, ...]
    consequences: Consequences
    all_met: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "all_met", all(r.met for r in self.rows))

    def to_dict(self) -> dict[str, Any]:
        return {"checkpoint": self.checkpoint, "checkpoint_zh": CHECKPOINT_ZH[self.checkpoint],
                "rows": [r.to_dict() for r in self.rows], "all_met": self.all_met,
                "consequences": self.consequences.to_dict()}


def _damages(failed: Sequence[VerificationRow], liability: Liability) -> tuple[Decimal | None, str]:
    """违约金 = 出让价款 × Σ差额比例 × 系数, capped at 出让价款 × 系数; undetermined without a land price."""
    rate = fmt_decimal(liability.damages_rate)
    ratios = [r.shortfall_ratio for r in failed]
    if len(failed) == 1:
        ratio_text = f"差额比例 {_ratio_pct(ratios[0])}"
    else:
        parts = " + ".join(f"{r.spec.name_zh} {_ratio_pct(r.shortfall_ratio)}" for r in failed)
        ratio_text = f"差额比例（{parts}）"
    if liability.land_price_wan is None:
        return None, f"违约金 = 出让价款 × {ratio_text} × 系数 {rate}（出让价款按土地出让合同确定）"
    price = liability.land_price_wan
    head = f"违约金 = 出让价款 {fmt_decimal(price)} 万元 × {ratio_text} × 系数 {rate}"
    total = price * sum(ratios, Decimal(0)) * liability.damages_rate
    cap = price * liability.damages_rate
    if total > cap:
        capped = _round(cap, _TWO_PLACES)
        return capped, (f"{head} = {_round(total, _TWO_PLACES)} 万元，超过上限（出让价款 × 系数 = {capped} 万元），"
                        f"按上限计 {capped} 万元")
    amount = _round(total, _TWO_PLACES)
    return amount, f"{head} = {amount} 万元"


def _failure_statements(failed: Sequence[VerificationRow], checkpoint: Checkpoint, deadline: date,
                        liability: Liability, damages: Decimal | None, formula: str) -> list[str]:
    items = "；".join(f"{r.spec.name_zh}（{r.arithmetic}）" for r in failed)
    statements = [f"经{CHECKPOINT_ZH[checkpoint]}，以下指标未达到承诺标准：{items}。",
                  f"企业应于{format_date_zh(deadline)}前（{liability.rectification_months}个月内）完成整改，并申请复核。"]
    if damages is None:
        statements.append(f"企业应按履约监管协议支付违约金，具体金额按国有建设用地使用权出让合同约定的出让价款计算确定（{formula}）。")
    else:
        statements.append(f"企业应按履约监管协议支付违约金{damages}万元（{formula}）。")
    if liability.credit_record:
        statements.append("未达标情况纳入企业信用记录。")
    return statements


def _consequences(rows: Sequence[VerificationRow], checkpoint: Checkpoint, measured_on: date,
                  liability: Liability) -> Consequences:
    """Rectification, damages and credit record — only when something is not met."""
    failed = [r for r in rows if not r.met]
    if not failed:
        text = f"经{CHECKPOINT_ZH[checkpoint]}，各项指标均达到承诺标准，不产生违约责任。" if rows \
            else f"本次{CHECKPOINT_ZH[checkpoint]}无需核验的指标，视为达到承诺标准。"
        return Consequences(None, None, None, None, False, (text,))
    deadline = measured_on + relativedelta(months=liability.rectification_months)
    damages, formula = _damages(failed, liability)
    statements = _failure_statements(failed, checkpoint, deadline, liability, damages, formula)
    return Consequences(rectification_deadline=deadline, rectification_months=liability.rectification_months,
                        damages_wan=damages, damages_formula=formula, credit_record=liability.credit_record,
                        statements=tuple(statements))


def verify(specs: Iterable[IndicatorSpec], committed: Mapping[str, Decimal], actual: Mapping[str, Decimal],
           checkpoint: Checkpoint, measured_on: date, liability: Liability) -> VerificationResult:
    """对标验收 (completion) or 达产复核 (ramp-up end): actual values against the commitment, with liabilities."""
    if checkpoint not in CHECKPOINT_MEASURED_AT:
        raise ValueError(f"unknown checkpoint: {checkpoint!r}")
    checked = [s for s in _as_specs(specs) if s.measured_at in CHECKPOINT_MEASURED_AT[checkpoint]]
    _require_values(checked, actual, "actual")
    _require_values([s for s in checked if s.comparator is not Comparator.between], committed, "committed")
    rows = tuple(verify_indicator(s, committed.get(s.code), actual[s.code]) for s in checked)
    return VerificationResult(checkpoint=checkpoint, rows=rows,
                              consequences=_consequences(rows, checkpoint, measured_on, liability))
