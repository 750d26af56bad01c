"""Statistics for supervisors (统计分析): on-time rates, durations and lights, as plain rows.

Every function takes a ``Session`` and returns a list of dicts, ready for a chart and for CSV export;
``CSV_COLUMNS`` names each dataset's columns in Chinese, in order.
"""

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.agency import service as agency
from services.calendar.schedules import work_calendar
from services.core import clock
from services.models import LightSnapshot, Step, StepLight, StepStatus

LIGHTS = ("green", "yellow", "red", "paused")
LIGHT_ZH = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "paused": "暂停"}
BUCKETS = ("le50", "le100", "le150", "gt150")
BUCKET_ZH = {"le50": "≤50%期限", "le100": "50%–100%期限", "le150": "100%–150%期限", "gt150": ">150%期限"}


def _completed_with_due(session: Session) -> list[Step]:
    return list(session.exec(select(Step).where(Step.status == StepStatus.completed, col(Step.due_on).is_not(None),
                                                col(Step.finished_at).is_not(None))).all())


def _rate(on_time: int, completed: int) -> float:
    return round(on_time / completed, 4) if completed else 0.0


def _on_time_rows(steps: list[Step], key) -> list[dict]:
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for step in steps:
        assert step.finished_at and step.due_on, "selected with both (_completed_with_due)"
        entry = counts[key(step)]
        entry[0] += 1
        entry[1] += step.finished_at.date() <= step.due_on
    return [dict(k) | {"completed": c, "on_time": o, "rate": _rate(o, c)} for k, (c, o) in sorted(counts.items())]


def on_time_by_department(session: Session) -> list[dict]:
    """Completed steps with a deadline, per department: how many finished on or before the due date."""
    return _on_time_rows(_completed_with_due(session), lambda s: (("department", s.department),))


def on_time_by_step(session: Session) -> list[dict]:
    """The same per process step name and department."""
    return _on_time_rows(_completed_with_due(session), lambda s: (("step", s.name), ("department", s.department)))


def taken_days(step: Step, calendar) -> int:
    """Time a finished step took in its own unit (working or calendar days), less its paused working days."""
    assert step.started_at and step.finished_at, "a finished step has started and finished"
    start, end = step.started_at.date(), step.finished_at.date()
    if step.sla_unit == "calendar_day":
        elapsed = max((end - start).days, 0)
    else:
        elapsed = calendar.working_days_between(start, end)
    return max(elapsed - (step.paused_working_days or 0), 0)


def bucket_of(taken: int, limit: int) -> str:
    """Where a duration falls relative to the limit: ≤50 %, ≤100 %, ≤150 % or >150 %."""
    if limit <= 0:
        return "le50" if taken <= 0 else "gt150"
    for name, share in (("le50", 1), ("le100", 2), ("le150", 3)):
        if taken * 2 <= limit * share:
            return name
    return "gt150"


def duration_by_step(session: Session) -> list[dict]:
    """Per step name (and limit): how many finished, the average time taken, the limit and the distribution."""
    calendar = work_calendar(session)
    steps = session.exec(select(Step).where(Step.status == StepStatus.completed, col(Step.started_at).is_not(None),
                                            col(Step.finished_at).is_not(None))).all()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for step in steps:
        groups[(step.name, step.sla_working_days, step.sla_unit)].append(taken_days(step, calendar))
    rows = []
    for (name, limit, unit), taken in sorted(groups.items()):
        row = {"step": name, "count": len(taken), "average_days": round(sum(taken) / len(taken), 1),
               "limit_days": limit, "unit": "日" if unit == "calendar_day" else "个工作日"}
        row |= {b: 0 for b in BUCKETS}
        for days in taken:
            row[bucket_of(days, limit)] += 1
        rows.append(row)
    return rows


def open_by_light(session: Session) -> list[dict]:
    """Open steps now, per department: how many show each light (from the last sweep)."""
    found = session.exec(select(StepLight.department, StepLight.light, func.count())
                         .group_by(StepLight.department, StepLight.light)).all()
    rows: dict[str, dict] = {}
    for department, light, count in found:
        row = rows.setdefault(department, {"department": department} | {k: 0 for k in LIGHTS})
        if light in LIGHTS:
            row[light] += count
    for row in rows.values():
        row["total"] = sum(row[k] for k in LIGHTS)
    return [rows[k] for k in sorted(rows)]


def lights_over_time(session: Session, days: int = 30, end: date | None = None) -> list[dict]:
    """The last ``days`` days (up to ``end``, today by default) that have snapshots: totals per light."""
    end = end or clock.today()
    start = end - timedelta(days=days - 1)
    found = session.exec(select(col(LightSnapshot.day), LightSnapshot.light, func.sum(col(LightSnapshot.count)))
                         .where(LightSnapshot.day >= start, LightSnapshot.day <= end)
                         .group_by(col(LightSnapshot.day), LightSnapshot.light)).all()
    rows: dict[date, dict] = {}
    for day, light, count in found:
        row = rows.setdefault(day, {"day": day} | {k: 0 for k in LIGHTS})
        if light in LIGHTS:
            row[light] += int(count or 0)
    return [rows[d] for d in sorted(rows)]


def agent_workload(session: Session) -> list[dict]:
    """Each active agent's open work: mandates, open steps of their cases by light (last sweep), first
    contacts still due (限时回复) and key projects led as chief agent — for balancing assignments."""
    rows = []
    for load in agency.workloads(session):
        rows.append({"agent": load.agent.display_name, "mandates": load.mandates, "open_steps": load.open_steps,
                     "red": load.red, "yellow": load.yellow, "other": load.open_steps - load.red - load.yellow,
                     "contacts_due": load.contacts_due, "chief_of": load.chief_of})
    return sorted(rows, key=lambda r: (-r["open_steps"], -r["mandates"], r["agent"]))


#: dataset name → (function, [(key, Chinese column header)])
DATASETS = {
    "on_time_by_department": (on_time_by_department, [
        ("department", "部门"), ("completed", "已办结环节数"), ("on_time", "按期办结数"), ("rate", "按期率")]),
    "on_time_by_step": (on_time_by_step, [
        ("step", "办理环节"), ("department", "部门"), ("completed", "已办结环节数"), ("on_time", "按期办结数"),
        ("rate", "按期率")]),
    "duration_by_step": (duration_by_step, [
        ("step", "办理环节"), ("count", "已办结数"), ("average_days", "平均用时"), ("limit_days", "承诺时限"),
        ("unit", "计时单位")] + [(b, BUCKET_ZH[b]) for b in BUCKETS]),
    "open_by_light": (open_by_light, [("department", "部门")] + [(k, LIGHT_ZH[k]) for k in LIGHTS]
                      + [("total", "合计")]),
    "lights_over_time": (lights_over_time, [("day", "日期")] + [(k, LIGHT_ZH[k]) for k in LIGHTS]),
    "agent_workload": (agent_workload, [
        ("agent", "代办专员"), ("mandates", "在办委托"), ("open_steps", "在办环节"), ("red", "红灯"),
        ("yellow", "黄灯"), ("other", "绿灯及暂停"), ("contacts_due", "待首次联系"), ("chief_of", "首席代办项目")]),
}


def csv_text(name: str, rows: list[dict]) -> str:
    """A dataset as CSV text with the Chinese header (no BOM; the route adds it); rates as percentages."""
    import csv
    import io

    columns = DATASETS[name][1]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _, title in columns])
    for row in rows:
        writer.writerow([f"{row[key] * 100:.1f}%" if key == "rate" else row[key] for key, _ in columns])
    return out.getvalue()
