"""Sample contexts for the 受理通知书 (acceptance notice): a final due date and a provisional one."""

from __future__ import annotations

from datetime import date, datetime


def acceptance_notice(**overrides) -> dict:
    ctx = {
        "number": "东莞绿通受〔2026〕第0001号",
        "issuer": "东莞市绿色通道服务中心",
        "issued_on": date(2026, 11, 27),
        "enterprise_name": "东莞市松湖智能装备制造有限公司",
        "uscc": "91350100M000100Y43",
        "case_no": "GC-2026-000123",
        "application_title": "标准地预评估申请",
        "project_name": "松湖智能装备生产基地建设项目",
        "submitted_at": datetime(2026, 11, 27, 9, 30),
        "accepted_at": datetime(2026, 11, 27, 14, 5),
        "materials": [
            {"name": "标准地预评估申请表", "form": "原件1份"},
            {"name": "营业执照（副本）", "form": "复印件1份"},
            {"name": "投资项目备案证明", "form": "电子件"},
        ],
        "sla_working_days": 5,
        "due_on": date(2026, 12, 4),
        "due_provisional": False,
        "handler_name": "陈晓明",
        "handler_phone": "0769-22830123",
        "verification_code": "7KQ2-M9XD-4TPA",
    }
    ctx.update(overrides)
    return ctx


def provisional() -> dict:
    """Accepted late in December: the due date falls in a year whose holidays are not published."""
    return acceptance_notice(
        submitted_at=datetime(2026, 12, 28, 9, 0),
        accepted_at=datetime(2026, 12, 28, 10, 30),
        issued_on=date(2026, 12, 28),
        due_on=date(2027, 1, 5),
        due_provisional=True,
    )
