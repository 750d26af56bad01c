"""Demo data: the seven Dongguan bases of the seed documents, a few 标准地 parcels each, and one
account per role. Loading twice changes nothing. For demonstration only; the README lists the
accounts and says not to load them in production.
"""

from decimal import Decimal

from sqlmodel import Session, select

from services import clock
from services.models import Enterprise, IndustrialBase, Parcel, Role
from services.users import create_user, get_by_username

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
# parcel areas in m² (a few tens of 亩 each: 20,000 m² = 30 亩)
PARCEL_AREAS = [Decimal("33350.00"), Decimal("46690.12"), Decimal("68507.52")]

DEMO_PASSWORD = "GreenChannel2026!"
DEMO_ENTERPRISE = {"name": "东莞松湖智造科技有限公司", "uscc": "91441900MA4UJ2K317",
                   "legal_representative": "陈立新", "contact_name": "林晓", "contact_phone": "13800138000"}
DEMO_ACCOUNTS = [
    ("enterprise", "东莞松湖智造科技有限公司（林晓）", Role.enterprise, None),
    ("agent", "代办专员 王敏", Role.agent, "绿色通道服务中心"),
    ("reviewer", "自然资源局 审查员 赵刚", Role.reviewer, "自然资源局"),
    ("supervisor", "督办管理员 李华", Role.supervisor, "绿色通道服务中心"),
]


def load(session: Session) -> None:
    for i, (code, name, location) in enumerate(BASES, start=1):
        base = session.exec(select(IndustrialBase).where(IndustrialBase.code == code)).first()
        if base is None:
            base = IndustrialBase(code=code, name=name, district=location)
            session.add(base)
            session.flush()
        for j, area in enumerate(PARCEL_AREAS, start=1):
            number = f"DG-{code}-2026-{j:02d}"
            if session.exec(select(Parcel).where(Parcel.number == number)).first() is None:
                session.add(Parcel(base_id=base.id, number=number, location=f"{location}{i}号片区{j}号地块",
                                   area_m2=area, land_use="工业用地（M1）"))
    enterprise = session.exec(select(Enterprise).where(Enterprise.uscc == DEMO_ENTERPRISE["uscc"])).first()
    if enterprise is None:
        enterprise = Enterprise(**DEMO_ENTERPRISE, created_at=clock.now(), updated_at=clock.now())
        session.add(enterprise)
        session.flush()
    for username, display, role, department in DEMO_ACCOUNTS:
        if get_by_username(session, username) is None:
            create_user(session, username=username, password=DEMO_PASSWORD, display_name=display, role=role,
                        enterprise_id=enterprise.id if role == Role.enterprise else None, department=department)
    session.flush()
