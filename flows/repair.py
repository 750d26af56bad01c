"""Repair stuck work: ask Prefect about every case the database says should be moving, and fix the lost.

Runs in the task worker's sweep (every ``GC_DISPATCH_SWEEP_SECONDS``). Each repair is idempotent:

* **intake stalled** (the run died or hangs RUNNING after its worker was killed, or its queued hand-over
  was forgotten by a killed Prefect server — the queue of background tasks lives in the server's memory,
  so a task run still SCHEDULED after applications queued behind it have started is lost): the lost run is
  marked Crashed, the case is handed over again (``dispatch``) — acceptance and documents are guarded in the
  services, so nothing is issued twice;
* **case left halfway** (work a segment could do now — a review never opened, a decision without its
  documents, a 拿地即开工 step closed and the next ones not opened — and nothing moving): the segment was lost
  with its worker, and the case's next one is queued (``continue_now``). Its task run is kept with the finding:
  while it still waits in Prefect's queue (a backlog), later sweeps leave the case alone. A person's action
  that no segment applied is queued again by ``flows.dispatch.continue_stale_actions``, without a finding: the
  action itself is the record.

After ``MAX_REPAIRS`` of one kind a case is left for a person; what could not be repaired stays an open
``SystemFault`` that supervisors see and ``/readyz`` counts.
"""

import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName, TaskRunFilterStartTime
from prefect.client.schemas.objects import State, TaskRun
from prefect.client.schemas.sorting import TaskRunSort
from prefect.exceptions import ObjectNotFound
from prefect.states import Crashed

from flows.dispatch import continue_case, continue_now, dispatch
from flows.runs import flow_run_state
from services.cases import faults
from services.cases.steps import ready_steps
from services.core.db import only_one_at_a_time, session_scope
from services.core.settings import get_settings
from services.models import Application, ApplicationStatus

log = logging.getLogger(__name__)

DEAD = ("CRASHED", "FAILED", "CANCELLED", "COMPLETED")  # a run in these states waits on nothing any more
BUSY = ("RUNNING", "CANCELLING")  # fine for seconds; a run left here minutes is orphaned
LATE = ("SCHEDULED", "PENDING")  # waiting for a runner or task worker to start it (a backlog is not a fault)
# How many stall limits a run may stay in a state before it counts as lost: a queue may be long (a backlog
# is not a fault); a run being started (PENDING) by a runner that was killed stays so for ever.
PATIENCE = {"RUNNING": 1, "CANCELLING": 1, "PENDING": 3, "SCHEDULED": 10}
SWEEP_LOCK = "greenchannel-repair"  # held by the one process repairing at a time (``only_one_at_a_time``)


def repair_stuck_work(stall_after: timedelta | None = None, application_ids: Collection[int] | None = None
                      ) -> dict[str, int]:
    """One pass over every kind of stuck work (``GC_STUCK_AFTER_SECONDS``; all cases or only those given);
    returns how many of each were repaired."""
    if stall_after is None:
        stall_after = timedelta(seconds=get_settings().stuck_after_seconds)
    with only_one_at_a_time(SWEEP_LOCK) as mine:
        if not mine:  # another worker's sweep is repairing right now
            return {"intake": 0, "review": 0, "case": 0}
        return _repair_pass(stall_after, application_ids)


def _repair_pass(stall_after: timedelta, application_ids: Collection[int] | None) -> dict[str, int]:
    with session_scope() as session:
        found = faults.candidates(session, stall_after, application_ids)
    repaired = {"intake": 0, "review": 0, "case": 0}
    with get_client(sync_client=True) as client:
        work: list[tuple[str, Callable[..., int], tuple]] = \
            [("intake", _repair_dispatch, (client, a, t, stall_after)) for a, t in found.lost_dispatches] + \
            [("intake", _repair_intake, (client, a, r, stall_after)) for a, r in found.stalled_intakes] + \
            [("case" if p == "land_to_start" else "review", _repair_quiet_case, (client, a, p, r, moved, stall_after))
             for a, p, r, moved in found.quiet_cases]
        for kind, repair, args in work:
            try:
                repaired[kind] += repair(*args)
            except Exception:  # one odd case (a run id Prefect does not know …) must not stop the others
                log.exception("could not check or repair %s %s", repair.__name__, args)
    return repaired


def _repair_dispatch(client, application_id: int, task_run_id: str, stall_after: timedelta) -> int:
    """A queued hand-over that never started its flow: waiting in the queue is fine for a long while (no
    second hand-over under a backlog, ``PATIENCE``); a task run left RUNNING by a killed worker, ended
    without a flow, unknown to Prefect, or dropped from the queue (applications behind it already started)
    is handed over again."""
    state = _task_run_state(client, task_run_id)
    kind = state.type.value if state else "MISSING"
    if state is not None and kind == "SCHEDULED" and _older_than(state.timestamp, stall_after):
        with session_scope() as session:  # Prefect keeps its queue of background tasks in the server's memory:
            passed = faults.queue_passed(session, application_id)  # a killed server forgets it for good
        if passed:
            kind = "DROPPED"
    if _still_moving(state, kind, stall_after):
        return 0
    if kind in BUSY + LATE + ("DROPPED",):
        try:
            client.set_task_run_state(UUID(task_run_id), Crashed(message="任务执行器中断 / task worker lost"),
                                      force=True)
        except Exception:
            log.warning("could not mark task run %s crashed", task_run_id, exc_info=True)
    with session_scope() as session:
        if _gave_up(session, application_id, "intake_stalled", task_run_id):
            return 0
        if not faults.reset_dispatch(session, application_id, task_run_id):
            return 0
        faults.record(session, application_id, "intake_stalled", f"受理任务{_state_zh(kind)}，已自动重新提交",
                      flow_run_id=task_run_id, repaired=True)
    dispatch(application_id)
    log.warning("application %s: hand-over task run %s was %s; handed over again", application_id, task_run_id, kind)
    return 1


def _repair_intake(client, application_id: int, run_id: str, stall_after: timedelta) -> int:
    state = flow_run_state(client, run_id)
    kind = state.type.value if state else "MISSING"
    if _still_moving(state, kind, stall_after):
        return 0
    if kind == "COMPLETED":
        with session_scope() as session:
            faults.record(session, application_id, "intake_stalled", "受理流程已结束，但申请仍为“已提交”，需人工核查",
                          flow_run_id=run_id, unrepairable=True)
        return 0
    _crash(client, state, run_id, "受理流程中断，已重新提交 / intake lost, handed over again")
    with session_scope() as session:
        if _gave_up(session, application_id, "intake_stalled", run_id):
            return 0
        if not faults.reset_dispatch(session, application_id, run_id):
            return 0  # another sweep got there first
        faults.record(session, application_id, "intake_stalled",
                      f"受理流程{_state_zh(kind)}，已自动重新提交", flow_run_id=run_id, repaired=True)
    dispatch(application_id)
    log.warning("application %s: intake run %s was %s; handed over again", application_id, run_id, kind)
    return 1


#: the last move of each quiet case found waiting on people: not planned again until it moves (this process's
#: memory; a restarted worker looks at each once more)
_waiting_since: dict[int, datetime] = {}


def _repair_quiet_case(client, application_id: int, process_key: str, run_id: str, last_move: datetime,
                       stall_after: timedelta) -> int:
    """A case quiet since ``last_move``: waiting on people (as it should), or left halfway by a lost segment
    (work it could do now): then its next segment is queued. A 拿地即开工 case still 已提交 has not had a segment
    open a step yet: its run is asked first, and one still queued or running (a long queue) is left alone."""
    if _waiting_since.get(application_id) == last_move:
        return 0
    kind = "case_run_lost" if process_key == "land_to_start" else "review_run_lost"
    with session_scope() as session:
        first_segment = session.get_one(Application, application_id).status == ApplicationStatus.submitted
        queued = faults.last_replacement(session, application_id, kind)
    if queued and _segment_still_queued(client, queued, stall_after):
        return 0  # the segment the last repair queued waits behind a backlog: queuing another changes nothing
    if first_segment:
        state = flow_run_state(client, run_id)
        run_kind = state.type.value if state else "MISSING"
        if _still_moving(state, run_kind, stall_after):
            return 0
        _crash(client, state, run_id, "案件流程中断，已重新提交 / case segment lost, queued again")
    with session_scope() as session:  # stored actions and ended periods have sweeps of their own
        work = ready_steps(session, application_id)
        if not work:
            _waiting_since[application_id] = last_move
            return 0
        if _gave_up(session, application_id, kind, run_id):
            return 0
        finding_id = faults.record(session, application_id, kind,
                                   f"流程续办中断（{len(work)}项可办事项无人办理），已自动重新提交",
                                   flow_run_id=run_id, repaired=True).id
    task_run_id = continue_now(application_id, "repair")
    if task_run_id and finding_id is not None:  # kept so that the next sweep asks Prefect about this segment
        with session_scope() as session:
            faults.note_replacement(session, finding_id, task_run_id)
    log.warning("case %s: left halfway (%s); its next segment queued", application_id, work)
    return 1


def _segment_still_queued(client, task_run_id: str, stall_after: timedelta) -> bool:
    """Whether the segment a repair queued may still start: waiting in the queue (not yet passed by a segment
    queued after it: Prefect's queue is first in, first out, and a killed server forgets its queue) or running,
    each within its ``PATIENCE``. Ended, unknown or dropped: the case is repaired again."""
    task_run = _task_run(client, task_run_id)
    if task_run is None:
        return False
    state = task_run.state
    kind = state.type.value if state else "MISSING"
    if kind == "SCHEDULED" and _queue_passed(client, task_run):
        return False
    return _still_moving(state, kind, stall_after)


def _queue_passed(client, task_run: TaskRun) -> bool:
    """Whether a segment queued after ``task_run`` has already started."""
    queued_at = task_run.expected_start_time
    if queued_at is None:
        return False
    started_since = client.read_task_runs(
        task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_=continue_case.name),
                                      start_time=TaskRunFilterStartTime(after_=queued_at)),
        sort=TaskRunSort.EXPECTED_START_TIME_DESC, limit=1)
    return any(run.expected_start_time and run.expected_start_time > queued_at for run in started_since)


def _gave_up(session, application_id: int, kind: str, run_id: str) -> bool:
    """After ``MAX_REPAIRS`` repairs of the same kind the case is left for a person (系统异常)."""
    if faults.repairs_so_far(session, application_id, kind) < faults.MAX_REPAIRS:
        return False
    faults.record(session, application_id, kind, f"已自动修复{faults.MAX_REPAIRS}次仍中断，不再自动重试，需人工处理",
                  flow_run_id=run_id, unrepairable=True)
    return True


def _crash(client, state, run_id: str, message: str) -> None:
    """Mark a lost run Crashed so that nothing (Prefect UI, a late process) takes it for alive."""
    if state is not None and state.type.value in BUSY + LATE:
        try:
            client.set_flow_run_state(UUID(run_id), Crashed(message=message), force=True)
        except Exception:  # the repair goes on; the new run does not depend on it
            log.warning("could not mark flow run %s crashed", run_id, exc_info=True)


def _task_run_state(client, task_run_id: str) -> State | None:
    """The task run's state; None when Prefect does not know the run (its database was replaced)."""
    task_run = _task_run(client, task_run_id)
    return task_run.state if task_run else None


def _task_run(client, task_run_id: str) -> TaskRun | None:
    try:
        return client.read_task_run(UUID(task_run_id))
    except ObjectNotFound:
        return None


def _still_moving(state, kind: str, stall_after: timedelta) -> bool:
    """In a live state for less than its ``PATIENCE`` × the stall limit."""
    return kind in PATIENCE and not _older_than(state.timestamp, stall_after * PATIENCE[kind])


def _older_than(timestamp: datetime | None, age: timedelta) -> bool:
    if timestamp is None:
        return True
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=UTC)
    return datetime.now(UTC) - timestamp > age


def _state_zh(kind: str) -> str:
    return {"CRASHED": "已崩溃", "FAILED": "已失败", "CANCELLED": "已取消", "COMPLETED": "已结束但环节未办结",
            "RUNNING": "长时间无进展", "PENDING": "长时间无进展", "CANCELLING": "长时间无进展",
            "MISSING": "不存在", "DROPPED": "在流程引擎重启时丢失（排在其后的申请已开始受理）"}.get(kind, kind)
