"""Demo data: the seven Dongguan bases of the seed documents, three 标准地 parcels each with their
control indicators and liability terms, the regional assessments done for them, and one account
per role. Loading twice changes nothing. For demonstration only; the README lists the accounts and
says not to load them in production.

Indicator values follow the real ranges of DOMAIN §2.2, set high for Dongguan (investment
intensity 300–450 万元/亩, output 350–600 and tax 15–40 万元/亩·年 at the end of the initial
operating period). The regional assessments include one expired flood assessment and one soil-and-
water plan that leaves out DG-SSL-BIO-2026-01, so the reuse check meets both cases.
Parcels and assessments are written through ``services.standard_land.catalogue`` (validated and audited).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from services.core import clock
from services.core.users import create_user, get_by_username
from services.models import Enterprise, IndustrialBase, Parcel, ParcelIndicator, RegionalAssessment, Role
from services.standard_land import catalogue, outlines

# (code, name, location) from 《东莞市战略性新兴产业基地规划建设实施方案》 (seed 001)
BASES = [
    ("SSL-BIO", "松山湖生物医药产业基地", "松山湖三角地及台湾科技园"),
    ("EAST-IM", "东部智能制造产业基地", "松山湖东部工业园"),
    ("NEW-MAT", "东莞新材料产业基地", "松山湖东部工业园"),
    ("DIGITAL", "东莞数字经济融合发展产业基地", "水乡功能区"),
    ("SX-NE", "东莞水乡新能源产业基地", "水乡功能区"),
    ("LS-EI", "临深新一代电子信息产业基地", "塘厦镇"),
    ("YP-HE", "银瓶高端装备产业基地", "谢岗镇"),
]

# Per base: starting land price (万元/亩), initial operating period (years), rectification period
# (months), liquidated-damages rate; then its parcels: location, area (m²), allowed GB/T 4754 codes,
# indicator thresholds (a pair is a 介于 band). DG-SSL-BIO-2026-01 (parcel 1, 50.03 亩) also admits
# 3983 (sensors: biosensors for diagnostic devices) — the intake samples apply for it with that code.
PARCELS: dict[str, tuple[int, int, int, str, list[tuple]]] = {
    "SSL-BIO": (150, 3, 6, "1", [
        ("松山湖园区科技十路以北、工业南路以东（生物医药产业园一期）", "33350.00", ["27", "358", "3983"],
         {"investment_intensity": 400, "output_per_mu": 550, "tax_per_mu": 35, "floor_area_ratio": ("1.5", "3.5"),
          "building_coefficient": (35, 60), "office_share": 7, "rd_ratio": 3}),
        ("松山湖园区新竹路以南、桃园路以西", "46690.12", ["27"],
         {"investment_intensity": 420, "output_per_mu": 600, "tax_per_mu": 40, "floor_area_ratio": ("1.5", "3.5"),
          "building_coefficient": (35, 60), "green_ratio": 15}),
        ("松山湖台湾高科技园北区C地块", "68507.52", ["27", "358"],
         {"investment_intensity": 380, "output_per_mu": 500, "tax_per_mu": 35, "floor_area_ratio": ("1.2", "3.0"),
          "building_coefficient": (35, 60)}),
    ]),
    "EAST-IM": (120, 3, 6, "1", [
        ("东部工业园常平片区环常北路以南、东部快速路以西", "40020.00", ["34", "35"],
         {"investment_intensity": 350, "output_per_mu": 450, "tax_per_mu": 25, "floor_area_ratio": ("1.5", "3.0"),
          "building_coefficient": (40, 65), "office_share": 7, "rd_ratio": "2.5"}),
        ("东部工业园横沥片区田坑路以东", "53360.00", ["35", "38", "40"],
         {"investment_intensity": 330, "output_per_mu": 420, "tax_per_mu": 22, "floor_area_ratio": ("1.5", "3.0"),
          "building_coefficient": (40, 65), "office_share": 7}),
        ("东部工业园桥头片区东深路以西", "26680.00", ["34", "35", "38"],
         {"investment_intensity": 300, "output_per_mu": 400, "tax_per_mu": 20, "floor_area_ratio": ("1.2", "2.8"),
          "building_coefficient": (40, 65)}),
    ]),
    "NEW-MAT": (110, 3, 12, "0.8", [
        ("东部工业园企石片区新材料产业园A区", "60030.00", ["265", "266"],
         {"investment_intensity": 320, "output_per_mu": 400, "tax_per_mu": 20, "floor_area_ratio": ("1.2", "2.5"),
          "building_coefficient": (40, 65), "office_share": 7, "green_ratio": 15}),
        ("东部工业园谢岗片区银湖路以北", "46690.00", ["30", "32"],
         {"investment_intensity": 300, "output_per_mu": 380, "tax_per_mu": 18, "floor_area_ratio": ("1.2", "2.5"),
          "building_coefficient": (40, 65), "rd_ratio": 2}),
        ("东部工业园企石片区新材料产业园B区", "33340.00", ["266", "292", "30"],
         {"investment_intensity": 300, "output_per_mu": 350, "tax_per_mu": 16, "floor_area_ratio": ("1.2", "2.5"),
          "building_coefficient": (40, 65)}),
    ]),
    "DIGITAL": (100, 2, 6, "1", [
        ("水乡功能区麻涌片区数字经济产业园一期", "36685.00", ["39", "65"],
         {"investment_intensity": 450, "output_per_mu": 600, "tax_per_mu": 40, "floor_area_ratio": ("2.0", "3.5"),
          "building_coefficient": (35, 55), "office_share": 7, "rd_ratio": 3}),
        ("水乡功能区中堂片区潢涌科创走廊东侧", "30015.00", ["391", "392", "65"],
         {"investment_intensity": 420, "output_per_mu": 550, "tax_per_mu": 35, "floor_area_ratio": ("2.0", "3.5"),
          "building_coefficient": (35, 55), "rd_ratio": 3}),
        ("水乡功能区望牛墩片区智造港", "26676.00", ["39"],
         {"investment_intensity": 400, "output_per_mu": 500, "tax_per_mu": 30, "floor_area_ratio": ("1.8", "3.5"),
          "building_coefficient": (35, 55)}),
    ]),
    "SX-NE": (90, 3, 6, "1", [
        ("水乡功能区洪梅片区新能源产业园一期", "80040.00", ["384", "3825"],
         {"investment_intensity": 380, "output_per_mu": 500, "tax_per_mu": 25, "floor_area_ratio": ("1.2", "2.5"),
          "building_coefficient": (40, 65), "office_share": 7, "rd_ratio": "2.5"}),
        ("水乡功能区道滘片区南阁西路以北", "53352.00", ["384", "367"],
         {"investment_intensity": 350, "output_per_mu": 450, "tax_per_mu": 22, "floor_area_ratio": ("1.2", "2.5"),
          "building_coefficient": (40, 65), "green_ratio": 15}),
        ("水乡功能区沙田片区港口大道以东", "66690.00", ["3612", "367", "384"],
         {"investment_intensity": 320, "output_per_mu": 400, "tax_per_mu": 20, "floor_area_ratio": ("1.2", "2.0"),
          "building_coefficient": (40, 65)}),
    ]),
    "LS-EI": (115, 3, 6, "1", [
        ("塘厦镇林村片区临深科技园一期", "43355.00", ["39"],
         {"investment_intensity": 420, "output_per_mu": 600, "tax_per_mu": 35, "floor_area_ratio": ("2.0", "3.5"),
          "building_coefficient": (35, 60), "office_share": 7, "rd_ratio": 3}),
        ("塘厦镇平山片区新城路以东", "31350.00", ["397", "398"],
         {"investment_intensity": 400, "output_per_mu": 550, "tax_per_mu": 30, "floor_area_ratio": ("2.0", "3.5"),
          "building_coefficient": (35, 60), "office_share": 7}),
        ("塘厦镇蛟乙塘片区凤凰岗路以南", "20010.00", ["391", "392", "399"],
         {"investment_intensity": 380, "output_per_mu": 500, "tax_per_mu": 30, "floor_area_ratio": ("1.8", "3.5"),
          "building_coefficient": (35, 60)}),
    ]),
    "YP-HE": (85, 3, 12, "0.5", [
        ("谢岗镇银瓶合作创新区银湖片区A地块", "100050.00", ["34", "35", "37"],
         {"investment_intensity": 330, "output_per_mu": 420, "tax_per_mu": 20, "floor_area_ratio": ("1.2", "2.5"),
          "building_coefficient": (40, 65), "office_share": 7, "rd_ratio": 2}),
        ("谢岗镇银瓶合作创新区曹乐片区", "73370.00", ["35", "38", "40"],
         {"investment_intensity": 320, "output_per_mu": 400, "tax_per_mu": 18, "floor_area_ratio": ("1.2", "2.5"),
          "building_coefficient": (40, 65), "green_ratio": 15}),
        ("谢岗镇银瓶合作创新区南面村片区", "46690.00", ["34", "374"],
         {"investment_intensity": 300, "output_per_mu": 350, "tax_per_mu": 15, "floor_area_ratio": ("1.2", "2.0"),
          "building_coefficient": (40, 65)}),
    ]),
}

PLAN_EIA_CONDITIONS = ("入园项目应符合基地产业定位和生态环境准入清单，不得建设电镀、印染、鞣革等重污染工序；"
                       "符合条件的项目环评可按告知承诺制办理，报告表内容可简化。")
ENERGY_CONDITIONS = ("单个项目年综合能源消费量低于1000吨标准煤且年电力消费量低于500万千瓦时的，不再单独进行节能审查；"
                     "超过的应单独编制节能报告。")
# code, kind, name, authority, valid_from, valid_until, base whose industries it assumes, scope (parcel suffixes)
EXTRA_ASSESSMENTS = [
    ("RA-SSL-BIO-FH-2021", "flood", "松山湖生物医药产业基地防洪影响评价", "东莞市水务局", date(2021, 7, 1),
     date(2026, 6, 30), "SSL-BIO", ["01", "02", "03"], "项目场地竖向设计标高不低于评价报告确定的防洪控制标高。"),
    ("RA-SSL-BIO-SB-2025", "soil_water", "松山湖生物医药产业基地水土保持方案（二期）", "东莞市水务局", date(2025, 6, 1),
     None, "SSL-BIO", ["02", "03"], "适用于二期范围内地块；其他地块须单独编制水土保持方案报告表。"),
]

DEMO_PASSWORD = "GreenChannel2026!"
DEMO_ENTERPRISE: dict[str, Any] = {"name": "东莞松湖智造科技有限公司", "uscc": "91441900MA4UJ2K317",
                                   "legal_representative": "陈立新", "contact_name": "林晓",
                                   "contact_phone": "13800138000"}
DEMO_ADMIN = "supervisor"
DEMO_ACCOUNTS = [
    ("enterprise", "东莞松湖智造科技有限公司（林晓）", Role.enterprise, None),
    ("agent", "代办专员 王敏", Role.agent, "绿色通道服务中心"),
    ("agent2", "代办专员 陈静", Role.agent, "绿色通道服务中心"),
    ("reviewer", "自然资源局 审查员 赵刚", Role.reviewer, "自然资源局"),
    ("eia_reviewer", "生态环境局 审查员 周敏", Role.reviewer, "生态环境局"),
    ("ndrc_reviewer", "发展和改革局 审查员 何强", Role.reviewer, "发展和改革局"),
    ("housing_reviewer", "住房和城乡建设局 审查员 郑洁", Role.reviewer, "住房和城乡建设局"),
    ("trading_reviewer", "公共资源交易中心 经办人 孙悦", Role.reviewer, "公共资源交易中心"),
    ("tax_reviewer", "税务局 经办人 冯涛", Role.reviewer, "税务局"),
    ("supervisor", "督办管理员 李华", Role.supervisor, "绿色通道服务中心"),
]


def parcel_number(base_code: str, suffix: int | str) -> str:
    return f"DG-{base_code}-2026-{int(suffix):02d}"


def parcel_inputs() -> list[catalogue.ParcelInput]:
    """The 21 demo parcels as catalogue inputs (the same data a CSV import would carry)."""
    inputs = []
    for code, _name, _district in BASES:
        price, years, months, rate, parcels = PARCELS[code]
        for j, (location, area, industries, values) in enumerate(parcels, start=1):
            area_m2 = Decimal(area)
            indicators = []
            for ind_code, value in values.items():
                name_zh, unit, comparator, measured_at = catalogue.STANDARD_INDICATORS[ind_code]
                low, high = value if isinstance(value, tuple) else (value, None)
                indicators.append(catalogue.IndicatorInput.model_validate(
                    {"code": ind_code, "name_zh": name_zh, "unit": unit, "comparator": comparator,
                     "threshold": str(low), "threshold_high": None if high is None else str(high),
                     "measured_at": measured_at}))
            inputs.append(catalogue.ParcelInput(
                base_code=code, number=parcel_number(code, j), location=location, area=area_m2,
                land_use="工业用地（M1）", allowed_industry_codes=industries,
                land_price_wan=(area_m2 * 3 * price / 2000).quantize(Decimal("0.01")),
                initial_operating_years=years, rectification_months=months, damages_rate=Decimal(rate),
                credit_record=not (code == "YP-HE" and j == 3), indicators=indicators,
                outline=outlines.demo_outline(code, j, float(area_m2))))
    return inputs


def assessment_inputs() -> list[catalogue.AssessmentInput]:
    """A plan EIA and an energy assessment per base, plus the two special cases above."""
    inputs = []
    for code, name, _district in BASES:
        industries = list(dict.fromkeys(c for p in PARCELS[code][4] for c in p[2]))
        numbers = [parcel_number(code, j) for j in (1, 2, 3)]
        inputs.append(catalogue.AssessmentInput(
            code=f"RA-{code}-HP-2024", kind="plan_eia", name=f"{name}规划环境影响评价", authority="东莞市生态环境局",
            valid_from=date(2024, 3, 1), valid_until=date(2029, 2, 28), allowed_industry_codes=industries,
            parcel_numbers=numbers, conditions=PLAN_EIA_CONDITIONS))
        inputs.append(catalogue.AssessmentInput(
            code=f"RA-{code}-NP-2025", kind="energy", name=f"{name}区域节能评价", authority="东莞市发展和改革局",
            valid_from=date(2025, 1, 1), valid_until=date(2027, 12, 31), allowed_industry_codes=industries,
            parcel_numbers=numbers, conditions=ENERGY_CONDITIONS))
    for code, kind, name, authority, start, until, base, suffixes, conditions in EXTRA_ASSESSMENTS:
        industries = list(dict.fromkeys(c for p in PARCELS[base][4] for c in p[2]))
        inputs.append(catalogue.AssessmentInput(
            code=code, kind=kind, name=name, authority=authority, valid_from=start, valid_until=until,
            allowed_industry_codes=industries, parcel_numbers=[parcel_number(base, s) for s in suffixes],
            conditions=conditions))
    return inputs


def load(session: Session) -> None:
    for code, name, location in BASES:
        if session.exec(select(IndustrialBase).where(IndustrialBase.code == code)).first() is None:
            session.add(IndustrialBase(code=code, name=name, district=location))
            session.flush()
    for data in parcel_inputs():
        parcel = session.exec(select(Parcel).where(Parcel.number == data.number)).first()
        if parcel is None:
            catalogue.save_parcel(session, None, data)
        elif session.exec(select(ParcelIndicator.id).where(ParcelIndicator.parcel_id == parcel.id)).first() is None:
            # a parcel of the earlier seed, which had no indicators yet: complete it (once)
            catalogue.save_parcel(session, None, data.model_copy(update={"id": parcel.id}))
    for assessment in assessment_inputs():
        if session.exec(select(RegionalAssessment.id)
                        .where(RegionalAssessment.code == assessment.code)).first() is None:
            catalogue.save_assessment(session, None, assessment)
    enterprise = session.exec(select(Enterprise).where(Enterprise.uscc == DEMO_ENTERPRISE["uscc"])).first()
    if enterprise is None:
        enterprise = Enterprise(**DEMO_ENTERPRISE, created_at=clock.now(), updated_at=clock.now())
        session.add(enterprise)
        session.flush()
    for username, display, role, department in DEMO_ACCOUNTS:
        if get_by_username(session, username) is None:
            user = create_user(session, username=username, password=DEMO_PASSWORD, display_name=display, role=role,
                               enterprise_id=enterprise.id if role == Role.enterprise else None,
                               department=department)
            user.is_admin = username == DEMO_ADMIN  # the demo's 系统管理员 manages the staff accounts
    session.flush()
