"""Planned per-亩 values (亩均计划值) and the totals they come from: derive them, or check they agree.

Three planned indicators of a 标准地 application are a total divided by the land area (DOMAIN §2.2):
固定资产投资强度 = 总投资 ÷ 用地面积, 亩均产值 = 预计年产值 ÷ 用地面积, 亩均税收 = 预计年税收 ÷ 用地面积.
An application carries both, so they must tell the same story:

* a planned value left out is **derived** from the totals (rounded half-up to 2 decimals) — a clerk need
  not type the same figure twice;
* a planned value given must agree with total ÷ 亩 within :data:`ABSOLUTE_TOLERANCE` (0.5 of the unit)
  or :data:`RELATIVE_TOLERANCE` (1 %) of the computed value, whichever is larger: room for a figure
  rounded to a whole number or to one significant decimal, none for a different plan.

Pure functions on decimals: no database, no web. Intake (``services.standard_land.intake``) calls them
and turns a disagreement into a refusal on the indicator's field.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ABSOLUTE_TOLERANCE = Decimal("0.5")
RELATIVE_TOLERANCE = Decimal("0.01")
_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class PerMu:
    """A per-亩 indicator and the total it divides: indicator code, the total's input field and names."""

    code: str
    name_zh: str
    unit: str
    total_field: str
    total_zh: str


PER_MU: tuple[PerMu, ...] = (
    PerMu("investment_intensity", "固定资产投资强度", "万元/亩", "total_investment_wan", "总投资"),
    PerMu("output_per_mu", "亩均产值", "万元/亩·年", "expected_annual_output_wan", "预计年产值"),
    PerMu("tax_per_mu", "亩均税收", "万元/亩·年", "expected_annual_tax_wan", "预计年税收"),
)
BY_CODE = {p.code: p for p in PER_MU}


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def computed(total: Decimal, area_mu: Decimal) -> Decimal:
    """total ÷ 亩, rounded half-up to 2 decimals (the value derived for an empty planned field)."""
    return (total / area_mu).quantize(_PLACES, rounding=ROUND_HALF_UP)


def tolerance(expected: Decimal) -> Decimal:
    """The larger of 0.5 unit and 1 % of the computed value (2 decimals, as the message shows it)."""
    return max(ABSOLUTE_TOLERANCE, (abs(expected) * RELATIVE_TOLERANCE).quantize(_PLACES, rounding=ROUND_HALF_UP))


def derivable(totals: Mapping[str, Decimal | None], area_mu: Decimal | None) -> dict[str, Decimal]:
    """Code → total ÷ 亩 for each per-亩 indicator whose total and area are known (area > 0)."""
    if area_mu is None or area_mu <= 0:
        return {}
    return {p.code: computed(total, area_mu) for p in PER_MU
            if (total := totals.get(p.total_field)) is not None}


def disagreement(code: str, planned: Decimal, total: Decimal, area_mu: Decimal,
                 name_zh: str | None = None, unit: str | None = None) -> str | None:
    """The Chinese refusal when ``planned`` is not ``total`` ÷ ``area_mu`` (within the tolerance), else None.

    ``name_zh`` and ``unit`` default to the national names; a parcel's own indicator row may name them."""
    spec = BY_CODE[code]
    expected = computed(total, area_mu)
    if abs(planned - total / area_mu) <= tolerance(expected):
        return None
    unit = unit or spec.unit
    return (f"{name_zh or spec.name_zh}填写{_plain(planned)}{unit}，但{spec.total_zh}{_plain(total)}万元÷用地面积"
            f"{_plain(area_mu)}亩={_plain(expected)}{unit}，两者不一致（允许误差±{_plain(tolerance(expected))}）；"
            f"请核对，或留空由系统按{spec.total_zh}÷用地面积计算")
