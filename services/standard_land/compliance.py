"""全周期监管 (whole-cycle supervision) of 标准地 commitments: the checks run themselves.

An approved case's committed dates become scheduled checks (``ComplianceCheck``): 对标验收 on the planned
completion date, 达产复核 when the initial operating period after the planned start of production ends, and — when
the parcel has indicators checked every year — a 年度核验 each year after that, the next one planned once the
previous is done. The daily
sweep plans missing checks, lights them (green; yellow within ``DUE_SOON_DAYS``; red when overdue) and reminds the
enterprise, its agents and the supervisors once per stage. A verification recorded by the park carries out the
earliest open check of its checkpoint; a shortfall opens a 整改复核 due at the end of the rectification period.
Every verification and every overdue rectification is an entry of the exportable credit record (信用记录).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from dateutil.relativedelta import relativedelta
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.agency import service as agency
from services.core import clock
from services.core.formatting import format_date_zh
from services.core.ids import stored_id
from services.models import (
    Application,
    ApplicationStatus,
    ComplianceCheck,
    Enterprise,
    MeasuredAt,
    Parcel,
    ParcelIndicator,
    Project,
    Role,
    User,
    VerificationRecord,
)
from services.standard_land.service import evaluation_of
from services.supervision import notifications

#: a check this many calendar days away (or closer) is yellow and its reminder goes out
DUE_SOON_DAYS = 30
KIND_ZH = {"completion": "对标验收", "ramp_up_end": "达产复核", "annual": "年度核验", "rectification": "整改复核"}
Light = Literal["green", "yellow", "red", "done"]


def light_of(check: ComplianceCheck, today: date) -> Light:
    """done once carried out; red past its due date; yellow within ``DUE_SOON_DAYS``; green before."""
    if check.status == "done":
        return "done"
    if check.due_on < today:
        return "red"
    return "yellow" if (check.due_on - today).days <= DUE_SOON_DAYS else "green"


def planned_dates(project: Project, parcel: Parcel) -> dict[str, date]:
    """The committed dates of a project: completion, and the end of the initial operating period."""
    dates = {}
    if project.planned_completion_on:
        dates["completion"] = project.planned_completion_on
    if project.planned_production_on:
        dates["ramp_up_end"] = project.planned_production_on + relativedelta(years=parcel.initial_operating_years)
    return dates


def plan_checks(session: Session) -> int:
    """Schedule the 对标验收 and 达产复核 of every approved 标准地 case that lacks them; returns how many."""
    planned = {(a, k) for a, k in session.exec(select(ComplianceCheck.application_id, ComplianceCheck.kind).where(
        col(ComplianceCheck.kind).in_(("completion", "ramp_up_end"))))}
    annual: dict[int, list[ComplianceCheck]] = {}
    for check in session.exec(select(ComplianceCheck).where(ComplianceCheck.kind == "annual")):
        annual.setdefault(check.application_id, []).append(check)
    cases = session.exec(select(Application, Project, Parcel)
                         .join(Project, col(Project.id) == Application.project_id)
                         .join(Parcel, col(Parcel.id) == Project.parcel_id)
                         .where(Application.process_key == "standard_land",
                                Application.status == ApplicationStatus.approved)).all()
    # parcels that check something every year: only their cases' evaluations are read (one per case at most)
    yearly = set(session.exec(select(ParcelIndicator.parcel_id).where(
        ParcelIndicator.measured_at == MeasuredAt.annual).distinct()))
    added = 0
    for application, project, parcel in cases:
        for kind, due_on in planned_dates(project, parcel).items():
            if (stored_id(application), kind) not in planned:
                added += _add(session, ComplianceCheck(application_id=stored_id(application), kind=kind,
                                                       checkpoint=kind, due_on=due_on, created_at=clock.now()))
        if stored_id(parcel) in yearly:
            added += _plan_next_annual(session, application, project, parcel, annual.get(stored_id(application), []))
    return added


def _plan_next_annual(session: Session, application: Application, project: Project, parcel: Parcel,
                      done_before: list[ComplianceCheck]) -> int:
    """The next 年度核验 (year k after 达产), unless one is open or the commitment checks nothing yearly (as
    evaluated: what the enterprise committed to, not today's catalogue)."""
    ramp_up_end = planned_dates(project, parcel).get("ramp_up_end")
    if ramp_up_end is None or any(c.status == "scheduled" for c in done_before):
        return 0
    evaluation = evaluation_of(session, stored_id(application))
    if evaluation is None or not any(i["measured_at"] == "annual" for i in evaluation.result.get("indicators", [])):
        return 0
    due_on = ramp_up_end + relativedelta(years=len(done_before) + 1)
    return _add(session, ComplianceCheck(application_id=stored_id(application), kind="annual", checkpoint="annual",
                                         due_on=due_on, created_at=clock.now()))


def _add(session: Session, check: ComplianceCheck) -> int:
    """Insert unless a sweep running at the same time did (the unique row decides)."""
    try:
        with session.begin_nested():
            session.add(check)
            session.flush()
    except IntegrityError:
        return 0
    return 1


def remind(session: Session, today: date) -> int:
    """Tell the enterprise, its agents and the supervisors of each open check that is near or overdue, once per
    stage (the notification's dedupe key); returns how many notifications were created."""
    supervisors = notifications.supervisors(session)
    messages = []
    for check, application in session.exec(
            select(ComplianceCheck, Application)
            .join(Application, col(Application.id) == ComplianceCheck.application_id)
            .where(ComplianceCheck.status == "scheduled",
                   col(ComplianceCheck.due_on) <= today + timedelta(days=DUE_SOON_DAYS))).all():
        light = light_of(check, today)
        what = f"{application.case_no}的{KIND_ZH[check.kind]}"
        due = f"{what}应于{format_date_zh(check.due_on)}前完成"
        if light == "red":
            title, body = f"【红灯】{what}已逾期", f"{due}，现已逾期，请尽快安排核验。"
        else:
            title, body = f"【提醒】{what}即将到期", f"{due}，请企业准备核验材料。"
        users = _enterprise_users(session, application) + agency.agents_for(session, application) + supervisors
        messages.append(notifications.Message(
            users=tuple(users), kind="compliance_due", title=title, body=body,
            link=f"/applications/{application.id}#compliance", application_id=stored_id(application),
            dedupe_key=f"compliance-{check.id}-{'overdue' if light == 'red' else 'soon'}"))
    return notifications.notify_many(session, messages)


def _enterprise_users(session: Session, application: Application) -> list[User]:
    return list(session.exec(select(User).where(User.role == Role.enterprise, col(User.is_active),
                                                User.enterprise_id == application.enterprise_id)).all())


def sweep_checks(session: Session, today: date) -> tuple[int, int]:
    """The daily pass (run by the SLA sweep): (checks planned, reminders sent)."""
    return plan_checks(session), remind(session, today)


def carry_out(session: Session, record: VerificationRecord) -> ComplianceCheck | None:
    """A verification was recorded: it carries out the earliest open check of its checkpoint, and a shortfall
    opens a 整改复核 due at the end of the rectification period. Returns that 整改复核, if any."""
    check = session.exec(select(ComplianceCheck).where(
        ComplianceCheck.application_id == record.application_id, ComplianceCheck.checkpoint == record.checkpoint,
        ComplianceCheck.status == "scheduled").order_by(col(ComplianceCheck.due_on), col(ComplianceCheck.id))).first()
    if check is not None:
        check.status, check.verification_id, check.done_at = "done", stored_id(record), clock.now()
        session.add(check)
    deadline = record.result.get("consequences", {}).get("rectification_deadline")
    if record.result.get("all_met") or not deadline:
        return None
    rectification = ComplianceCheck(application_id=record.application_id, kind="rectification",
                                    checkpoint=record.checkpoint, due_on=date.fromisoformat(deadline),
                                    follows_id=stored_id(record), created_at=clock.now())
    return rectification if _add(session, rectification) else None


def checks_of(session: Session, application_id: int) -> list[ComplianceCheck]:
    return list(session.exec(select(ComplianceCheck).where(ComplianceCheck.application_id == application_id)
                             .order_by(col(ComplianceCheck.due_on), col(ComplianceCheck.id))).all())


def open_checks(session: Session, limit: int = 500) -> list[tuple[ComplianceCheck, Application, Project]]:
    """Every check not yet carried out, soonest first (the supervisors' page)."""
    return list(session.exec(
        select(ComplianceCheck, Application, Project)
        .join(Application, col(Application.id) == ComplianceCheck.application_id)
        .join(Project, col(Project.id) == Application.project_id)
        .where(ComplianceCheck.status == "scheduled")
        .order_by(col(ComplianceCheck.due_on), col(ComplianceCheck.id)).limit(limit)).all())


# ------------------------------------------------------------------------------------------ credit record

CREDIT_COLUMNS = ("统一社会信用代码", "企业名称", "项目名称", "案件编号", "核验类型", "核验日期", "结果", "整改期限",
                  "违约金（万元）", "纳入信用记录", "说明")


@dataclass(frozen=True)
class CreditEntry:
    """One line of the credit record: a check's result — 达标, 整改 (shortfall, rectification running) or 违约
    (a 整改复核 failed, or its deadline passed without one)."""

    uscc: str
    enterprise: str
    project: str
    case_no: str
    kind: str
    on: date
    result: Literal["达标", "整改", "违约"]
    rectification_due: date | None
    damages_wan: str
    credit_record: bool
    note: str

    def row(self) -> list[str]:
        return [self.uscc, self.enterprise, self.project, self.case_no, self.kind, self.on.isoformat(), self.result,
                self.rectification_due.isoformat() if self.rectification_due else "", self.damages_wan,
                "是" if self.credit_record else "否", self.note]


def credit_record(session: Session, today: date) -> list[CreditEntry]:
    """Every verification's result and every overdue 整改复核, oldest first."""
    rechecks = {c.verification_id for c in session.exec(select(ComplianceCheck).where(
        ComplianceCheck.kind == "rectification", ComplianceCheck.status == "done"))}
    entries = []
    for record, application, project, enterprise in session.exec(
            select(VerificationRecord, Application, Project, Enterprise)
            .join(Application, col(Application.id) == VerificationRecord.application_id)
            .join(Project, col(Project.id) == Application.project_id)
            .join(Enterprise, col(Enterprise.id) == Project.enterprise_id)
            .order_by(col(VerificationRecord.measured_on), col(VerificationRecord.id))).all():
        consequences: dict[str, Any] = record.result.get("consequences", {})
        recheck = stored_id(record) in rechecks
        kind = ("整改复核（" if recheck else "") + KIND_ZH[record.checkpoint] + ("）" if recheck else "")
        if record.result.get("all_met"):
            result: Literal["达标", "整改", "违约"] = "达标"
        else:
            result = "违约" if recheck else "整改"
        due = consequences.get("rectification_deadline")
        entries.append(CreditEntry(
            enterprise.uscc, enterprise.name, project.name, application.case_no, kind, record.measured_on, result,
            date.fromisoformat(due) if due and result == "整改" else None, consequences.get("damages_wan") or "",
            bool(consequences.get("credit_record")) and result != "达标",
            "；".join(consequences.get("statements", []))))
    for check, application, project in open_checks(session, limit=100_000):
        if check.kind == "rectification" and check.due_on < today:
            enterprise = session.get_one(Enterprise, project.enterprise_id)
            entries.append(CreditEntry(
                enterprise.uscc, enterprise.name, project.name, application.case_no,
                f"整改复核（{KIND_ZH[check.checkpoint]}）", check.due_on, "违约", None, "", True,
                f"整改期限{format_date_zh(check.due_on)}届满，未完成整改复核"))
    return sorted(entries, key=lambda e: e.on)
