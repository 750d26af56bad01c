"""Who is told when deadlines move (期限调整通知), e.g. after a year's holiday schedule was loaded.

Passed to ``services.calendar.schedules.load_schedule`` as its ``tell``: the calendar knows which
deadlines moved, this module knows the people concerned by each case — the department contacts of the
step, the applicant enterprise's users and the case's agents (代办 mandates, chief agent). Each is told
once per step and new date (``notify`` deduplicates), so loading the same schedule again tells nobody twice.
"""

from sqlmodel import Session, col, select

from services.agency import service as agency
from services.core.formatting import format_date_zh
from services.models import Application, Role, Step, User
from services.supervision import notifications


def tell_moved_deadlines(session: Session, changes: list[dict], reason: str) -> None:
    """Tell everyone concerned what moved and why (``changes`` as ``recompute_open_deadlines`` lists them)."""
    for change in changes:
        step = session.exec(select(Step).where(Step.application_id == change["application_id"],
                                               Step.key == change["step"])).first()
        application = session.get(Application, change["application_id"])
        if step is None or application is None:
            continue
        enterprise_users = session.exec(select(User).where(
            User.role == Role.enterprise, col(User.is_active), User.enterprise_id == application.enterprise_id)).all()
        old = format_date_zh(change["old_due"]) if change["old_due"] else "—"
        new = format_date_zh(change["new_due"]) if change["new_due"] else "—"
        firm = "" if change["new_provisional"] else "（正式期限）"
        notifications.notify(
            session, [*notifications.department_contacts(session, step.department), *enterprise_users,
                      *agency.agents_for(session, application)],
            kind="deadline_moved", title=f"【期限调整】{application.case_no}“{step.name}”办结期限 {old} → {new}",
            body=f"{reason}。{application.case_no}的“{step.name}”办结期限由{old}调整为{new}{firm}。",
            link=f"/applications/{application.id}",
            dedupe_key=f"deadline-{application.id}-{step.key}-{change['new_due'] or '—'}",
            application_id=application.id)
