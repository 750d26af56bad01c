"""Human actions on a step (办理动作): department decisions and the applicant's 补正, with the clock.

The mechanism is the same for every process: a person acts on a step through a page or the API,
``record_action`` validates and stores the action (who, when, for whom) in one transaction, and the
case's next segment is queued. The segment applies the stored actions in order with ``apply_action``;
applying is idempotent (claimed first), so a second segment for the same action never applies it twice.
What an approval or a rejection *means* belongs to the process (``services.standard_land.service`` …);
this module owns order, permissions and clock pauses.

Glossary: 补正 (supplement of missing material), 一次性告知 (all missing items told at once),
计时暂停 (the step's clock stands still: 不计入办理时限).
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import BaseModel
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.agency import service as agency
from services.calendar.schedules import work_calendar
from services.cases import transitions
from services.cases.processes import get_definition
from services.cases.steps import schedule_deadlines
from services.cases.waiting import Party, waiting_on
from services.core import audit, clock, text
from services.core.access import Action, Reach, Resource, reach
from services.core.errors import DomainError
from services.core.formatting import format_date_zh
from services.core.ids import stored_id
from services.land_to_start import design_scheme_decisions
from services.models import (
    ActionKind,
    Application,
    ApplicationStatus,
    Attachment,
    ClockPause,
    Step,
    StepAction,
    StepStatus,
    User,
)

DECISIONS = (ActionKind.approve, ActionKind.reject, ActionKind.request_supplement, ActionKind.check_pass,
             ActionKind.check_rectify, ActionKind.check_revoke)
NEEDS_REASONS = (ActionKind.reject, ActionKind.check_rectify, ActionKind.check_revoke)
MAX_ITEMS = 30
#: the stored lengths: ``step_action.reasons`` / ``justification`` columns; an item's parts (JSON) as printed
MAX_REASONS, MAX_JUSTIFICATION = 4000, 2000
ITEM_PARTS = {"name": ("材料名称", 100), "reason": ("补正原因", 300), "form": ("材料形式", 50)}


class ActionError(DomainError):
    """An action that may not be taken now, with a Chinese message for the named form field.

    ``status`` is the HTTP answer: 422 for what the person can correct, 409 when someone else acted on
    the step first (the page is out of date)."""

    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message, field=field, status=status)


class SupplementItem(BaseModel):
    """One item of a 补正 request (一次性告知): the material, why it is needed, in which form."""

    name: Annotated[str, text.Checked(ITEM_PARTS["name"][1], min_length=0)] = ""
    reason: Annotated[str, text.Checked(ITEM_PARTS["reason"][1], min_length=0)] = ""
    form: Annotated[str, text.Checked(ITEM_PARTS["form"][1], min_length=0)] = ""


def actions_of(session: Session, step_id: int) -> list[StepAction]:
    return list(session.exec(select(StepAction).where(col(StepAction.step_id) == step_id)
                             .order_by(col(StepAction.sequence))))


def open_pause(session: Session, step_id: int) -> ClockPause | None:
    stmt = select(ClockPause).where(col(ClockPause.step_id) == step_id, col(ClockPause.ended_on).is_(None))
    return session.exec(stmt).first()


def pending_request(session: Session, step: Step) -> StepAction | None:
    """The 补正 request the applicant still has to answer (its clock pause is open)."""
    pause = open_pause(session, stored_id(step))
    return session.get(StepAction, pause.started_action_id) if pause else None


def unapplied(session: Session, step_id: int) -> StepAction | None:
    """The oldest action the flow has not applied yet."""
    stmt = (select(StepAction).where(col(StepAction.step_id) == step_id, col(StepAction.applied_at).is_(None))
            .order_by(col(StepAction.sequence)))
    return session.exec(stmt).first()


def may_decide(user: User, step: Step) -> bool:
    """Reviewers decide for their own department; supervisors may decide for any."""
    scope = reach(user, Resource.step, Action.decide)
    return scope is Reach.all or (scope is Reach.department and user.department == step.department)


#: ``waiting.Party`` in the words of the decision page and of ``record_action``'s checks
AWAITING = {Party.department: "department", Party.enterprise: "applicant", Party.system: "flow"}


def awaiting(session: Session, step: Step) -> str | None:
    """Who may act on a human step now: 'department', 'applicant', 'flow' (an action not yet applied) or
    None (not open for actions). The answer is ``services.cases.waiting``'s, in this module's words."""
    if step.kind != "human" or step.status not in (StepStatus.running, StepStatus.suspended):
        return None
    waits = waiting_on(session, step)
    return AWAITING[waits.party] if waits else None


def record_action(
    session: Session, user: User, step: Step, kind: ActionKind, *, reasons: str = "",
    items: list[dict[str, str]] | None = None, justification: str = "", design_scheme_id: int | None = None,
) -> StepAction:
    """Validate and store one action; the caller commits and then queues the case's next segment.

    The step is locked first (``_lock_step``), so of two people acting on it at the same moment one
    records and the other is told the step has just been acted on (409), never both. A decision on
    设计方案预审 records the version it is about (``design_scheme_id``, else the latest; an approval needs one)."""
    items = _clean_items(items or [])
    reasons = _clean(reasons, "reasons", "理由", MAX_REASONS)
    justification = _clean(justification, "justification", "再次补正的理由", MAX_JUSTIFICATION)
    step = _lock_step(session, step)
    application = session.get_one(Application, step.application_id)
    step_id = stored_id(step)
    waits_on = awaiting(session, step)
    if waits_on is None:
        raise ActionError("kind", f"“{step.name}”当前不在办理中，不能再提交处理意见", status=409)
    if waits_on == "flow":
        pending = unapplied(session, step_id)
        label = pending.kind.label_zh if pending else "处理意见"
        raise ActionError("kind", f"该环节刚刚已有处理意见（{label}）提交，正在生效，"
                                  "请稍候刷新页面查看后再操作", status=409)
    if kind in DECISIONS and kind.value not in allowed_actions(session, step):
        raise ActionError("kind", f"“{step.name}”不能作出“{kind.label_zh}”的处理")
    scheme = None
    if kind in DECISIONS:
        _check_decision(session, user, step, kind, reasons, items, justification)
        scheme = design_scheme_decisions.check(session, application, step, kind, design_scheme_id)
        on_behalf = None
    elif kind == ActionKind.supplement:
        _check_supplement(session, user, step, application)
        on_behalf = application.enterprise_id
    else:
        raise ActionError("kind", "未知的处理类型")
    sequence = (session.exec(select(func.max(StepAction.sequence)).where(col(StepAction.step_id) == step_id))
                .one() or 0) + 1
    action = StepAction(application_id=stored_id(application), step_id=step_id, sequence=sequence, kind=kind,
                        reasons=reasons, items=items, justification=justification, actor_id=stored_id(user),
                        on_behalf_of_enterprise_id=on_behalf, acted_at=clock.now())
    try:
        with session.begin_nested():
            session.add(action)
            session.flush()
    except IntegrityError:  # someone acted on the same step at the same moment
        raise ActionError("kind", "该环节刚刚已有人提交处理意见，请刷新页面查看", status=409) from None
    design_scheme_decisions.bind(session, action, scheme)
    audit.record(session, f"step.action.{kind.value}", actor=user, entity="step_action",
                 entity_id=stored_id(action), application_id=application.id, on_behalf_of_enterprise_id=on_behalf,
                 detail={"step": step.key, "sequence": sequence, "reasons": reasons, "items": items,
                         "justification": justification}
                 | ({"design_scheme_version": scheme.version, "design_scheme_digest": scheme.digest} if scheme else {}))
    return action


def _lock_step(session: Session, step: Step) -> Step:
    """Take the step's row for this transaction and read it again, before any check.

    A no-op guarded update: on PostgreSQL it locks the row until commit (a second transaction waits
    here and then sees the first one's action); on SQLite it takes the database's write lock, which
    serialises writers. Without it, two reviewers could both see "nothing pending" and both record."""
    session.execute(update(Step).where(col(Step.id) == step.id).values(status=Step.status)
                    .execution_options(synchronize_session=False))
    session.refresh(step)
    return step


def allowed_actions(session: Session, step: Step) -> list[str]:
    """The decisions the process definition allows on this step (e.g. 核查: pass / rectify / revoke)."""
    application = session.get_one(Application, step.application_id)
    return get_definition(application.process_key, application.process_version).step(step.key).actions


def action_labels(session: Session, step: Step) -> dict[str, str]:
    """The step's own wording of its decisions (e.g. 成交确认: 确认由本企业竞得 / 未竞得), from the definition."""
    application = session.get_one(Application, step.application_id)
    return get_definition(application.process_key, application.process_version).step(step.key).action_labels


def _clean(value: str, field: str, label: str, max_length: int) -> str:
    try:
        return text.clean(value, label=label, max_length=max_length, multiline=True)
    except text.TextError as error:
        raise ActionError(field, error.message) from None


def _clean_items(items: list[dict[str, str]]) -> list[dict[str, str]]:
    """The filled-in rows of a 补正 list, each part checked like any free text (one line each)."""
    cleaned = []
    for position, item in enumerate(items, start=1):
        row = {}
        for key, (label, max_length) in ITEM_PARTS.items():
            try:
                row[key] = text.clean(str(item.get(key, "")), label=label, max_length=max_length)
            except text.TextError as error:
                raise ActionError("items", f"第{position}项补正材料的{error.message}") from None
        if any(row.values()):
            cleaned.append(row)
    return cleaned


def _check_decision(session: Session, user: User, step: Step, kind: ActionKind, reasons: str,
                    items: list[dict[str, str]], justification: str) -> None:
    if not may_decide(user, step):
        raise ActionError("kind", f"只有{step.department}的审查人员可以对该环节作出决定")
    if step.status == StepStatus.suspended:
        raise ActionError("kind", "申请人正在补正材料，计时已暂停；收到补正材料后方可作出决定")
    if kind in NEEDS_REASONS and len(reasons) < 4:
        raise ActionError("reasons", f"“{kind.label_zh}”须写明理由或核查发现（至少4个字）")
    if kind == ActionKind.request_supplement:
        if not items:
            raise ActionError("items", "要求补正须逐项列明需补正的材料（一次性告知）")
        if len(items) > MAX_ITEMS:
            raise ActionError("items", f"补正材料最多{MAX_ITEMS}项")
        for i, item in enumerate(items, start=1):
            if not item["name"] or not item["reason"]:
                raise ActionError("items", f"第{i}项补正材料须同时填写材料名称和补正原因")
        earlier = [a for a in actions_of(session, stored_id(step)) if a.kind == ActionKind.request_supplement]
        if earlier and len(justification) < 10:
            raise ActionError(
                "justification",
                f"本环节已于{format_date_zh(earlier[0].acted_at)}一次性告知补正；再次要求补正仅限申请人自行变更"
                "引起的新材料，须写明理由（至少10个字）")


def _check_supplement(session: Session, user: User, step: Step, application: Application) -> None:
    if not agency.may_act_for(session, user, application):
        raise ActionError("kind", "只有申请企业或受托的代办专员可以提交补正材料")
    request = pending_request(session, step)
    if request is None:
        raise ActionError("kind", "该环节没有待补正的材料")
    uploaded = {a.item_index for a in attachments_for(session, stored_id(request))}
    missing = [item["name"] for i, item in enumerate(request.items) if i not in uploaded]
    if missing:
        raise ActionError("files", "以下材料尚未上传：" + "、".join(missing))


def attachments_for(session: Session, request_action_id: int) -> list[Attachment]:
    stmt = (select(Attachment).where(col(Attachment.request_action_id) == request_action_id)
            .order_by(col(Attachment.item_index), col(Attachment.id)))
    return list(session.exec(stmt))


# -- applied by the flow ------------------------------------------------------------------------

Effect = Callable[[Session, Application, Step, StepAction], dict[str, Any]]


def apply_action(session: Session, action_id: int, effects: dict[ActionKind, Effect]) -> dict[str, Any]:
    """Apply one stored action exactly once; ``effects`` are the process's meaning of each kind.

    Claim first, act after: the action is marked applied by a guarded update (``applied_at IS NULL``)
    before any effect runs, all in the caller's transaction — so of two runs applying the same action
    (a second segment for the same action, a retried task) only the one that claimed it acts, and an effect
    that fails rolls the claim back with it. Returns the step's state after it:
    ``{"action": kind, "step_status": …}``. Clock pauses are handled here for every process: a 补正
    request stops the clock, the supplement restarts it.
    """
    action = session.get(StepAction, action_id)
    if action is None:
        raise LookupError(f"no action {action_id}")
    step_id, kind = action.step_id, action.kind
    if action.applied_at is None:
        earlier = unapplied(session, step_id)
        if earlier is not None and earlier.id != action.id:
            raise RuntimeError(f"action {earlier.id} must be applied before {action.id}")
        if _claim(session, action_id):
            _apply(session, action_id, effects)
    step = session.get(Step, step_id)
    assert step is not None
    return {"action": kind.value, "step_status": step.status.value}


def _claim(session: Session, action_id: int) -> bool:
    """Mark the action applied unless someone did already; on PostgreSQL a second applier waits here."""
    claimed = session.execute(update(StepAction).where(col(StepAction.id) == action_id,
                                                       col(StepAction.applied_at).is_(None))
                              .values(applied_at=clock.now()).execution_options(synchronize_session=False))
    session.expire_all()
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]  # a CursorResult


def _apply(session: Session, action_id: int, effects: dict[ActionKind, Effect]) -> None:
    """The claimed action's effects: the clock, the process's meaning, the deadlines, the audit event."""
    action = session.get(StepAction, action_id)
    assert action is not None
    step, application = session.get(Step, action.step_id), session.get(Application, action.application_id)
    assert step is not None and application is not None
    if action.kind == ActionKind.request_supplement:
        _pause_clock(session, application, step, action)
    elif action.kind == ActionKind.supplement:
        _resume_clock(session, application, step, action)
    detail = effects.get(action.kind, _no_effect)(session, application, step, action)
    schedule_deadlines(session, application, work_calendar(session))  # later steps count from now
    audit.record(session, "step.action.applied", actor=None, actor_label="flow", entity="step_action",
                 entity_id=action_id, application_id=application.id,
                 detail={"step": step.key, "kind": action.kind.value, **detail})
    session.expire_all()


def _no_effect(session: Session, application: Application, step: Step, action: StepAction) -> dict[str, Any]:
    return {}


def _pause_clock(session: Session, application: Application, step: Step, action: StepAction) -> None:
    """补正 stops the step's clock from the day of the request (不计入办理时限); nothing to stop when the
    step closed meanwhile (a parallel step's rejection ended the case)."""
    application_id, step_id, action_id = stored_id(application), stored_id(step), stored_id(action)
    if not transitions.move_step(session, application_id, step.key, StepStatus.suspended):
        return
    exists = session.exec(select(ClockPause).where(col(ClockPause.started_action_id) == action_id)).first()
    if exists is None:
        session.add(ClockPause(step_id=step_id, reason="supplement", started_action_id=action_id,
                               started_on=action.acted_at.date()))
    _case_follows_its_steps(session, application_id)


def _resume_clock(session: Session, application: Application, step: Step, action: StepAction) -> None:
    """The clock restarts on the day the material is complete; the deadline moves by the working days
    it stood still (counted after the request day up to and including the completion day)."""
    application_id = stored_id(application)
    pause = open_pause(session, stored_id(step))
    if pause is not None:
        pause.ended_on = action.acted_at.date()
        pause.working_days = work_calendar(session).working_days_between(pause.started_on, pause.ended_on)
        step.paused_working_days += pause.working_days
        session.add_all([pause, step])
    transitions.move_step(session, application_id, step.key, StepStatus.running)
    _case_follows_its_steps(session, application_id)
    schedule_deadlines(session, session.get_one(Application, application_id), work_calendar(session))


def _case_follows_its_steps(session: Session, application_id: int) -> None:
    """补正中 while any step of the case waits for material, 受理/审查中 again once none does (parallel
    steps, 拿地即开工, may each ask for material)."""
    suspended = session.exec(select(Step.id).where(col(Step.application_id) == application_id,
                                                   col(Step.status) == StepStatus.suspended)).first()
    if suspended is not None:
        transitions.move_application(session, application_id, ApplicationStatus.supplementing,
                                     expected=[ApplicationStatus.accepted], strict=False)
    else:
        transitions.move_application(session, application_id, ApplicationStatus.accepted,
                                     expected=[ApplicationStatus.supplementing], strict=False)


def remaining_working_days(session: Session, step: Step, on: date) -> int:
    """Working days left on the step's clock on ``on`` (negative when overdue)."""
    if step.due_on is None:
        return 0
    calendar = work_calendar(session)
    if on <= step.due_on:
        return calendar.working_days_between(on, step.due_on)
    return -calendar.working_days_between(step.due_on, on)


def supplement_deadline(session: Session, requested_on: date, working_days: int = 10) -> date:
    """Date by which the applicant should supply the material (stated on the 一次性告知书)."""
    return work_calendar(session).add_working_days(requested_on, working_days).due


def stale_actions(session: Session, older_than: timedelta = timedelta(seconds=20)) -> list[int]:
    """Cases with an action recorded a while ago and still not applied: the hand-over of its segment was
    lost (Prefect down, the task worker killed while applying it); the sweep queues the case again."""
    cutoff = clock.now() - older_than
    stmt = (select(StepAction.application_id).where(col(StepAction.applied_at).is_(None),
                                                    col(StepAction.acted_at) < cutoff)
            .group_by(col(StepAction.application_id)))
    return list(session.exec(stmt))
