"""Planned per-亩 values against the totals they come from (``services.standard_land.per_mu``)."""

from decimal import Decimal as D

import pytest

from services.standard_land.per_mu import PER_MU, computed, derivable, disagreement, tolerance
from tests.samples import PASSING_PLAN, SAMPLE, with_plan


def test_the_refusal_names_the_field_and_shows_the_arithmetic():
    message = disagreement("investment_intensity", D(600), D(36000), D(45))
    assert message == ("固定资产投资强度填写600万元/亩，但总投资36000万元÷用地面积45亩=800万元/亩，"
                       "两者不一致（允许误差±8）；请核对，或留空由系统按总投资÷用地面积计算")
    tax = disagreement("tax_per_mu", D("52.5"), D(2400), D(45), "地均税收", "万元/亩·年")
    assert tax is not None and tax.startswith(
        "地均税收填写52.5万元/亩·年，但预计年税收2400万元÷用地面积45亩=53.33万元/亩·年")


@pytest.mark.parametrize(("planned", "total", "area", "agrees"), [
    ("800", "36000", "45", True),
    ("808", "36000", "45", True),        # 1 % of 800 = 8: a figure rounded to two significant digits
    ("808.01", "36000", "45", False),
    ("53", "2400", "45", True),           # 53.33…: 1 % = 0.53
    ("52.85", "2400", "45", True),
    ("20.4", "900", "45", True),          # 20: 0.5 unit is the larger tolerance below 50
    ("20.6", "900", "45", False),
    ("52.5", "2400", "45", False),        # the old shared sample: 2400 ÷ 45 = 53.33, not 52.5
    ("1333", "60000", "45", True),
    ("825", "60000", "45", False),
    ("0", "0", "45", True),
    ("0.6", "0", "45", False),
])
def test_tolerance_is_the_larger_of_half_a_unit_and_one_percent(planned, total, area, agrees):
    assert (disagreement("investment_intensity", D(planned), D(total), D(area)) is None) is agrees


def test_derived_values_are_rounded_half_up_to_two_decimals():
    assert computed(D(2400), D(45)) == D("53.33") and computed(D(60000), D(45)) == D("1333.33")
    assert computed(D(1), D(8)) == D("0.13")  # 0.125 → 0.13
    assert tolerance(D(10)) == D("0.5") and tolerance(D(800)) == D(8) and tolerance(D("53.33")) == D("0.53")


def test_only_codes_whose_total_and_area_are_known_are_derived():
    totals = {"total_investment_wan": D(27000), "expected_annual_output_wan": None, "expected_annual_tax_wan": D(0)}
    assert derivable(totals, D(45)) == {"investment_intensity": D("600.00"), "tax_per_mu": D("0.00")}
    assert derivable(totals, None) == {} and derivable(totals, D(0)) == {}


def test_the_shared_sample_agrees_with_itself():
    for spec in PER_MU:
        assert disagreement(spec.code, D(PASSING_PLAN[spec.code]), D(SAMPLE[spec.total_field]),
                            D(SAMPLE["land_area_mu"])) is None, spec.code
    lower = with_plan(SAMPLE, tax_per_mu="20")
    assert lower["expected_annual_tax_wan"] == "900" and lower["planned_indicators"]["tax_per_mu"] == "20"
    assert lower["total_investment_wan"] == SAMPLE["total_investment_wan"]
