"""The stack exactly as the README's run command starts it: a copy of this checkout in a scratch folder,
``greenchannel run --demo`` with nothing set (no GC_… or PREFECT_… variable), only free ports given.

It carries a 标准地 application into the 自然资源局's queue and through a decision to its documents, with
the SLA sweep and the weekly reports served on their shipped schedules; a 环评 commitment case through its
decision and post-approval check; a 拿地即开工 case through every department's decision and the listing
period (ended by the task worker's timer sweep) to its four certificates and the start of construction;
a 代办 mandate signed by the enterprise, assigned by the supervisor, acted on by the agent (a 标准地 case
on the enterprise's behalf, decided by 自然资源局) and completed with its 办结单. Then each supervised
process is SIGKILLed and the stack must come back on its own; SIGTERM stops everything.
"""

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from services.core import clock
from tests.factories import SCHEME_PDF
from tests.harness import free_port as _free_port
from tests.samples import DEMO_PASSWORD as PASSWORD
from tests.samples import DEPARTMENT_USERS, ELECTRONICS
from tests.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(bool(os.environ.get("GC_TEST_DATABASE_URL")),
                                reason="the shipped stack runs on its SQLite default whatever the suite's database: "
                                       "the SQLite run of the suite covers it")


_wait = wait_for


class Shipped:
    """The running stack: its folder, addresses, the `run` process and what it printed."""

    def __init__(self, folder: Path, port: int, prefect_port: int, process: subprocess.Popen, log: Path):
        self.folder, self.process, self.log = folder, process, log
        self.base_url = f"http://127.0.0.1:{port}"
        self.prefect_api = f"http://127.0.0.1:{prefect_port}/api"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def token(self, username: str) -> dict[str, str]:
        r = httpx.post(f"{self.base_url}/api/v1/auth/token", data={"username": username, "password": PASSWORD},
                       timeout=30)
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def children(self) -> dict[str, int]:
        """pid of each process `run` started, by what it runs (read from /proc, as an operator would)."""
        found = {}
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if os.readlink(proc / "cwd") != str(self.folder):
                    continue
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            for name, marker in (("prefect server", "prefect server start"), ("task worker", "deployments.task_worker"),
                                 ("runner", "deployments.serve"), ("web app", "uvicorn forms.app")):
                if marker in cmd and int(proc.name) != self.process.pid:
                    found[name] = int(proc.name)
        return found

    def ready(self) -> dict | None:
        r = httpx.get(f"{self.base_url}/readyz", timeout=10)
        return r.json() if r.status_code == 200 else None


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Shipped:
    folder = tmp_path_factory.mktemp("shipped")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                           capture_output=True).stdout.split(b"\0")
    for name in filter(None, files):
        source, target = REPO / name.decode(), folder / name.decode()
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    # nothing set: the environment of a new user's shell, without this test session's settings
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GC_", "PREFECT_")) and k != "DO_NOT_TRACK"}
    port, prefect_port = _free_port(), _free_port()
    log = folder / "run.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "deployments.cli", "run", "--demo", "--port", str(port),
                                    "--prefect-port", str(prefect_port)], cwd=folder, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    stack = Shipped(folder, port, prefect_port, process, log)
    try:
        _wait(stack.ready, 240, "/readyz of the shipped stack")
    except AssertionError:
        process.kill()
        raise AssertionError("the shipped stack never became ready:\n" + stack.output()[-4000:]) from None
    yield stack
    if process.poll() is None:  # the SIGTERM test did not run or failed
        os.killpg(process.pid, signal.SIGKILL)
        for pid in stack.children().values():
            os.kill(pid, signal.SIGKILL)


def _submit(stack: Shipped, application: dict) -> int:
    r = httpx.post(f"{stack.base_url}/api/v1/applications", json=application, timeout=30,
                   headers=stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _read(stack: Shipped, application_id: int) -> dict:
    return httpx.get(f"{stack.base_url}/api/v1/applications/{application_id}", timeout=30,
                     headers=stack.token("supervisor")).json()


def _waiting_on(stack: Shipped, application_id: int, key: str) -> dict:
    """The case waits on a department: its step is open and the segment that opened it has ended."""
    def waiting():
        body = _read(stack, application_id)
        step = {s["key"]: s for s in body["steps"]}[key]
        if step["status"] != "running" or not step["flow_run_id"]:
            return None
        run = httpx.get(f"{stack.prefect_api}/flow_runs/{step['flow_run_id']}", timeout=10).json()
        return body if run["state"]["type"] == "COMPLETED" else None
    return _wait(waiting, 180, f"application {application_id} waiting on {key}")


def _in_queue(stack: Shipped, application_id: int) -> dict:
    return _waiting_on(stack, application_id, "land_review")


def _approve(stack: Shipped, application_id: int) -> dict:
    r = httpx.post(f"{stack.base_url}/api/v1/applications/{application_id}/steps/land_review/actions",
                   json={"kind": "approve", "reasons": "符合地块控制指标"}, headers=stack.token("reviewer"), timeout=30)
    assert r.status_code == 201, r.text
    return _wait(lambda: (b := _read(stack, application_id))["status"] == "approved" and len(b["documents"]) >= 4 and b,
                 180, f"application {application_id} approved with its documents")


def _web_session(stack: Shipped, username: str) -> httpx.Client:
    client = httpx.Client(base_url=stack.base_url, timeout=30, follow_redirects=True)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 200 and "退出" in r.text, r.text[:500]
    return client


def _run_deployment(stack: Shipped, name: str) -> dict:
    deployment = httpx.get(f"{stack.prefect_api}/deployments/name/{name}", timeout=10).json()
    seen: dict = {}

    def created() -> dict | None:  # Prefect on SQLite may answer a write with a 5xx under load: ask again
        r = httpx.post(f"{stack.prefect_api}/deployments/{deployment['id']}/create_flow_run", json={}, timeout=30)
        seen.update(status=r.status_code, body=r.text[:300])
        return r.json() if r.status_code == 201 else None
    run = _wait(created, 60, f"a run of {name} created", seen)
    return _wait(lambda: (r := httpx.get(f"{stack.prefect_api}/flow_runs/{run['id']}", timeout=10).json())
                 ["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED") and r, 180, f"a run of {name}")


def test_as_shipped_without_e_mail_the_self_service_pages_say_whom_to_call(shipped):
    """No SMTP server is set as shipped: registering and resetting a password by mail are not offered."""
    register = httpx.get(f"{shipped.base_url}/register", timeout=30)
    assert register.status_code == 200 and "尚未开通邮件服务" in register.text and "0769-22830000" in register.text
    assert 'id="register-form"' not in register.text
    forgot = httpx.get(f"{shipped.base_url}/password/forgot", timeout=30)
    assert "联系系统管理员重置密码" in forgot.text


def test_the_shipped_stack_serves_the_sweep_and_reports_on_their_schedules(shipped):
    sweep = httpx.get(f"{shipped.prefect_api}/deployments/name/sla-sweep/greenchannel", timeout=10).json()
    assert [s["schedule"]["interval"] for s in sweep["schedules"]] == [600], "every 10 minutes, as shipped"
    reports = httpx.get(f"{shipped.prefect_api}/deployments/name/progress-reports/greenchannel", timeout=10).json()
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in reports["schedules"]] == \
        [("0 8 * * 1", "Asia/Shanghai")], "Monday 08:00 China time, as shipped"
    ready = shipped.ready()
    assert ready["components"]["deployments"]["status"] == {name: "READY" for name in (
        "sla-sweep/greenchannel", "progress-reports/greenchannel")}
    # the runner runs both flows of the schedules (a scheduled run goes the same way as this one)
    assert _run_deployment(shipped, "sla-sweep/greenchannel")["state"]["type"] == "COMPLETED"
    assert _run_deployment(shipped, "progress-reports/greenchannel")["state"]["type"] == "COMPLETED"
    assert _wait(lambda: (r := shipped.ready()) and r["components"]["sla_sweep"]["last_completed"], 30,
                 "/readyz to report the sweep")


def test_a_standard_land_application_reaches_the_reviewer_and_ends_with_its_documents(shipped, sample_application):
    application_id = _submit(shipped, sample_application)
    body = _in_queue(shipped, application_id)
    assert [d["kind"] for d in body["documents"]] == ["acceptance_notice"]
    reviewer = _web_session(shipped, "reviewer")
    try:
        queue = reviewer.get("/reviews").text
    finally:
        reviewer.close()
    assert body["case_no"] in queue, "the case is in 自然资源局's queue page"
    approved = _approve(shipped, application_id)
    kinds = sorted(d["kind"] for d in approved["documents"])
    assert kinds == sorted(["acceptance_notice", "assessment_report", "investment_commitment",
                            "supervision_agreement"])
    report = next(d for d in approved["documents"] if d["kind"] == "assessment_report")
    pdf = httpx.get(f"{shipped.base_url}{report['pdf_url']}", headers=shipped.token("enterprise"), timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == report["pdf_sha256"]


def test_an_eia_commitment_case_is_decided_and_checked(shipped, sample_application):
    land_id = _submit(shipped, sample_application)
    with sqlite3.connect(shipped.folder / "data" / "greenchannel.db") as db:  # the API does not show project ids
        project_id = db.execute("SELECT project_id FROM application WHERE id = ?", (land_id,)).fetchone()[0]
    r = httpx.post(f"{shipped.base_url}/api/v1/eia/applications", timeout=30,
                   json={"project_id": project_id, "scale": "年产智能传感器500万件", "facts": ELECTRONICS,
                         "route": "commitment", "commitment_confirmed": True},
                   headers=shipped.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    eia_id = r.json()["id"]
    for step, decision in (("eia_review", {"kind": "approve", "reasons": "符合告知承诺制条件"}),
                           ("post_check", {"kind": "check_pass", "reasons": "环保设施已按承诺建设"})):
        _waiting_on(shipped, eia_id, step)
        r = httpx.post(f"{shipped.base_url}/api/v1/applications/{eia_id}/steps/{step}/actions", json=decision,
                       headers=shipped.token("eia_reviewer"), timeout=30)
        assert r.status_code == 201, r.text
    final = _wait(lambda: (b := _read(shipped, eia_id)) and {s["key"]: s for s in b["steps"]}["post_check"]
                  ["status"] == "completed" and b, 180, "the post-approval check recorded")
    kinds = [d["kind"] for d in final["documents"]]
    assert kinds == ["acceptance_notice", "eia_commitment_letter", "eia_decision", "eia_post_check_record"]


# 拿地即开工 on a parcel of its own (the certificates sell it; the other cases here apply for parcel 1)
EAST_PARCEL = "DG-EAST-IM-2026-01"
EAST_PLAN = {"investment_intensity": "500", "output_per_mu": "600", "tax_per_mu": "35", "floor_area_ratio": "2.2",
             "building_coefficient": "52", "office_share": "4", "rd_ratio": "3.5"}
# the totals its per-亩 values come from on 45 亩 (intake checks they agree): 500, 600 and 35 per 亩
EAST_TOTALS = {"total_investment_wan": "22500", "expected_annual_output_wan": "27000",
               "expected_annual_tax_wan": "1575"}


def _database(stack: Shipped) -> sqlite3.Connection:
    """The shipped SQLite file, for what the API does not show (project and parcel ids) or a clock jump."""
    return sqlite3.connect(stack.folder / "data" / "greenchannel.db", timeout=30)


def _case_waiting(stack: Shipped, application_id: int, open_steps: set[str], what: str,
                  meanwhile: Callable[[], None] | None = None) -> dict:
    """The case's last segment has ended with exactly these department steps open and every stored action applied
    (no run and no process held meanwhile); ``meanwhile`` is called before each look."""
    def settled():
        if meanwhile:
            meanwhile()
        body = _read(stack, application_id)
        now_open = {s["key"] for s in body["steps"] if s["status"] in ("running", "suspended")}
        if now_open != open_steps or not body.get("flow_run_id"):
            return None
        with closing(_database(stack)) as db:
            if db.execute("SELECT count(*) FROM step_action WHERE application_id = ? AND applied_at IS NULL",
                          (application_id,)).fetchone()[0]:
                return None
        state = httpx.get(f"{stack.prefect_api}/flow_runs/{body['flow_run_id']}", timeout=10).json()["state"]
        return body if state["type"] == "COMPLETED" else None
    return _wait(settled, 180, what)


def _decide(stack: Shipped, application_id: int, key: str, reasons: str = "经审查符合要求") -> None:
    if key == "design_review":  # the 设计方案预审 approval is made on a version the enterprise handed in
        r = httpx.post(f"{stack.base_url}/api/v1/land-to-start/applications/{application_id}/design-schemes",
                       files=[("files", ("总平面图.pdf", SCHEME_PDF, "application/pdf"))], timeout=30,
                       headers=stack.token("enterprise") | {"Idempotency-Key": f"scheme-{application_id}"})
        assert r.status_code in (200, 201), r.text
    department = {s["key"]: s for s in _read(stack, application_id)["steps"]}[key]["department"]
    r = httpx.post(f"{stack.base_url}/api/v1/applications/{application_id}/steps/{key}/actions",
                   json={"kind": "approve", "reasons": reasons}, headers=stack.token(DEPARTMENT_USERS[department]),
                   timeout=30)
    assert r.status_code == 201, r.text


def test_a_land_to_start_case_is_decided_by_every_department_and_gets_its_four_certificates(
        shipped, sample_application):
    started = time.monotonic()
    with _database(shipped) as db:
        parcel_id = db.execute("SELECT id FROM parcel WHERE number = ?", (EAST_PARCEL,)).fetchone()[0]
    land_id = _submit(shipped, sample_application | {
        "project_name": f"智能装备制造项目-{uuid.uuid4().hex[:6]}", "industry_code": "3411", "parcel_id": parcel_id,
        "planned_indicators": EAST_PLAN} | EAST_TOTALS)
    with _database(shipped) as db:
        project_id = db.execute("SELECT project_id FROM application WHERE id = ?", (land_id,)).fetchone()[0]
    r = httpx.post(f"{shipped.base_url}/api/v1/land-to-start/applications", timeout=30, json={
        "project_id": project_id, "project_code": "2611-441900-04-01-654321", "building_area_m2": "28000",
        "design_unit": "广东省建筑设计研究院", "contractor": "中建三局第一建设工程有限责任公司",
        "supervisor_unit": "广州建设工程监理有限公司", "funds_committed": True, "risk_signed_by": "陈立新",
        "risk_agreed": True}, headers=shipped.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    rounds = [({"project_filing", "design_review"}, ("project_filing", "design_review")),
              ({"eia", "drawing_review", "land_listing"}, ("eia", "drawing_review"))]
    for open_steps, decided in rounds:
        _case_waiting(shipped, case_id, open_steps, f"拿地即开工 waiting on {sorted(open_steps)}")
        for key in decided:
            _decide(shipped, case_id, key)
    _case_waiting(shipped, case_id, {"land_listing"}, "拿地即开工 waiting on the listing period alone")

    def listing_over() -> None:  # the 30 calendar days have passed; again if a late segment rescheduled them
        with closing(_database(shipped)) as db, db:
            db.execute("UPDATE step SET due_on = date('now', '-1 day') WHERE application_id = ? AND key = ? "
                       "AND status = 'running' AND due_on >= date('now')", (case_id, "land_listing"))
    for key, reasons in (("deal_confirmation", "挂牌期满，由本企业竞得"), ("contract", "经审查符合要求"),
                         ("payment", "土地出让价款已缴清")):
        _case_waiting(shipped, case_id, {key}, f"拿地即开工 waiting on {key} (the listing ended by the sweep)",
                      listing_over if key == "deal_confirmation" else None)
        _decide(shipped, case_id, key, reasons)
    final = _wait(lambda: (b := _read(shipped, case_id))["status"] == "permitted" and b, 180, "the four certificates")
    kinds = [d["kind"] for d in final["documents"]]
    assert kinds[0] == "risk_commitment" and sorted(kinds[-4:]) == sorted(
        ["land_title_certificate", "land_use_planning_permit", "construction_planning_permit", "construction_permit"])
    certificate = final["documents"][-1]
    pdf = httpx.get(f"{shipped.base_url}{certificate['pdf_url']}", headers=shipped.token("enterprise"), timeout=30)
    assert pdf.status_code == 200 and hashlib.sha256(pdf.content).hexdigest() == certificate["pdf_sha256"]
    r = httpx.post(f"{shipped.base_url}/api/v1/land-to-start/applications/{case_id}/start",
                   json={"started_on": clock.today().isoformat()}, headers=shipped.token("enterprise"), timeout=30)
    assert r.status_code == 200, r.text
    assert _read(shipped, case_id)["status"] == "started"
    print(f"拿地即开工 through 8 decisions to its certificates: {time.monotonic() - started:.0f} s")


def _csrf(client: httpx.Client, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)


def test_a_mandate_is_signed_assigned_acted_on_and_completed_with_its_document(shipped, sample_application):
    started = time.monotonic()
    project = f"代办项目-{uuid.uuid4().hex[:6]}"
    enterprise, supervisor, agent = (_web_session(shipped, name) for name in ("enterprise", "supervisor", "agent"))
    try:
        form = enterprise.get("/mandates/new").text  # the period as the form proposes it
        period = {name: re.search(rf'name="{name}"[^>]* value="([^"]+)"', form).group(1)
                  for name in ("csrf_token", "valid_from", "valid_until")}
        signed = enterprise.post("/mandates/new", data=period | {
            "idempotency_key": str(uuid.uuid4()), "project_id": "new", "project_name": project, "scope": "some",
            "item_codes": "DB02", "signed_by_name": "林晓", "agree": "on"})
        assert signed.status_code == 200 and re.search(r"/mandates/\d+$", str(signed.url)), signed.text[:2000]
        mandate = str(signed.url.path)
        assert "代办服务委托书" in signed.text and "待指派" in signed.text

        page = supervisor.get(mandate).text  # the supervisor assigns 王敏 (the demo agent)
        agent_id = re.search(r'<option value="(\d+)"[^>]*>代办专员 王敏', page).group(1)
        r = supervisor.post(f"{mandate}/assign", data={"csrf_token": _csrf(supervisor, mandate), "agent_id": agent_id})
        assert r.status_code == 200 and "代办专员 王敏" in r.text, r.text[:2000]
        r = agent.post(f"{mandate}/contact", data={"csrf_token": _csrf(agent, mandate),
                                                  "note": "电话联系企业联系人林晓，约定提交用地申请材料"})
        assert r.status_code == 200 and "已于" in r.text, r.text[:2000]

        # the agent applies on the enterprise's behalf; 自然资源局 decides; the case ends with its documents
        r = httpx.post(f"{shipped.base_url}/api/v1/applications", json=sample_application | {"project_name": project},
                       headers=shipped.token("agent") | {"Idempotency-Key": str(uuid.uuid4())}, timeout=30)
        assert r.status_code == 201, r.text
        application_id = r.json()["id"]
        refused = agent.post(f"{mandate}/complete", data={"csrf_token": _csrf(agent, mandate)})
        assert refused.status_code == 422 and "尚未办结" in refused.text, "a mandate with an open case is not done"
        _in_queue(shipped, application_id)
        approved = _approve(shipped, application_id)
        assert approved["case_no"] in agent.get(mandate).text

        done = agent.post(f"{mandate}/complete", data={"csrf_token": _csrf(agent, mandate)})
        assert done.status_code == 200 and 'data-testid="mandate-status">已办结' in done.text, done.text[:2000]
        seen = enterprise.get(mandate).text
        completion = re.search(r'<li id="document-(\d+)">代办服务办结单 ([^ ]+) ', seen)
        assert completion, "the enterprise sees the 办结单 on its mandate"
        pdf = enterprise.get(f"/documents/{completion.group(1)}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    finally:
        for client in (enterprise, supervisor, agent):
            client.close()
    print(f"代办 signed, assigned, contacted, case decided, completed: {time.monotonic() - started:.0f} s")


def test_killed_processes_are_restarted_and_cases_go_on(shipped, sample_application):
    before = shipped.children()
    assert set(before) == {"prefect server", "task worker", "runner", "web app"}, before
    for pid in before.values():  # every child at once: the worst a machine hiccup can do
        os.kill(pid, signal.SIGKILL)
    seen: dict = {}

    def replaced() -> dict | None:
        now = shipped.children()
        seen.update(children=now, said=shipped.output()[-1500:])
        return now if now.keys() == before.keys() and not set(now.values()) & set(before.values()) else None
    _wait(replaced, 180, "every child replaced", seen)
    assert shipped.output().count("killed by SIGKILL") >= 4
    _wait(shipped.ready, 180, "/readyz after every child was replaced")
    application_id = _submit(shipped, sample_application)
    _in_queue(shipped, application_id)
    approved = _approve(shipped, application_id)
    numbers = [d["number"] for d in approved["documents"]]
    assert len(numbers) == len(set(numbers)) == 4, "each document once, each 文号 once"


def test_sigterm_stops_everything(shipped):
    children = shipped.children()
    shipped.process.send_signal(signal.SIGTERM)
    assert shipped.process.wait(timeout=40) == 0
    time.sleep(1)
    assert shipped.children() == {}, f"left running after SIGTERM: {shipped.children()} (were {children})"
