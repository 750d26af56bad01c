"""Faults on real processes: SIGKILL the task worker, the Prefect server and the web app at the points where
work is half done, lose a hand-over or a segment, drop the database's connections. Every case must end
exactly as it would without the fault — nothing lost, no document or 文号 twice — and clients see a 503
with a Chinese message and Retry-After, never a traceback or a 500."""

import os
import signal
import threading
import time
import uuid

import httpx
import pytest
from sqlmodel import Session, func, select

from services.core.db import get_engine
from services.models import Application, AuditEvent, Document, SystemFault
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
        return c.get(f"/api/v1/applications/{application_id}", headers=stack.token("supervisor")).json()


def _suspended(stack, application_id: int, timeout: float = 420) -> dict:
    """The case's review step is open and the segment that opened it has ended (nothing held while it waits)."""
    body = stack_api.waiting_for_decision(stack, application_id, timeout)
    return {s["key"]: s for s in body["steps"]}[REVIEW]


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


def test_a_decision_whose_segment_was_lost_with_a_killed_task_worker_lands_once(stack, sample_application):
    application_id = _post_application(stack, sample_application, str(uuid.uuid4())).json()["id"]
    _suspended(stack, application_id)
    [worker] = stack.pids("deployments.task_worker")
    stack.freeze(worker)  # the decision's segment is queued and not run …
    try:
        _approve(stack, application_id)
        time.sleep(1)
    finally:
        os.kill(worker, signal.SIGKILL)  # … and lost with the worker (it may hold it in its socket)
    _wait(lambda: (p := stack.pids("deployments.task_worker")) and p != [worker], 60, "a new task worker")
    _approved(stack, application_id)  # the sweep finds the stored action unapplied and queues the case again
    _documents_once([application_id])
    with Session(get_engine()) as s:
        applied = s.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.application_id == application_id, AuditEvent.action == "step.action.applied")).one()
    assert applied == 1, "the decision applied once"


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


def test_killing_the_task_worker_while_a_decision_is_applied_issues_each_document_once(stack, sample_application):
    application_id = _post_application(stack, sample_application, str(uuid.uuid4())).json()["id"]
    _suspended(stack, application_id)
    [worker] = stack.pids("deployments.task_worker")
    _approve(stack, application_id)
    time.sleep(0.7)  # the segment is applying the decision or issuing its documents
    os.kill(worker, signal.SIGKILL)
    _approved(stack, application_id)
    _documents_once([application_id])
    _wait(lambda: (p := stack.pids("deployments.task_worker")) and p != [worker], 60, "a new task worker")


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


def test_an_accepted_case_whose_review_never_opened_gets_its_segment(stack, sample_application):
    """The intake accepted the case and was lost before its review segment opened the step (its worker killed,
    and Prefect no longer knows the run): the repair sweep queues the case's next segment."""
    from services.cases import acceptance, handoff
    from services.core.users import get_by_username
    from services.standard_land.intake import StandardLandApplicationInput, submit_application

    lost_run = str(uuid.uuid4())
    with Session(get_engine()) as session:
        data = StandardLandApplicationInput.model_validate(sample_application)
        application, _ = submit_application(session, get_by_username(session, "enterprise"), data, lost_run)
        application_id = application.id
        handoff.set_flow_run(session, application_id, lost_run)  # the intake run, which Prefect lost
        session.commit()
        acceptance.check_completeness(session, application_id)
        acceptance.accept(session, application_id)
        session.commit()
    step = _suspended(stack, application_id)
    assert step["flow_run_id"] != lost_run
    with Session(get_engine()) as s:
        fault = s.exec(select(SystemFault).where(SystemFault.application_id == application_id)).one()
    assert (fault.kind, fault.flow_run_id) == ("review_run_lost", lost_run) and fault.repaired_at is not None
    _approve(stack, application_id)
    _approved(stack, application_id)
    _documents_once([application_id])


def test_an_eia_intake_lost_between_acceptance_and_its_commitment_letter_still_gets_the_letter(
        stack, sample_application):
    """The 环评 intake accepted the case and was lost before it issued the 环评告知承诺书 (its worker killed; found
    by the topology test): the review segment the repair queues issues the letter, once."""
    from services.cases import acceptance, handoff
    from services.core.users import get_by_username
    from services.eia import service as eia
    from tests.samples import ELECTRONICS

    project_id = stack_api.project_of(stack_api.submit(stack, sample_application))
    lost_run = str(uuid.uuid4())
    with Session(get_engine()) as session:
        data = eia.EiaApplicationInput.model_validate({
            "project_id": project_id, "scale": "年产智能传感器500万件", "facts": ELECTRONICS, "route": "commitment",
            "commitment_confirmed": True})
        application, _ = eia.submit(session, get_by_username(session, "enterprise"), data, lost_run)
        application_id = application.id
        handoff.set_flow_run(session, application_id, lost_run)  # the intake run, which Prefect lost
        session.commit()
        acceptance.check_completeness(session, application_id)
        acceptance.accept(session, application_id)
        session.commit()
        assert eia.commitment_letter_missing(session, application_id)
    def review_open() -> dict | None:  # and the segment that opened it ended
        body = stack_api.read(stack, application_id)
        step = {s["key"]: s for s in body["steps"]}["eia_review"]
        if step["status"] != "running" or not step["flow_run_id"]:
            return None
        return body if stack_api.flow_run(stack, step["flow_run_id"])["state"]["type"] == "COMPLETED" else None
    body = wait_for(review_open, 420, "the 环评 review opened by the repair")
    assert [d["kind"] for d in body["documents"]] == ["acceptance_notice", "eia_commitment_letter"]


def test_a_hand_over_forgotten_by_a_killed_prefect_server_is_handed_over_again(stack, sample_application):
    """Prefect keeps queued background tasks in its server's memory: a task run created just before the server
    was killed stays SCHEDULED for ever. Once applications handed over after it have started, it is lost."""
    [worker] = stack.pids("deployments.task_worker")
    stack.freeze(worker)  # nobody takes the task run off the server's queue
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
