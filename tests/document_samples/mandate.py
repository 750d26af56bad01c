"""Realistic sample contexts for the 代办 mandate documents (委托书, 续办委托书, 终止单, 办结单)."""

from __future__ import annotations

from datetime import date, datetime

ISSUER = "东莞市绿色通道代办服务中心"


def items() -> list[dict]:
    return [
        {"code": "440300-XK-0107", "name": "建设工程规划许可证核发", "department": "东莞市自然资源局",
         "mode": "全程代办"},
        {"code": "440300-XK-0211", "name": "建筑工程施工许可证核发", "department": "东莞市住房和城乡建设局",
         "mode": "协助办理"},
        {"code": "440300-BA-0032", "name": "建设项目环境影响登记表备案", "department": "东莞市生态环境局",
         "mode": "指导服务"},
    ]


def common(word: str, **overrides) -> dict:
    ctx = {
        "number": f"东莞绿通{word}〔2026〕第0007号",
        "issuer": ISSUER,
        "issued_on": date(2026, 11, 27),
        "verification_code": "3HXP-Q7MD-9KTA",
        "enterprise_name": "东莞市松湖智能装备制造有限公司",
        "uscc": "91350100M000100Y43",
        "legal_representative": "陈立新",
        "contact_name": "李晓婷",
        "contact_phone": "13800138000",
        "project_name": "松湖智能装备生产基地建设项目",
        "agency": ISSUER,
        "agent_name": "王敏",
        "agent_phone": "0769-22881234",
        "items": items(),
        "all_items": False,
        "valid_from": date(2026, 11, 27),
        "valid_until": date(2027, 5, 26),
    }
    ctx.update(overrides)
    return ctx


def mandate_letter(**overrides) -> dict:
    return common("代委") | {
        "signed_at": datetime(2026, 11, 27, 9, 35),  # naive: China time, as stored
        "signed_by": "陈立新",
        "reply_working_days": 2,
    } | overrides


def mandate_continuation(**overrides) -> dict:
    return common("代续", issued_on=date(2027, 5, 20), valid_from=date(2027, 5, 27),
                  valid_until=date(2027, 11, 26)) | {
        "original_number": "东莞绿通代委〔2026〕第0007号",
        "previous_until": date(2027, 5, 26),
        "reason": "建筑工程施工许可证核发尚在办理中",
    } | overrides


def mandate_termination(**overrides) -> dict:
    return common("代终", issued_on=date(2027, 2, 3)) | {
        "original_number": "东莞绿通代委〔2026〕第0007号",
        "terminated_on": date(2027, 2, 3),
        "terminated_by": "委托方",
        "reason": "委托方决定自行办理后续审批事项",
        "cases": [
            {"case_no": "GC-2026-000123", "title": "建设工程规划许可证核发", "status_zh": "已办结"},
            {"case_no": "GC-2027-000015", "title": "建筑工程施工许可证核发", "status_zh": "审查中"},
        ],
    } | overrides


def mandate_completion(**overrides) -> dict:
    return common("代结", issued_on=date(2027, 4, 16)) | {
        "original_number": "东莞绿通代委〔2026〕第0007号",
        "completed_on": date(2027, 4, 15),
        "cases": [
            {"case_no": "GC-2026-000123", "title": "建设工程规划许可证核发", "status_zh": "准予许可",
             "finished_on": date(2026, 12, 18)},
            {"case_no": "GC-2027-000015", "title": "建筑工程施工许可证核发", "status_zh": "准予许可",
             "finished_on": date(2027, 4, 15)},
            {"case_no": "GC-2026-000131", "title": "建设项目环境影响登记表备案", "status_zh": "已备案",
             "finished_on": None},
        ],
        "results": [
            {"title": "建设工程规划许可证", "number": "建字第441900202600318号"},
            {"title": "建筑工程施工许可证", "number": "441900202704150101"},
        ],
    } | overrides
