"""Realistic sample contexts for the 拿地即开工 documents: the enterprise's 拿地前预审风险承诺书, then the
four 证照 issued together in one batch once it has won the parcel (四证联发)."""

from __future__ import annotations

from datetime import date, datetime

from tests.document_samples.standard_land import parcel

ISSUER = "东莞市绿色通道服务中心"
BATCH = "SLZF-2027-0012"
NATURAL_RESOURCES = "东莞市自然资源局"
REGISTRATION = "东莞市不动产登记中心"
HOUSING = "东莞市住房和城乡建设局"
PROJECT_CODE = "2612-441900-04-01-356781"
CONTRACT_NO = "441900-2027-000031"
LAND_TITLE_NUMBER = "粤（2027）东莞市不动产权第0031245号"
LAND_PLANNING_NUMBER = "地字第441900202700031号"
CONSTRUCTION_PLANNING_NUMBER = "建字第441900202700058号"


def common(word: str, **overrides) -> dict:
    ctx = {
        "number": f"东莞绿通{word}〔2027〕第0012号",
        "issuer": ISSUER,
        "issued_on": date(2027, 3, 18),
        "verification_code": "9RTM-4KXP-2HQA",
        "enterprise_name": "东莞市松湖智能装备制造有限公司",
        "uscc": "91350100M000100Y43",
        "legal_representative": "陈立新",
        "case_no": "GC-2026-000123",
        "project_name": "松湖智能装备生产基地建设项目",
        "parcel": parcel(),
    }
    ctx.update(overrides)
    return ctx


def risk_commitment(**overrides) -> dict:
    return common("险诺", number="东莞绿通险诺〔2026〕第0012号", issued_on=date(2026, 12, 15)) | {
        "signed_by": "陈立新",
        "signed_at": datetime(2026, 12, 15, 10, 20),  # naive: China time, as stored
        "prereview_items": ["设计方案预审", "施工图预审（含消防、人防）", "环境影响评价", "节能审查"],
        "listing_text": "挂牌出让：公告期20日、挂牌期10日",
    } | overrides


def land_title_certificate(**overrides) -> dict:
    return common("不动产权", number=LAND_TITLE_NUMBER) | {
        "right_holder": "东莞市松湖智能装备制造有限公司",
        "unit_number": "441900 012003 GB00031 W00000000",
        "right_type": "国有建设用地使用权",
        "right_nature": "出让",
        "land_use": "工业用地",
        "area_m2": "20000.00",
        "term_from": date(2027, 3, 10),
        "term_until": date(2077, 3, 9),
        "contract_no": CONTRACT_NO,
        "registration_body": REGISTRATION,
        "batch_no": BATCH,
    } | overrides


def land_use_planning_permit(**overrides) -> dict:
    return common("地字", number=LAND_PLANNING_NUMBER) | {
        "project_code": PROJECT_CODE,
        "land_use": "工业用地（一类）",
        "area_m2": "20000.00",
        "planning_conditions": [
            "容积率1.0～1.8",
            "建筑密度35%～65%",
            "绿地率10%～20%",
            "行政办公及生活服务设施用地比例≤7%",
            "建筑限高45米",
        ],
        "contract_no": CONTRACT_NO,
        "issuing_authority": NATURAL_RESOURCES,
        "batch_no": BATCH,
    } | overrides


def construction_planning_permit(**overrides) -> dict:
    return common("建字", number=CONSTRUCTION_PLANNING_NUMBER) | {
        "project_code": PROJECT_CODE,
        "building_area_m2": "32000.00",
        "scheme_opinion": "东莞市自然资源局设计方案预审意见（东自然资预审〔2026〕第0087号），预审通过",
        "issuing_authority": NATURAL_RESOURCES,
        "batch_no": BATCH,
        "attachments": ["总平面图", "建筑单体平面、立面、剖面图", "设计方案预审意见"],
    } | overrides


def construction_permit(**overrides) -> dict:
    return common("施字", number="441900202703180101") | {
        "project_code": PROJECT_CODE,
        "building_area_m2": "32000.00",
        "contract_price_wan": "8650.5",
        "contractor": "广东华建建设工程有限公司",
        "supervisor_unit": "东莞市建科工程监理有限公司",
        "design_unit": "广东省建筑设计研究院有限公司",
        "planned_start": date(2027, 3, 20),
        "planned_completion": date(2028, 6, 30),
        "land_title_number": LAND_TITLE_NUMBER,
        "land_planning_number": LAND_PLANNING_NUMBER,
        "construction_planning_number": CONSTRUCTION_PLANNING_NUMBER,
        "drawing_review_ref": "施工图预审合格书（东建审〔2026〕第0143号）",
        "funds_committed": True,
        "issuing_authority": HOUSING,
        "batch_no": BATCH,
    } | overrides
