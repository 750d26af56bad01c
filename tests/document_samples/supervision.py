"""Sample contexts for the supervision documents: the weekly 进度报告 and the 督办通知."""

from __future__ import annotations

from datetime import date

from tests.document_samples.standard_land import common

NONE_TEXT = "—"


def step(name: str, department: str, status: str, due_on: date | None, remaining: str, light: str,
         waiting_on: str, next_action: str) -> dict:
    return {"name": name, "department": department, "status": status, "due_on": due_on, "remaining": remaining,
            "light": light, "waiting_on": waiting_on, "next_action": next_action}


def progress_report(**overrides) -> dict:
    """Week 50 of 2026 for a plant project: a planning permit (one step red, one finished), a construction
    permit (one green, one paused for 补正) and an EIA approval (one yellow); four milestones."""
    ctx = common("进") | {
        "as_of": date(2026, 12, 10),
        "period": "2026年第50周",
        "audience": "企业及园区领导",
        "cases": [
            {"case_no": "GC-2026-000123", "title": "建设工程规划许可", "status": "审批中", "steps": [
                step("规划条件核实", "东莞市自然资源局", "已办结", date(2026, 11, 20), NONE_TEXT, "none", NONE_TEXT,
                     "—"),
                step("建设工程规划许可证核发", "东莞市自然资源局", "审查中", date(2026, 12, 3), "超期4个工作日", "red",
                     "自然资源局", "已发督办通知，12月15日前书面回复"),
            ]},
            {"case_no": "GC-2026-000124", "title": "建筑工程施工许可", "status": "审批中", "steps": [
                step("施工图审查合格书备案", "东莞市住房和城乡建设局", "审查中", date(2026, 12, 18), "剩余6个工作日",
                     "green", "住房和城乡建设局", "按期办结"),
                step("施工许可证核发", "东莞市住房和城乡建设局", "补正中", None, "—", "paused", "申请企业（补正）",
                     "企业补交监理合同后恢复计时"),
            ]},
            {"case_no": "GC-2026-000125", "title": "环境影响报告表审批", "status": "审批中", "steps": [
                step("环境影响报告表审批", "东莞市生态环境局", "技术评估后审查", date(2026, 12, 11), "剩余1个工作日",
                     "yellow", "生态环境局", "服务专员已提醒承办人，明日办结"),
            ]},
        ],
        "summary": {"green": 1, "yellow": 1, "red": 1, "paused": 1},
        "milestones": [
            {"name": "取得建设用地规划许可证", "planned": date(2026, 10, 30), "actual": date(2026, 10, 28)},
            {"name": "取得建设工程规划许可证", "planned": date(2026, 12, 3), "actual": None},
            {"name": "取得施工许可证、开工建设", "planned": date(2027, 1, 15), "actual": None},
            {"name": "竣工联合验收", "planned": None, "actual": None},
        ],
    }
    ctx.update(overrides)
    return ctx


def supervision_notice(**overrides) -> dict:
    """A 建设工程规划许可 review step at the 自然资源局, 5 working days committed, started 23 Nov 2026,
    paused 3 working days for 补正, due 3 Dec; on 10 Dec it is 4 working days overdue and red."""
    ctx = common("督") | {
        "department": "东莞市自然资源局",
        "step_name": "建设工程规划许可证核发",
        "application_title": "建设工程规划许可申请",
        "level": 1,
        "started_on": date(2026, 11, 23),
        "due_on": date(2026, 12, 3),
        "limit_text": "5个工作日",
        "overdue_working_days": 4,
        "paused_working_days": 3,
        "light": "red",
        "required_action": "立即办结该事项；确有困难的，书面说明原因、已采取的措施和预计办结时间",
        "reply_due_on": date(2026, 12, 15),
        "copy_to": ["绿色通道服务中心服务专员", "现场指挥部"],
        "history": [
            {"on": date(2026, 12, 4), "event": "超过办结期限，亮红灯，服务专员电话催办"},
            {"on": date(2026, 12, 2), "event": "剩余1个工作日，亮黄灯，已提醒承办人及部门联络员"},
        ],
    }
    ctx.update(overrides)
    return ctx


def department_bulletin(**overrides) -> dict:
    """自然资源局 in November 2026: 42 finished (40 on time, 2 late), 1 still overdue at the month's end, 1 督办."""
    ctx = {
        "number": "东莞绿通通〔2026〕第0003号", "issuer": "东莞市战略性新兴产业基地绿色通道服务中心",
        "issued_on": date(2026, 12, 1), "verification_code": "3MZP-Q8WA-6TKD", "department": "自然资源局",
        "month": "2026年11月", "first_day": date(2026, 11, 1), "last_day": date(2026, 11, 30),
        "handled": 42, "on_time": 40, "late_done": 2, "overdue_open": 1, "escalations": 1, "replies_filed": 1,
        "replies_overdue": 0, "on_time_rate": "95.2%",
        "late_items": [
            {"case_no": "GC-2026-000117", "step_name": "用地预审与选址意见书", "due_on": date(2026, 11, 6),
             "finished_on": None},
            {"case_no": "GC-2026-000121", "step_name": "建设用地规划许可证核发", "due_on": date(2026, 11, 12),
             "finished_on": date(2026, 11, 16)},
            {"case_no": "GC-2026-000126", "step_name": "标准地预评估审查", "due_on": date(2026, 11, 20),
             "finished_on": date(2026, 11, 23)},
        ],
    }
    ctx.update(overrides)
    return ctx
