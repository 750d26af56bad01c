"""Values tests share: the demo password, the repository root, a valid 标准地 application, 环评 facts, the
departments' demo reviewers and an invented holiday schedule.

Kept apart from ``conftest.py`` so that importing them does not run the test session's set-up a second
time (a second import of ``conftest`` picked a new data folder and pointed the environment at it).
"""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from services.standard_land.per_mu import PER_MU

REPO = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "GreenChannel2026!"

# Planned values for demo parcel 1 (DG-SSL-BIO-2026-01) that pass every indicator with room to spare (1.5 times
# its thresholds 400 / 550 / 35). The per-亩 ones are SAMPLE's totals ÷ 45 亩 (intake refuses them otherwise):
# 27000 ÷ 45 = 600, 37125 ÷ 45 = 825, 2362.5 ÷ 45 = 52.5.
PASSING_PLAN = {"investment_intensity": "600", "output_per_mu": "825", "tax_per_mu": "52.5", "floor_area_ratio": "2.5",
                "building_coefficient": "47.5", "office_share": "3.5", "rd_ratio": "4.5"}
_START = date.today() + timedelta(days=60)
SAMPLE = {
    "enterprise_name": "东莞松湖智造科技有限公司", "uscc": "91441900MA4UJ2K317", "legal_representative": "陈立新",
    "contact_name": "林晓", "contact_phone": "13800138000", "project_name": "智能传感器生产基地项目",
    "industry_code": "3983", "total_investment_wan": "27000", "land_area_mu": "45", "parcel_id": 1,
    "expected_annual_output_wan": "37125", "expected_annual_tax_wan": "2362.5",
    "annual_energy_tce": "800", "annual_electricity_kwh": "4000000", "planned_start_on": _START.isoformat(),
    "planned_completion_on": (_START + timedelta(days=450)).isoformat(),
    "planned_production_on": (_START + timedelta(days=540)).isoformat(), "planned_indicators": dict(PASSING_PLAN),
}


def with_plan(application: dict, **plan: str) -> dict:
    """``application`` with these planned values over its own, and each changed per-亩 value's total set to
    agree with it (value × 用地面积), as intake requires: e.g. ``with_plan(SAMPLE, tax_per_mu="20")``."""
    changed = dict(application, planned_indicators=dict(application["planned_indicators"]) | plan)
    area = Decimal(str(application["land_area_mu"]))
    for spec in PER_MU:
        if spec.code in plan:
            changed[spec.total_field] = format((Decimal(plan[spec.code]) * area).normalize(), "f")
    return changed


# 环评 facts of an electronics assembly project (GB/T 4754 3983) that the commitment route accepts.
ELECTRONICS = {
    "industry_codes": [{"code": "3983", "role": "main"}], "in_industrial_building": True, "sensitive_areas": [],
    "facts": {"semiconductor_materials": False, "electronic_chemicals": False, "pcb": False, "cwa_only": False,
              "organic_solvents": True, "acid_pickling": False, "electroplating": False},
    "quantities": {"solvent_coating": {"value": "0", "unit": "t/a"}, "low_voc_coating": {"value": "0", "unit": "t/a"}},
}

# Who decides the steps of each department (demo accounts), e.g. in a 拿地即开工 case.
DEPARTMENT_USERS = {"发展和改革局": "ndrc_reviewer", "自然资源局": "reviewer", "生态环境局": "eia_reviewer",
                    "住房和城乡建设局": "housing_reviewer", "公共资源交易中心": "trading_reviewer",
                    "税务局": "tax_reviewer"}

# TEST DATA, not an official schedule: an invented 2027 arrangement with a 调休 Saturday.
TEST_2027_TOML = """
year = 2027
source = "测试数据（非官方）：虚构的2027年节假日安排"

[[holidays]]
name = "元旦"
start = 2027-01-01
end = 2027-01-03

[[holidays]]
name = "春节"
start = 2027-02-05
end = 2027-02-12

[[workdays]]
date = 2027-02-20
name = "春节调休"
"""
