"""The step state machine (办理环节状态机): which status may follow which, and the one way to move.

Every change of ``Step.status`` and ``Application.status`` goes through this module as a single
``UPDATE … WHERE id = :id AND status IN (:expected)``; its row count says whether this caller won.
Callers claim first (the guarded update) and act after, in the same transaction, so a retried flow
task or a double click changes nothing the second time and the loser of a race acts on nothing —
the habit of polarsource/polar's ``start_finalization``.

The allowed moves are data (``STEP_TRANSITIONS``, ``APPLICATION_TRANSITIONS``); a move not in them
is a programming error (``ValueError``), a move from a state the row is no longer in is a
``TransitionConflict`` (409) when the caller asked for ``strict``. This module must not decide what
a decision means (the processes do) nor commit (the caller does).
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import update
from sqlmodel import Session, col

from services.core import clock
from services.core.errors import Conflict
from services.models import Application, ApplicationStatus, Step, StepStatus

S = TypeVar("S", StepStatus, ApplicationStatus)

#: the open statuses (未办结): a step in one of them can still move
OPEN = (StepStatus.planned, StepStatus.running, StepStatus.blocked, StepStatus.suspended)
#: what a step may become from each status. Any open step may be closed (completed, blocked when the
#: material is incomplete, cancelled when the case ends or the step is not needed); only a planned step
#: starts; only a running one stops its clock for 补正 (suspended) and only a suspended one restarts it.
STEP_TRANSITIONS: dict[StepStatus, frozenset[StepStatus]] = {
    StepStatus.planned: frozenset({StepStatus.running, StepStatus.completed, StepStatus.blocked,
                                   StepStatus.cancelled}),
    StepStatus.running: frozenset({StepStatus.completed, StepStatus.blocked, StepStatus.suspended,
                                   StepStatus.cancelled}),
    StepStatus.suspended: frozenset({StepStatus.running, StepStatus.completed, StepStatus.blocked,
                                     StepStatus.cancelled}),
    StepStatus.blocked: frozenset({StepStatus.completed, StepStatus.cancelled}),
    StepStatus.completed: frozenset(),
    StepStatus.cancelled: frozenset(),
}
#: what a case may become from each status: 受理 or 材料不全 after submission; 补正 and back while it is
#: examined; approved / rejected (退回) / lost (未竞得) / permitted (四证核发) to end the examination; an
#: approval revoked after the post-check (事后核查撤销) becomes rejected; construction starts once permitted.
APPLICATION_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    ApplicationStatus.submitted: frozenset({ApplicationStatus.incomplete, ApplicationStatus.accepted,
                                            ApplicationStatus.rejected}),
    ApplicationStatus.incomplete: frozenset(),
    ApplicationStatus.accepted: frozenset({ApplicationStatus.supplementing, ApplicationStatus.approved,
                                           ApplicationStatus.rejected, ApplicationStatus.lost,
                                           ApplicationStatus.permitted}),
    ApplicationStatus.supplementing: frozenset({ApplicationStatus.accepted, ApplicationStatus.approved,
                                                ApplicationStatus.rejected, ApplicationStatus.lost}),
    ApplicationStatus.approved: frozenset({ApplicationStatus.rejected}),
    ApplicationStatus.rejected: frozenset(),
    ApplicationStatus.lost: frozenset(),
    ApplicationStatus.permitted: frozenset({ApplicationStatus.started}),
    ApplicationStatus.started: frozenset(),
}


class TransitionConflict(Conflict):
    """The row was not in any state the move starts from: someone (or an earlier run) moved it first."""


def sources(table: dict[S, frozenset[S]], to: S, expected: Iterable[S] | None = None) -> tuple[S, ...]:
    """The states a row may be in to move to ``to`` (narrowed to ``expected`` when given)."""
    allowed = tuple(s for s, targets in table.items() if to in targets)
    if expected is not None:
        wanted = tuple(expected)
        if bad := [s for s in wanted if s not in allowed]:
            raise ValueError(f"no transition {bad} → {to}")
        allowed = wanted
    return allowed


def may_move(table: dict[S, frozenset[S]], current: S, to: S) -> bool:
    return to in table[current]


def move_step(session: Session, application_id: int, key: str, to: StepStatus, *,
              expected: Iterable[StepStatus] | None = None, values: dict[str, Any] | None = None,
              strict: bool = False) -> bool:
    """Move one step to ``to`` if it is in one of the states that may lead there (or in ``expected``).

    Returns whether this call moved it; with ``strict`` a step in another state is a ``TransitionConflict``.
    ``values`` are written in the same update (finished_at, outcome …)."""
    stmt = (update(Step).where(col(Step.application_id) == application_id, col(Step.key) == key,
                               col(Step.status).in_(sources(STEP_TRANSITIONS, to, expected)))
            .values(status=to, **(values or {})).execution_options(synchronize_session=False))
    moved = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]  # a CursorResult
    session.expire_all()  # objects loaded before the update would otherwise show the old status
    if not moved and strict:
        raise TransitionConflict(f"该环节（{key}）已被他人或先前的处理改变了状态，请刷新后再操作")
    return moved


def cancel_open_steps(session: Session, application_id: int) -> int:
    """Cancel every open step of a case that has ended (退回, 未竞得); the number cancelled."""
    stmt = (update(Step).where(col(Step.application_id) == application_id,
                               col(Step.status).in_(sources(STEP_TRANSITIONS, StepStatus.cancelled)))
            .values(status=StepStatus.cancelled, finished_at=clock.now(), due_on=None)
            .execution_options(synchronize_session=False))
    count = int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]
    session.expire_all()
    return count


def move_application(session: Session, application_id: int, to: ApplicationStatus, *,
                     expected: Iterable[ApplicationStatus] | None = None, values: dict[str, Any] | None = None,
                     strict: bool = True) -> bool:
    """Move a case to ``to`` if it is in one of the states that may lead there (or in ``expected``).

    Strict by default: a case's status follows a step that was just claimed, so a case in another
    state means the two disagree (``TransitionConflict``, 409). Pass ``strict=False`` for moves that
    are idempotent by design (受理 run again after a crash)."""
    stmt = (update(Application).where(col(Application.id) == application_id,
                                      col(Application.status).in_(sources(APPLICATION_TRANSITIONS, to, expected)))
            .values(status=to, **(values or {})).execution_options(synchronize_session=False))
    moved = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
    session.expire_all()
    if not moved and strict:
        raise TransitionConflict(f"该申请的状态已改变，不能再改为“{to.label_zh}”，请刷新后再操作")
    return moved
