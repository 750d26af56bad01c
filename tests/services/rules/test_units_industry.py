from decimal import Decimal

from services.core import industry
from services.core.units import m2_to_mu, mu_to_m2


def test_mu_conversion_is_exact():
    assert mu_to_m2(Decimal(15)) == Decimal("10000.00")
    assert mu_to_m2(Decimal(1)) == Decimal("666.67")
    assert m2_to_mu(Decimal("68507.52")) == Decimal("102.7613")  # the Beihai listing: 折102.76亩


def test_industry_code_checks():
    assert industry.check_class_code("3983") is None
    assert "4位数字" in industry.check_class_code("398")
    assert "不在园区受理范围" in industry.check_class_code("0111")
    assert industry.division_name("3983") == "计算机、通信和其他电子设备制造业"
