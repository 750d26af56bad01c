"""拿地即开工 as Prefect flows: one case run, with each step's work as its child run (并联审批).

The case run (``land-to-start``) is a deployment run, so it can wait without holding a process: it
asks the services what can be done now (``services.land_to_start.service.plan_work``), does each item as a
child flow run named after the step (``case-12-design_review``: open the step, apply a department's
decision, end the listing period, issue the certificates), and when nothing is left to do it
suspends. A department's decision on *any* branch resumes it (the web app resumes the run stored on
the step); Prefect starts it again from the top, and it plans again from the database. Branches
never block one another: a design scheme returned for 补正 waits for the enterprise while the EIA
and the filing go on. The listing period is a calendar timer that the task worker's sweep resumes.

If the case run dies (worker killed, database restart), the task worker's sweep starts a new one
(``restart_stalled_cases``); the new run adopts the open steps and continues from the database,
so no step, document or number is made twice.
"""

import logging
import time
from collections.abc import Callable, Collection
from uuid import UUID

from prefect import Task, flow, get_client
from prefect.client.schemas.objects import State
from prefect.context import FlowRunContext
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run
from prefect.states import Crashed

from flows.progress import publish_steps_table
from flows.runs import flow_run_state, start_deployment_run
from services.cases import handoff
from services.core import clock
from services.core.db import session_scope
from services.land_to_start import case_runs
from services.land_to_start import service as lts

CASE_FLOW_NAME = "land-to-start"
CASE_DEPLOYMENT = f"{CASE_FLOW_NAME}/greenchannel"
log = logging.getLogger(__name__)


@flow(name="land-to-start-step", flow_run_name="case-{application_id}-{step_key}-{kind}", log_prints=True,
      persist_result=False)
def step_work(application_id: int, step_key: str, kind: str, action_id: int | None, case_run_id: str) -> dict:
    """One item of work on one step (a child run of the case run, so the UI shows each branch)."""
    with session_scope() as session:
        return lts.do(session, application_id, lts.Work(kind, step_key, action_id), case_run_id)


@flow(name=CASE_FLOW_NAME, flow_run_name="case-{application_id}", log_prints=True)
def land_to_start_case(application_id: int) -> dict:
    run_id = str(flow_run.id)
    with session_scope() as session:
        handoff.set_flow_run(session, application_id, run_id)
        adopted = lts.adopt_open_steps(session, application_id, run_id)
    if adopted:
        log.info("continuing case %s: %s open steps now wait on this run", application_id, adopted)
    _number_children_after_earlier_executions()
    while True:
        with session_scope() as session:
            plan = lts.plan_work(session, application_id, clock.today())
        if plan.closed:
            publish_steps_table(application_id)
            with session_scope() as session:
                return {"status": handoff.application_of(session, application_id).status.value}
        if not plan.items:
            publish_steps_table(application_id)
            suspend_flow_run(key=_next_pause_key(), timeout=None)
            continue  # never reached: a resumed run starts again from the top
        for work in plan.items:
            step_work(application_id, work.step_key, work.kind, work.action_id, run_id)


def _number_children_after_earlier_executions() -> None:
    """A resumed case run executes again from the top, and Prefect identifies a child run by the order
    of the call within one execution (0, 1, 2 …): the first child of the second execution would be taken
    for the first child of the first one, and not run again. Numbering this execution's children from
    the current time in milliseconds keeps every piece of work its own child run."""
    context = FlowRunContext.get()
    if context is None:
        raise RuntimeError("not inside a flow run")
    tracking = Task(name=step_work.name, fn=step_work.fn, version=step_work.version)
    context.task_run_dynamic_keys[tracking.task_key] = time.time_ns() // 1_000_000


def _next_pause_key() -> str:
    """A key never used by this run before (Prefect refuses a suspension whose key already fired)."""
    with get_client(sync_client=True) as client:
        used = client.read_flow_run(flow_run.id).empirical_policy.pause_keys or set()
    return f"wait-{len(used) + 1}"


def start_case(application_id: int, replacing: str = "") -> str:
    """Start the case's deployment run once, or once per lost run it replaces (Prefect's idempotency key finds a
    retried start, or a second sweep's restart of the same lost run)."""
    key = f"gc-case-{application_id}" + (f"-after-{replacing}" if replacing else "")
    return start_deployment_run(CASE_DEPLOYMENT, application_id, idempotency_key=key, tag=lts.PROCESS_KEY)


def start_case_run(application_id: int) -> dict:
    """The start of a case (``flows.registry``): its case run is a deployment run, since it suspends. Its id is
    on the case at once, so that a run no runner ever starts (its runner killed while submitting it) is found
    and replaced like one that crashed."""
    run_id = start_case(application_id)
    with session_scope() as session:
        handoff.set_flow_run(session, application_id, run_id)
    return {"case_flow_run_id": run_id}


def _ended_badly(state: State) -> bool:
    return state.is_crashed() or state.is_failed()


def restart_stalled_cases(max_restarts: int = case_runs.MAX_RESTARTS,
                          application_ids: Collection[int] | None = None,
                          lost: Callable[[State], bool] = _ended_badly) -> int:
    """Start a new run for every open 拿地即开工 case whose run is ``lost`` (crashed or failed: a worker killed,
    the database restarted; ``flows.repair`` also counts a run left pending or running too long), as often as
    ``services.land_to_start.case_runs`` allows. A run Prefect does not know is lost too (one odd case must not
    stop the loop for the others). The lost run is marked Crashed first, so that a late runner does not start
    it beside the new one. A run cancelled by an operator stays cancelled."""
    with session_scope() as session:
        open_cases = case_runs.open_case_runs(session, application_ids)
    restarted = 0
    with get_client(sync_client=True) as client:
        for application_id, run_id in open_cases:
            state = flow_run_state(client, run_id)  # None: Prefect lost the run, the case goes on in a new one
            if state is not None and not lost(state):
                continue
            state_name = "MISSING" if state is None else state.name or state.type.value
            if state is not None and not state.is_final():
                client.set_flow_run_state(UUID(run_id), Crashed(message="案件流程无进展，已重新启动 / case run lost"),
                                          force=True)
            with session_scope() as session:
                attempt = case_runs.claim_restart(session, application_id, run_id, state_name, max_restarts)
            if attempt is None:
                continue
            new_run = start_case(application_id, replacing=run_id)
            with session_scope() as session:
                case_runs.record_restarted(session, application_id, run_id, new_run, state_name, attempt)
            restarted += 1
    return restarted

