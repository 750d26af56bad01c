"""Faults on real processes: SIGKILL the task worker, the runner, the Prefect server and the web app at the
points where work is half done, crash a waiting run, drop the database's connections. Every case must end
exactly as it would without the fault — nothing lost, no document or 文号 twice — and clients see a 503
with a Chinese message and Retry-After, never a traceback or a 500."""

import contextlib
import os
import signal
import threading
import time
import uuid

import httpx
import pytest
from sqlmodel import Session, func, select

from services.core.db import get_engine
from services.models import Application, Document, SystemFault
from tests import stack_api
from tests.waiting import wait_for

REVIEW = "land_review"
ON_POSTGRES = os.environ.get("GC_TEST_DATABASE_URL", "").startswith("postgresql")


def _wait(check, timeout: float = 240, what: str = "condition", seen: dict | None = None):
    return wait_for(check, timeout, what, seen)


def _post_application(stack, application: dict, key: str) -> httpx.Response:
    with stack.client() as c:
        return c.post("/api/v1/applications", json=application,
                      headers=stack.token("enterprise") | {"Idempotency-Key": key})


def _read(stack, application_id: int) -> dict:
    with stack.client() as c:
        return c.get(f"/api/v1/applications/{application_id}", headers=stack.token("reviewer")).json()


def _run_state(stack, flow_run_id: str) -> str:
    return httpx.get(f"{stack.prefect_api}/flow_runs/{flow_run_id}", timeout=10).json()["state"]["type"]


def _suspended(stack, application_id: int, timeout: float = 420) -> dict:
    """The case's review step is open and its run waits (suspended). Each review run is a fresh process started by
    the runner, which takes minutes when both test runs of CI load the 2-core machine: hence the long bound."""
    seen: dict = {}

    def waiting():
        body = _read(stack, application_id)
        step = {s["key"]: s for s in body["steps"]}[REVIEW]
        seen.update(status=body["status"], step=step["status"], run=step["flow_run_id"], run_state=None)
        if not (step["status"] == "running" and step["flow_run_id"]):
            return None
        seen["run_state"] = _run_state(stack, step["flow_run_id"])
        return seen["run_state"] == "PAUSED" and step
    return _wait(waiting, timeout, f"application {application_id} waiting on 自然资源局", seen)


def _approve(stack, application_id: int) -> None:
    with stack.client() as c:
        r = c.post(f"/api/v1/applications/{application_id}/steps/{REVIEW}/actions",
                   json={"kind": "approve", "reasons": "符合地块控制指标"}, headers=stack.token("reviewer"))
    assert r.status_code == 201, r.text


def _approved(stack, application_id: int, timeout: float = 300) -> dict:
    return _wait(lambda: (b := _read(stack, application_id))["status"] == "approved" and len(b["documents"]) == 4
                 and b, timeout, f"application {application_id} approved with its four documents")


def _dispatch_task_run(application_id: int) -> str | None:
    """The background task run queued to start the application's process (a fresh read each time)."""
    with Session(get_engine()) as s:
        return s.exec(select(Application.dispatch_task_run_id).where(Application.id == application_id)).one()


def _documents_once(application_ids: list[int]) -> None:
    """Each case has each kind of document once, and no 文号 is used twice anywhere."""
    with Session(get_engine()) as s:
        for application_id in application_ids:
            kinds = s.exec(select(Document.kind).where(Document.application_id == application_id)).all()
            assert len(kinds) == len(set(kinds)), f"a document issued twice for {application_id}: {kinds}"
        numbers = s.exec(select(Document.number)).all()
        assert len(numbers) == len(set(numbers)), "a 文号 used twice"


def test_a_crashed_review_run_is_replaced_and_the_decision_still_lands_once(stack, sample_application):
    application_id = _post_application(stack, sample_application, str(uuid.uuid4())).json()["id"]
    lost_run = _suspended(stack, application_id)["flow_run_id"]
    r = httpx.post(f"{stack.prefect_api}/flow_runs/{lost_run}/set_state",
                   json={"state": {"type": "CRASHED", "message": "runner machine lost"}, "force": True})
    assert r.status_code in (200, 201), r.text
    step = _wait(lambda: (s := _suspended(stack, application_id))["flow_run_id"] != lost_run and s, 300,
                 "a new review run waiting on the step")
    with Session(get_engine()) as s:
        fault = s.exec(select(SystemFault).where(SystemFault.application_id == application_id)).one()
    assert (fault.kind, fault.flow_run_id, fault.unrepairable) == ("review_run_lost", lost_run, False)
    assert fault.repaired_at is not None and "已崩溃" in fault.reason
    _approve(stack, application_id)
    _approved(stack, application_id)
    # the replacement run finishes after the case shows approved (it ends once its last task is recorded)
    _wait(lambda: _run_state(stack, step["flow_run_id"]) == "COMPLETED", 120, "the replacement run completed")
    _documents_once([application_id])


def test_killing_the_task_worker_during_intake_loses_nothing(stack, sample_application):
    keys = [str(uuid.uuid4()) for _ in range(5)]
    ids = [_post_application(stack, sample_application, key).json()["id"] for key in keys]
    [worker] = stack.pids("deployments.task_worker")
    os.kill(worker, signal.SIGKILL)  # the hand-overs are queued or running in it right now
    for application_id in ids:
        body = _wait(lambda a=application_id: (b := _read(stack, a))["status"] == "accepted" and b, 300,
                     f"application {application_id} accepted after the worker was killed")
        assert [d["kind"] for d in body["documents"]] == ["acceptance_notice"]
    for key, application_id in zip(keys, ids, strict=True):  # a client retrying now gets the same case
        again = _post_application(stack, sample_application, key)
        assert again.status_code == 200 and again.json()["id"] == application_id
    _documents_once(ids)


def test_killing_the_runner_while_a_decision_is_applied_issues_each_document_once(stack, sample_application):
    application_id = _post_application(stack, sample_application, str(uuid.uuid4())).json()["id"]
    _suspended(stack, application_id)
    [runner] = stack.pids("deployments.serve")
    _approve(stack, application_id)
    time.sleep(1.5)  # the resumed run is starting or applying the decision
    os.killpg(runner, signal.SIGKILL)  # the runner and the flow run processes it started
    _approved(stack, application_id, timeout=600)  # a run left PENDING is lost after 3 stall limits
    _documents_once([application_id])
    _wait(lambda: stack.pids("deployments.serve"), 60, "a new runner")


def test_submissions_while_the_prefect_server_is_down_are_kept_and_processed(stack, sample_application):
    [server] = stack.pids("prefect server start")
    os.kill(server, signal.SIGKILL)
    created = _post_application(stack, sample_application, str(uuid.uuid4()))
    assert created.status_code == 201, created.text  # stored; handed over when Prefect is back
    application_id = created.json()["id"]
    _wait(lambda: (p := stack.pids("prefect server start")) and p != [server], 60, "a new Prefect server")
    body = _wait(lambda: (b := _read(stack, application_id))["status"] == "accepted" and b, 300,
                 "the application accepted after Prefect came back")
    assert [d["kind"] for d in body["documents"]] == ["acceptance_notice"]
    _wait(lambda: httpx.get(f"{stack.base_url}/readyz", timeout=10).status_code == 200, 180, "/readyz again")


def test_a_client_cut_off_by_a_killed_web_app_retries_into_the_same_application(stack, sample_application):
    key = str(uuid.uuid4())
    [web] = stack.pids("uvicorn")
    statuses = []

    def submit_while_killing():
        try:
            statuses.append(_post_application(stack, sample_application, key).status_code)
        except httpx.HTTPError as error:
            statuses.append(type(error).__name__)
    submitter = threading.Thread(target=submit_while_killing)
    submitter.start()
    time.sleep(0.05)
    os.kill(web, signal.SIGKILL)
    submitter.join()
    _wait(lambda: (p := stack.pids("uvicorn")) and p != [web], 60, "a new web app")
    retried = _wait(lambda: (r := _post_application(stack, sample_application, key)).status_code in (200, 201) and r,
                    120, "the retry to be answered")
    with Session(get_engine()) as s:
        assert s.exec(select(func.count()).select_from(Application)
                      .where(Application.idempotency_key == key)).one() == 1
    assert _wait(lambda: _read(stack, retried.json()["id"])["status"] == "accepted", 300, "acceptance")


@pytest.mark.skipif(not ON_POSTGRES, reason="terminating server backends needs PostgreSQL")
def test_dropped_database_connections_answer_503_in_chinese_and_lose_nothing(stack, sample_application):
    import psycopg

    dsn = os.environ["GC_TEST_DATABASE_URL"].replace("postgresql+psycopg", "postgresql")
    database = dsn.rsplit("/", 1)[1]
    stop = threading.Event()
    killed = []

    def terminate_backends():
        with psycopg.connect(dsn, autocommit=True) as admin:
            while not stop.is_set():
                rows = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = %s AND pid <> pg_backend_pid()", (database,)).fetchall()
                killed.append(len(rows))
                time.sleep(0.2)

    answers: list[tuple[str, int, dict, str]] = []

    def client(n: int):
        for i in range(4):
            key = f"outage-{n}-{i}-{uuid.uuid4()}"
            for _attempt in range(40):  # a client retries with the same key until it has an answer
                try:
                    r = _post_application(stack, sample_application, key)
                except httpx.HTTPError:
                    time.sleep(0.3)
                    continue
                answers.append((key, r.status_code, dict(r.headers), r.text))
                if r.status_code in (200, 201):
                    break
                time.sleep(0.3)

    killer = threading.Thread(target=terminate_backends)
    clients = [threading.Thread(target=client, args=(n,)) for n in range(5)]
    killer.start()
    for t in clients:
        t.start()
    time.sleep(8)
    stop.set()
    killer.join()
    for t in clients:
        t.join()
    assert sum(killed) > 0, "the backends were terminated"
    statuses = {status for _key, status, _h, _t in answers}
    assert statuses <= {200, 201, 503, 401}, f"unexpected answers: {statuses}"
    outages = [(h, t) for _k, status, h, t in answers if status == 503]
    for headers, text in outages:
        assert headers.get("retry-after") and "数据库暂时不可用" in text and "Traceback" not in text
    keys = {key for key, status, _h, _t in answers if status in (200, 201)}
    assert len(keys) == 20, "every client got its application in the end"
    with Session(get_engine()) as s:
        stored = s.exec(select(Application.idempotency_key, Application.id)
                        .where(Application.idempotency_key.in_(keys))).all()
    assert len(stored) == 20, "each once, none lost"
    for _key, application_id in stored:
        _wait(lambda a=application_id: _read(stack, a)["status"] == "accepted", 300, f"{application_id} accepted")
    _documents_once([a for _k, a in stored])
    for _key, application_id in stored:  # their review runs started (a process each): not left to the next test
        _suspended(stack, application_id)


def test_a_run_that_keeps_dying_is_left_to_supervisors_as_a_system_fault(stack, sample_application):
    application_id = _post_application(stack, sample_application, str(uuid.uuid4())).json()["id"]
    run = _suspended(stack, application_id)["flow_run_id"]
    for attempt in range(4):  # the first three are repaired, the fourth is handed to a person
        r = httpx.post(f"{stack.prefect_api}/flow_runs/{run}/set_state",
                       json={"state": {"type": "CRASHED", "message": f"crash {attempt + 1}"}, "force": True})
        assert r.status_code in (200, 201), r.text
        if attempt < 3:
            run = _wait(lambda old=run: (s := _suspended(stack, application_id))["flow_run_id"] != old
                        and s["flow_run_id"], 300, f"repair {attempt + 1}")
    with Session(get_engine()) as s:
        fault = _wait(lambda: s.exec(select(SystemFault).where(SystemFault.application_id == application_id,
                                                               SystemFault.unrepairable)).first(), 60,
                      "the case handed to a person")
        repaired = s.exec(select(func.count()).select_from(SystemFault).where(
            SystemFault.application_id == application_id, SystemFault.repaired_at.is_not(None))).one()
    assert repaired == 3 and fault.repaired_at is None and "需人工处理" in fault.reason
    stuck = httpx.get(f"{stack.base_url}/readyz", timeout=10).json()["components"]["stuck_work"]
    assert stuck["ok"] is False and stuck["unrepairable"] >= 1
    case_no = _read(stack, application_id)["case_no"]
    with stack.web("supervisor") as supervisor:
        page = supervisor.get("/statistics").text
    assert case_no in page and "审查流程丢失" in page and "需人工处理" in page


def test_an_accepted_case_whose_review_run_vanished_gets_a_new_one(stack, sample_application):
    [runner] = stack.pids("deployments.serve")
    os.kill(runner, signal.SIGSTOP)  # the review run will be queued and not started
    try:
        application_id = _post_application(stack, sample_application, str(uuid.uuid4())).json()["id"]
        _wait(lambda: _read(stack, application_id)["status"] == "accepted", 120, "acceptance")
        body = {"flow_runs": {"tags": {"all_": [f"case-{application_id}", "standard-land"]}}}
        queued = _wait(lambda: httpx.post(f"{stack.prefect_api}/flow_runs/filter", json=body, timeout=10).json(),
                       60, "the queued review run")
        _wait(lambda: httpx.delete(f"{stack.prefect_api}/flow_runs/{queued[0]['id']}", timeout=10).status_code
              in (204, 404), 60, "the queued review run deleted (Prefect's SQLite may be busy: 503)")
    finally:
        with contextlib.suppress(ProcessLookupError):  # the supervisor replaced the frozen runner meanwhile
            os.kill(runner, signal.SIGCONT)
    step = _suspended(stack, application_id, timeout=600)
    assert step["flow_run_id"] != queued[0]["id"]
    with Session(get_engine()) as s:
        fault = s.exec(select(SystemFault).where(SystemFault.application_id == application_id)).one()
    assert fault.kind == "review_run_lost" and fault.repaired_at is not None and "不存在" in fault.reason
    _approve(stack, application_id)
    _approved(stack, application_id)
    _documents_once([application_id])


def test_a_hand_over_forgotten_by_a_killed_prefect_server_is_handed_over_again(stack, sample_application):
    """Prefect keeps queued background tasks in its server's memory: a task run created just before the server
    was killed stays SCHEDULED for ever. Once applications handed over after it have started, it is lost."""
    [worker] = stack.pids("deployments.task_worker")
    os.kill(worker, signal.SIGSTOP)  # nobody takes the task run off the server's queue
    try:
        application_id = _post_application(stack, sample_application, str(uuid.uuid4())).json()["id"]
        queued = _wait(lambda: _dispatch_task_run(application_id), 60, "the hand-over recorded")
        [server] = stack.pids("prefect server start")
        os.kill(server, signal.SIGKILL)  # the queue, and the task run in it, is gone with the server
    finally:
        os.kill(worker, signal.SIGKILL)  # (the frozen worker may have the task run in its socket: gone too)
    _wait(lambda: (p := stack.pids("prefect server start")) and p != [server], 60, "a new Prefect server")
    _wait(lambda: (p := stack.pids("deployments.task_worker")) and p != [worker], 60, "a new task worker")
    task_run = _wait(lambda: (r := httpx.get(f"{stack.prefect_api}/task_runs/{queued}", timeout=10)).is_success
                     and r.json(), 60, "the Prefect API back")
    assert task_run["state"]["type"] == "SCHEDULED"  # nothing will ever start it
    later = _post_application(stack, sample_application, str(uuid.uuid4())).json()["id"]
    _wait(lambda: _read(stack, later)["status"] == "accepted", 300, "the later application accepted")
    body = _wait(lambda: (b := _read(stack, application_id))["status"] == "accepted" and b, 300,
                 "the forgotten application handed over again and accepted")
    assert [d["kind"] for d in body["documents"]] == ["acceptance_notice"]
    with Session(get_engine()) as s:
        fault = s.exec(select(SystemFault).where(SystemFault.application_id == application_id)).one()
    assert (fault.kind, fault.flow_run_id) == ("intake_stalled", queued) and fault.repaired_at is not None
    assert "丢失" in fault.reason
    assert httpx.get(f"{stack.prefect_api}/task_runs/{queued}", timeout=10).json()["state"]["type"] == "CRASHED"
    _documents_once([application_id, later])


def test_a_case_run_left_pending_by_a_killed_runner_is_replaced(stack):
    """A runner killed while submitting a 拿地即开工 case run leaves it PENDING for good: the case run is on the
    case from its hand-over on, so the repair sweep finds it, marks it Crashed and starts a new one."""
    [runner] = stack.pids("deployments.serve")
    os.kill(runner, signal.SIGSTOP)  # the case run will be scheduled and not started
    try:
        case_id = stack_api.open_land_to_start_case(stack)
        lost = _wait(lambda: _read(stack, case_id).get("flow_run_id"), 120, "the case run on the case")
        r = httpx.post(f"{stack.prefect_api}/flow_runs/{lost}/set_state", timeout=10,
                       json={"state": {"type": "PENDING", "name": "Submitting"}, "force": True})
        assert r.status_code in (200, 201), r.text  # what a runner killed while starting it leaves behind
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(runner, signal.SIGCONT)
    _wait(lambda: _read(stack, case_id)["flow_run_id"] != lost, 420, "a new case run (PENDING is lost after 3 stall "
          "limits)")
    body = stack_api.case_waiting(stack, case_id, {"project_filing", "design_review"}, "a new case run waiting")
    assert body["flow_run_id"] != lost and _run_state(stack, lost) == "CRASHED"
    with Session(get_engine()) as s:
        fault = s.exec(select(SystemFault).where(SystemFault.application_id == case_id)).one()
    assert (fault.kind, fault.flow_run_id) == ("case_run_lost", lost) and fault.repaired_at is not None


def test_a_case_run_prefect_does_not_know_is_replaced(stack):
    """A case whose run Prefect has no record of (its database restored from an older backup) is carried on by a
    new run, and the repair sweep goes on to the other cases instead of stopping at this one."""
    case_id = stack_api.open_land_to_start_case(stack)
    waiting = stack_api.case_waiting(stack, case_id, {"project_filing", "design_review"}, "the case run waiting")
    unknown = str(uuid.uuid4())
    with Session(get_engine()) as s:
        application = s.get(Application, case_id)
        application.flow_run_id = unknown
        s.add(application)
        s.commit()
    body = stack_api.case_waiting(stack, case_id, {"project_filing", "design_review"}, "a new case run waiting")
    assert body["flow_run_id"] not in (unknown, waiting["flow_run_id"])
    with Session(get_engine()) as s:
        fault = s.exec(select(SystemFault).where(SystemFault.application_id == case_id)).one()
    assert (fault.kind, fault.flow_run_id) == ("case_run_lost", unknown) and fault.repaired_at is not None
    assert "MISSING" in fault.reason
