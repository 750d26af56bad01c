"""部门月度通报 (a department's monthly bulletin): what a department handled in a month, on time or late,
what it still holds past its deadline, and the 督办 it received — counted from the steps and escalations,
then issued as a document (PDF + DOCX) by the service centre.

Counted over the department's human steps (部门审查决定), a joint step counting for each of its
departments: **办结** = finished within the month; **按时** = of those, finished on or before the deadline;
**超时办结** = the rest; **逾期未办结** = deadline within or before the month and still not finished at its
end; **督办** = escalations of the department's steps issued within the month (督办通知 and above); **书面回复** =
written replies to 督办通知 the department filed within the month; **回复逾期** = 督办通知 whose reply date fell
within the month and passed with no reply filed (or the last one rejected), as the SLA sweep found them.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.cases.processes import get_definition, known_process_keys
from services.core import clock
from services.core.settings import get_settings
from services.core.visibility import department_matches
from services.documents import issue as documents
from services.models import Application, Document, Escalation, EscalationReply, Step

KIND = "department_bulletin"
LATE_ROWS = 30  # the bulletin lists the longest-overdue items, up to this many


@dataclass(frozen=True)
class LateItem:
    case_no: str
    step_name: str
    due_on: date
    finished_on: date | None  # None: still not finished at the month's end


@dataclass(frozen=True)
class MonthFigures:
    department: str
    first_day: date
    last_day: date
    handled: int
    on_time: int
    late_done: int
    overdue_open: int
    escalations: int
    replies_filed: int
    replies_overdue: int
    late_items: list[LateItem]

    @property
    def on_time_rate(self) -> str:
        """按时办结率 as printed: one decimal, or — when nothing was finished."""
        return f"{self.on_time * 100 / self.handled:.1f}%" if self.handled else "—"


def departments() -> list[str]:
    """The departments that decide steps in some process (a joint step's departments each on their own)."""
    named = {part for key in known_process_keys() for step in get_definition(key).steps if step.kind == "human"
             for part in step.department.split("、")}
    return sorted(named)


def recent(session: Session, limit: int = 24) -> list[Document]:
    """The bulletins issued, newest first."""
    return list(session.exec(select(Document).where(Document.kind == KIND)
                             .order_by(col(Document.issued_at).desc(), col(Document.id).desc()).limit(limit)))


def month_of(value: str) -> date:
    """The first day of a month written 2026-11; ``ValueError`` with a Chinese message otherwise."""
    try:
        year, month = (int(part) for part in value.strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValueError("月份请按“年-月”填写，例如 2026-11") from None


def figures(session: Session, department: str, first_day: date) -> MonthFigures:
    last_day = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    start, end = datetime.combine(first_day, time.min), datetime.combine(last_day + timedelta(days=1), time.min)
    theirs = (col(Step.kind) == "human", department_matches(department))
    finished = session.exec(select(col(Step.due_on), col(Step.finished_at)).where(
        *theirs, col(Step.finished_at) >= start, col(Step.finished_at) < end)).all()
    on_time = sum(1 for due, done in finished if due is None or done is None or done.date() <= due)
    overdue_open = session.exec(select(func.count()).select_from(Step).where(
        *theirs, col(Step.due_on) <= last_day, col(Step.started_at) < end,
        (col(Step.finished_at).is_(None)) | (col(Step.finished_at) >= end))).one()
    escalations = session.exec(select(func.count()).select_from(Escalation).join(
        Step, col(Step.id) == Escalation.step_id).where(
        *theirs, col(Escalation.issued_on) >= first_day, col(Escalation.issued_on) <= last_day)).one()
    replies_filed = session.exec(select(func.count()).select_from(EscalationReply)
                                 .join(Escalation, col(Escalation.id) == EscalationReply.escalation_id)
                                 .join(Step, col(Step.id) == Escalation.step_id).where(
        *theirs, col(EscalationReply.filed_at) >= start, col(EscalationReply.filed_at) < end)).one()
    replies_overdue = session.exec(select(func.count()).select_from(Escalation).join(
        Step, col(Step.id) == Escalation.step_id).where(
        *theirs, col(Escalation.reply_overdue_for) >= first_day,
        col(Escalation.reply_overdue_for) <= last_day)).one()
    late = session.exec(select(col(Application.case_no), col(Step.name), col(Step.due_on), col(Step.finished_at))
                        .join(Application, col(Application.id) == Step.application_id).where(
        *theirs, col(Step.due_on) <= last_day, col(Step.started_at) < end,
        (col(Step.finished_at).is_(None)) | (col(Step.finished_at) >= end)
        | ((col(Step.finished_at) >= start) & (func.date(Step.finished_at) > Step.due_on)))
        .order_by(col(Step.due_on), col(Step.id)).limit(LATE_ROWS)).all()
    items = [LateItem(case_no, name, due, done.date() if done is not None and done < end else None)
             for case_no, name, due, done in late if due is not None]
    return MonthFigures(department, first_day, last_day, len(finished), on_time, len(finished) - on_time,
                        overdue_open, escalations, replies_filed, replies_overdue, items)


def find(session: Session, department: str, first_day: date) -> Document | None:
    return session.exec(select(Document).where(Document.kind == KIND, col(Document.application_id).is_(None),
                                               col(Document.mandate_id).is_(None),
                                               Document.issue_key == _issue_key(department, first_day))).first()


def issue(session: Session, department: str, first_day: date) -> Document:
    """The department's bulletin for the month, issued once (a second request returns the first)."""
    existing = find(session, department, first_day)
    if existing is not None:
        return existing
    counted = figures(session, department, first_day)

    def context(number: str, issued_at: datetime) -> dict:
        return bulletin_context(counted, number, issued_at.date())
    return documents.issue_standalone(session, folder="bulletins", kind=KIND, step_key="bulletin",
                                      issue_key=_issue_key(department, first_day), build_context=context)


def bulletin_context(counted: MonthFigures, number: str, issued_on: date) -> dict:
    settings = get_settings()
    return {"number": number, "issuer": settings.issuer_name, "issued_on": issued_on,
            "department": counted.department, "month": f"{counted.first_day.year}年{counted.first_day.month}月",
            "first_day": counted.first_day, "last_day": counted.last_day, "handled": counted.handled,
            "on_time": counted.on_time, "late_done": counted.late_done, "overdue_open": counted.overdue_open,
            "escalations": counted.escalations, "replies_filed": counted.replies_filed,
            "replies_overdue": counted.replies_overdue, "on_time_rate": counted.on_time_rate,
            "late_items": [{"case_no": i.case_no, "step_name": i.step_name, "due_on": i.due_on,
                            "finished_on": i.finished_on} for i in counted.late_items]}


def ended_month(value: str) -> date:
    """The first day of a month written 2026-11 that has ended (a bulletin counts a whole month);
    ``ValueError`` with a Chinese message otherwise."""
    first_day = month_of(value)
    if first_day > last_month():
        raise ValueError("只能通报已经结束的月份")
    return first_day


def last_month(today: date | None = None) -> date:
    """The first day of the month before ``today`` (a bulletin is made after its month has ended)."""
    first = (today or clock.today()).replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def _issue_key(department: str, first_day: date) -> str:
    """``bulletin-2026-11-<department hash>``: the department's name may be long and in Chinese."""
    return f"bulletin-{first_day:%Y-%m}-{hashlib.sha256(department.encode()).hexdigest()[:16]}"
