"""Exact unit conversions: 1 亩 = 2000/3 m² (15 亩 = 1 公顷)."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

M2_PER_MU = Fraction(2000, 3)


def mu_to_m2(mu: Decimal, places: int = 2) -> Decimal:
    exact = Fraction(mu) * M2_PER_MU
    return _round(exact, places)


def m2_to_mu(m2: Decimal, places: int = 4) -> Decimal:
    exact = Fraction(m2) / M2_PER_MU
    return _round(exact, places)


def _round(value: Fraction, places: int) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, rounding=ROUND_HALF_UP)
