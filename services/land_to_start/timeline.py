"""A case as a timeline (进度甘特图): planned vs actual per step, parallel branches, who each open step
waits on, and the critical path's expected end.

* **Planned**: the baseline from the process definition — each step starts when its predecessors'
  planned ends are reached (from the submission day) and lasts its committed limit.
* **Actual**: when the step started and finished (open steps run to today).
* **Forecast**: finished steps end when they did, open ones at their current deadline (or today if
  that has passed), planned ones after their predecessors' forecast plus their limit; the final step's
  forecast is the **expected end**, and the chain of predecessors that decides it is the **critical
  path** (关键路径).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from services.calendar.schedules import work_calendar
from services.calendar.work_calendar import WorkCalendar
from services.cases import waiting
from services.cases.processes import StepDefinition, get_definition
from services.cases.steps import steps_of
from services.charts.gantt import GanttBar
from services.core.ids import stored_id
from services.models import Application, Step, StepStatus


@dataclass
class Timeline:
    bars: list[GanttBar]
    expected_end: date | None
    critical: list[str]


def _after(calendar: WorkCalendar, start: date, step_def: StepDefinition) -> date:
    if step_def.sla_unit == "calendar_day":
        return start + timedelta(days=step_def.sla_working_days)
    return calendar.add_working_days(start, step_def.sla_working_days).due if step_def.sla_working_days else start


def timeline(session: Session, application: Application, today: date) -> Timeline:
    definition = get_definition(application.process_key, application.process_version)
    calendar = work_calendar(session)
    steps = {s.key: s for s in steps_of(session, stored_id(application))}
    submitted = application.submitted_at.date()
    planned: dict[str, tuple[date, date]] = {}
    forecast: dict[str, date] = {}
    for step_def in definition.steps:
        step = steps[step_def.key]
        start = max([planned[d][1] for d in step_def.depends_on], default=submitted)
        planned[step.key] = (start, _after(calendar, start, step_def))
        forecast[step.key] = _forecast(calendar, step_def, step, forecast, today, submitted)
    final = definition.steps[-1].key
    ended = steps[final].status == StepStatus.cancelled  # closed early (rejected, lost listing)
    critical = [] if ended else _critical_path(definition, forecast, final)
    bars = [GanttBar(key=s.key, label=s.name, lane=s.department, planned_start=planned[s.key][0],
                     planned_end=planned[s.key][1], actual_start=s.started_at.date() if s.started_at else None,
                     actual_end=s.finished_at.date() if s.finished_at else None, status=s.status.value,
                     critical=s.key in critical, waits_on=_waits_on(session, s))
            for s in (steps[d.key] for d in definition.steps)]
    return Timeline(bars=bars, expected_end=None if ended else forecast[final], critical=critical)


def _forecast(calendar: WorkCalendar, step_def: StepDefinition, step: Step, forecast: dict[str, date],
              today: date, submitted: date) -> date:
    if step.status in (StepStatus.completed, StepStatus.cancelled):
        return step.finished_at.date() if step.finished_at else today
    if step.status in (StepStatus.running, StepStatus.suspended):
        return max(step.due_on or today, today)
    start = max([forecast[d] for d in step_def.depends_on], default=submitted)
    return _after(calendar, max(start, today), step_def)


def _critical_path(definition, forecast: dict[str, date], final: str) -> list[str]:
    """Walk back from the final step through the predecessor that finishes last."""
    path, key = [final], final
    while deps := definition.step(key).depends_on:
        key = max(deps, key=lambda d: (forecast[d], d))
        path.append(key)
    return path[::-1]


def _waits_on(session: Session, step: Step) -> str:
    """The bar's note: who the step waits on (``services.cases.waiting``), or nothing."""
    waits = waiting.waiting_on(session, step)
    if waits is None:
        return ""
    if waits.party == waiting.Party.statutory:
        return f"法定期限，至{step.due_on.month}月{step.due_on.day}日" if step.due_on else "法定期限"
    if waits.party == waiting.Party.system:
        return waits.who_zh
    return f"等待：{waits.who_zh}"
