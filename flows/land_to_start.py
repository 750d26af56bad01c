"""拿地即开工 as Prefect flows: one case flow, run in segments, with each step's work as its child run (并联审批).

The case flow (``land-to-start``) runs on the warm task worker, at submission and again after every
department's or the enterprise's action and when the listing period has ended (``flows.dispatch``). Each
segment asks the services what can be done now (``services.land_to_start.service.plan_work``), does each
item as a child flow run named after the step (``case-12-design_review-open``: open the step, apply a
decision, end the listing period, issue the certificates), and when nothing is left to do it ends: the
case waits on people holding no run and no process. Branches never block one another: a design scheme
returned for 补正 waits for the enterprise while the EIA and the filing go on.

A segment lost with its worker is queued again by the sweep (the stored action stays unapplied, or the
plan still has work: ``flows.repair``); the next segment continues from the database, so no step,
document or number is made twice.
"""

import logging

from prefect import flow
from prefect.runtime import flow_run

from flows.progress import publish_steps_table
from services.cases import handoff
from services.core import clock
from services.core.db import session_scope
from services.land_to_start import service as lts

CASE_FLOW_NAME = "land-to-start"
log = logging.getLogger(__name__)


@flow(name="land-to-start-step", flow_run_name="case-{application_id}-{step_key}-{kind}", log_prints=True,
      persist_result=False)
def step_work(application_id: int, step_key: str, kind: str, action_id: int | None, case_run_id: str) -> dict:
    """One item of work on one step (a child run of the case run, so the UI shows each branch)."""
    with session_scope() as session:
        return lts.do(session, application_id, lts.Work(kind, step_key, action_id), case_run_id)


@flow(name=CASE_FLOW_NAME, flow_run_name="case-{application_id}", log_prints=True)
def land_to_start_case(application_id: int) -> dict:
    """One segment of the case: every item of work the database allows now, then ``{"waiting": True}`` while
    steps wait on people, or the case's final status."""
    run_id = str(flow_run.id)
    with session_scope() as session:
        handoff.set_flow_run(session, application_id, run_id)
    while True:
        with session_scope() as session:
            plan = lts.plan_work(session, application_id, clock.today())
        if plan.closed:
            publish_steps_table(application_id)
            with session_scope() as session:
                return {"status": handoff.application_of(session, application_id).status.value}
        if not plan.items:
            publish_steps_table(application_id)
            return {"waiting": True}
        for work in plan.items:
            step_work(application_id, work.step_key, work.kind, work.action_id, run_id)
