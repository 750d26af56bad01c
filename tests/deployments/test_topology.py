"""The production topology on one machine, each component its own process, as README "Production" starts it on
several: two Prefect API servers and one process of their background services on PostgreSQL with Redis
messaging, two workers (task workers subscribed to both servers, a runner), two web app instances, each
instance with a data folder of its own (documents and uploads are shared through the database store).

Cases of every process (标准地 through 自然资源局's decision, 环评 by commitment through its decision and
post-approval check, 拿地即开工 through every department to its certificates) are driven through both web
instances by a client that fails over like a load balancer, while one instance of each component is killed
(SIGKILL; its role command restarts it). Then: every key answered is one case, every case ends as it would
without the faults, no document kind twice per case, no 文号 twice.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from tests.factories import SCHEME_PDF
from tests.harness import free_port, processes_of, reset_databases
from tests.samples import DEMO_PASSWORD, DEPARTMENT_USERS, ELECTRONICS, PASSING_PLAN, REPO, SAMPLE
from tests.waiting import wait_for

ON_POSTGRES = os.environ.get("GC_TEST_DATABASE_URL", "").startswith("postgresql")
pytestmark = [
    # in the PostgreSQL run of CI (about 3 minutes alone on 2 cores, since cases run on the warm workers)
    pytest.mark.skipif(not ON_POSTGRES, reason="several Prefect servers need PostgreSQL (and Redis)"),
]
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
DATABASE, PREFECT_DATABASE = f"{PG}/gc_topology", f"{PG.replace('psycopg', 'asyncpg')}/gc_prefect_topology"
REDIS_DB = 7  # a database of the machine's Redis of its own, emptied first
EAST_PARCEL = "DG-EAST-IM-2026-01"  # 拿地即开工 on a parcel of its own (the certificates sell it)
EAST_PLAN = {"investment_intensity": "500", "output_per_mu": "600", "tax_per_mu": "35", "floor_area_ratio": "2.2",
             "building_coefficient": "52", "office_share": "4", "rd_ratio": "3.5"}
# the totals its per-亩 values come from on 45 亩 (intake checks they agree): 500, 600 and 35 per 亩
EAST_TOTALS = {"total_investment_wan": "22500", "expected_annual_output_wan": "27000",
               "expected_annual_tax_wan": "1575"}


class Topology:
    """The role commands, each started as ``greenchannel <role>`` in a session of its own."""

    def __init__(self, root: Path):
        self.root = root
        self.servers = [free_port(), free_port()]
        self.webs = [free_port(), free_port()]
        self.server_urls = [f"http://127.0.0.1:{port}/api" for port in self.servers]
        self.base_urls = [f"http://127.0.0.1:{port}" for port in self.webs]
        self.roles: dict[str, subprocess.Popen] = {}
        self.tokens: dict[str, str] = {}
        self.turn = 0

    def environment(self, instance: str, api_url: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GC_", "PREFECT_"))}
        return env | {"GC_DATA_DIR": str(self.root / instance), "GC_DATABASE_URL": DATABASE,
                      "GC_PREFECT_DATABASE_URL": PREFECT_DATABASE, "GC_SECRET_KEY": "topology-secret",
                      "GC_REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}", "GC_FILE_STORE": "database",
                      "GC_PREFECT_API_URL": api_url, "GC_PREFECT_SERVER_URLS": ",".join(self.server_urls),
                      # as the shared test stack (tests/conftest.py STACK_OVERRIDES): quicker repairs
                      "GC_DISPATCH_SWEEP_SECONDS": "2", "GC_STUCK_AFTER_SECONDS": "45", "GC_SLA_SWEEP_MINUTES": "0",
                      "GC_PROGRESS_REPORT_CRON": "", "DO_NOT_TRACK": "1", "PYTHONUNBUFFERED": "1"}

    def command(self, instance: str, api_url: str, *args: str, wait: bool = False) -> None:
        env = self.environment(instance, api_url)
        (self.root / instance).mkdir(parents=True, exist_ok=True)
        log = open(self.root / instance / "role.log", "ab")  # noqa: SIM115 - the child keeps it
        process = subprocess.Popen([sys.executable, "-m", "deployments.cli", *args], cwd=REPO, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            assert process.wait(timeout=300) == 0, (self.root / instance / "role.log").read_text()[-3000:]
        else:
            self.roles[instance] = process

    def start(self) -> None:
        reset_databases(DATABASE, PREFECT_DATABASE)
        redis.Redis(db=REDIS_DB).flushdb()
        self.command("setup", self.server_urls[0], "db", "upgrade", wait=True)  # once per release, as README says
        self.command("setup", self.server_urls[0], "seed-demo", wait=True)
        for n, port in enumerate(self.servers):
            self.command(f"prefect-server-{n + 1}", self.server_urls[n], "prefect-server", "--host", "127.0.0.1",
                         "--port", str(port))
        self.command("prefect-services", self.server_urls[0], "prefect-services")
        for n in range(2):
            self.command(f"worker-{n + 1}", self.server_urls[n], "worker")
            self.command(f"web-{n + 1}", self.server_urls[n], "web", "--host", "127.0.0.1", "--port", str(self.webs[n]))
        for url in self.base_urls:
            wait_for(lambda u=url: httpx.get(f"{u}/readyz", timeout=10).status_code == 200, 300, f"{url}/readyz")

    def stop(self) -> list[str]:
        """SIGTERM to every role command (as systemd stops them); the processes still alive after are killed."""
        for process in self.roles.values():
            with suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        codes = {name: process.wait(timeout=60) for name, process in self.roles.items()}
        time.sleep(1)
        left = [pid for instance in self.roles for pid in processes_of(self.root / instance)]
        for pid in left:
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        return [f"{name} exited {code}" for name, code in codes.items() if code != 0] + [f"pid {p}" for p in left]

    def kill(self, instance: str, marker: str) -> list[int]:
        """SIGKILL a component of an instance (each process and what it started, e.g. a runner's flow runs); its
        role command must restart it."""
        pids = wait_for(lambda: processes_of(self.root / instance, marker, python_only=False), 120,
                        f"{marker!r} running in {instance} (it may be restarting)")
        for pid in pids:
            with suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        return pids

    # ------------------------------------------------------------------ a client behind a load balancer

    def request(self, method: str, path: str, user: str, **kwargs) -> httpx.Response:
        """Round robin over the web instances; a refused connection or a 503 tries the next one (same key)."""
        deadline = time.monotonic() + 180
        extra_headers = kwargs.pop("headers", {})  # the same Idempotency-Key on every attempt
        while True:
            self.turn += 1
            base = self.base_urls[self.turn % 2]
            try:
                response = httpx.request(method, base + path, headers=self.token(user) | extra_headers, timeout=30,
                                         **kwargs)
                if response.status_code != 503:
                    return response
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} {path}: no web instance answered for 180 s")
            time.sleep(0.5)

    def token(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            for base in self.base_urls * 60:
                with suppress(httpx.TransportError):
                    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": user, "password": DEMO_PASSWORD},
                                   timeout=30)
                    if r.status_code == 200:
                        self.tokens[user] = r.json()["access_token"]
                        break
                time.sleep(1)
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def read(self, application_id: int, user: str = "supervisor") -> dict:
        return self.request("GET", f"/api/v1/applications/{application_id}", user).json()

    def run_state(self, flow_run_id: str) -> str | None:
        for url in self.server_urls:
            with suppress(httpx.HTTPError, KeyError, ValueError):
                return httpx.get(f"{url}/flow_runs/{flow_run_id}", timeout=10).json()["state"]["type"]
        return None


def _sql(query: str, *params) -> list[tuple]:
    with psycopg.connect(DATABASE.replace("+psycopg", "")) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="module")
def topology(tmp_path_factory) -> Iterator[Topology]:
    topology = Topology(tmp_path_factory.mktemp("topology"))
    try:
        topology.start()
        yield topology
    finally:
        leftovers = topology.stop()
    assert leftovers == [], f"the roles did not stop cleanly: {leftovers}"


def _waiting_on(topology: Topology, application_id: int, key: str, timeout: float = 420) -> dict:
    """The case waits on a department: its step is open and the segment that opened it has ended."""
    def waiting():
        body = topology.read(application_id)
        step = {s["key"]: s for s in body["steps"]}.get(key)
        return step and step["status"] == "running" and step["flow_run_id"] and \
            topology.run_state(step["flow_run_id"]) == "COMPLETED" and body
    return wait_for(waiting, timeout, f"application {application_id} waiting on {key}")


def _decide(topology: Topology, application_id: int, key: str, kind: str, reasons: str) -> None:
    if key == "design_review":  # the 设计方案预审 approval is made on a version the enterprise handed in
        r = topology.request("POST", f"/api/v1/land-to-start/applications/{application_id}/design-schemes",
                             "enterprise", files=[("files", ("总平面图.pdf", SCHEME_PDF, "application/pdf"))],
                             headers={"Idempotency-Key": f"scheme-{application_id}"})
        assert r.status_code in (200, 201), r.text
    department = {s["key"]: s for s in topology.read(application_id)["steps"]}[key]["department"]
    r = topology.request("POST", f"/api/v1/applications/{application_id}/steps/{key}/actions",
                         DEPARTMENT_USERS[department], json={"kind": kind, "reasons": reasons})
    assert r.status_code == 201, r.text


def _submit(topology: Topology, path: str, body: dict, keys: dict[str, int]) -> int:
    """Post with a key of its own (retried with the same key); records key → the case it answered."""
    key = str(uuid.uuid4())
    r = topology.request("POST", path, "enterprise", json=body, headers={"Idempotency-Key": key})
    assert r.status_code in (200, 201), r.text
    keys[key] = r.json()["id"]
    return keys[key]


def _standard_land(topology: Topology, application_id: int) -> dict:
    _waiting_on(topology, application_id, "land_review")
    _decide(topology, application_id, "land_review", "approve", "符合地块控制指标")
    return wait_for(lambda: (b := topology.read(application_id))["status"] == "approved" and len(b["documents"]) == 4
                    and b, 420, f"application {application_id} approved with its four documents")


def _eia(topology: Topology, eia_id: int) -> dict:
    for key, kind, reasons in (("eia_review", "approve", "符合告知承诺制条件"),
                               ("post_check", "check_pass", "环保设施已按承诺建设")):
        _waiting_on(topology, eia_id, key)
        _decide(topology, eia_id, key, kind, reasons)
    return wait_for(lambda: (b := topology.read(eia_id)) and {s["key"]: s for s in b["steps"]}["post_check"]
                    ["status"] == "completed" and len(b["documents"]) == 4 and b, 420, "the 环评 case checked")


def _land_to_start(topology: Topology, case_id: int) -> dict:
    def case_waiting(open_steps: set[str]) -> None:
        def settled():
            body = topology.read(case_id)
            now_open = {s["key"] for s in body["steps"] if s["status"] in ("running", "suspended")}
            return now_open == open_steps and body.get("flow_run_id") and \
                topology.run_state(body["flow_run_id"]) == "COMPLETED"
        wait_for(settled, 420, f"拿地即开工 waiting on {sorted(open_steps)}")
    for open_steps, decided in (({"project_filing", "design_review"}, ("project_filing", "design_review")),
                                ({"eia", "drawing_review", "land_listing"}, ("eia", "drawing_review"))):
        case_waiting(open_steps)
        for key in decided:
            _decide(topology, case_id, key, "approve", "经审查符合要求")
    case_waiting({"land_listing"})  # the decisions' segment sets the listing's deadline: jump after it
    _sql("UPDATE step SET due_on = CURRENT_DATE - 1 WHERE application_id = %s AND key = 'land_listing'", case_id)
    for key, reasons in (("deal_confirmation", "挂牌期满，由本企业竞得"), ("contract", "经审查符合要求"),
                         ("payment", "土地出让价款已缴清")):
        case_waiting({key})
        _decide(topology, case_id, key, "approve", reasons)
    return wait_for(lambda: (b := topology.read(case_id))["status"] == "permitted" and b, 420, "the four certificates")


def test_every_process_runs_across_instances_while_one_of_each_component_is_killed(topology):
    keys: dict[str, int] = {}  # Idempotency-Key → the case id it was answered with
    results: dict[str, dict] = {}
    errors: list[BaseException] = []

    def drive(name: str, work) -> None:
        try:
            results[name] = work()
        except BaseException as error:  # reported below, with the others' results
            errors.append(error)

    plan = dict(SAMPLE, planned_indicators=dict(PASSING_PLAN))
    land_ids = [_submit(topology, "/api/v1/applications", plan, keys) for _ in range(2)]
    [(east,)] = _sql("SELECT id FROM parcel WHERE number = %s", EAST_PARCEL)
    east_land = _submit(topology, "/api/v1/applications", plan | {
        "project_name": "智能装备制造项目", "industry_code": "3411", "parcel_id": east,
        "planned_indicators": EAST_PLAN} | EAST_TOTALS, keys)
    [(project,)] = _sql("SELECT project_id FROM application WHERE id = %s", land_ids[0])
    [(east_project,)] = _sql("SELECT project_id FROM application WHERE id = %s", east_land)
    eia_id = _submit(topology, "/api/v1/eia/applications", {
        "project_id": project, "scale": "年产智能传感器500万件", "facts": ELECTRONICS, "route": "commitment",
        "commitment_confirmed": True}, keys)
    case_id = _submit(topology, "/api/v1/land-to-start/applications", {
        "project_id": east_project, "project_code": "2611-441900-04-01-654321", "building_area_m2": "28000",
        "design_unit": "广东省建筑设计研究院", "contractor": "中建三局第一建设工程有限责任公司",
        "supervisor_unit": "广州建设工程监理有限公司", "funds_committed": True, "risk_signed_by": "陈立新",
        "risk_agreed": True}, keys)
    threads = [threading.Thread(target=drive, args=(f"land-{a}", lambda a=a: _standard_land(topology, a)))
               for a in land_ids]
    threads += [threading.Thread(target=drive, args=("eia", lambda: _eia(topology, eia_id))),
                threading.Thread(target=drive, args=("land-to-start", lambda: _land_to_start(topology, case_id)))]
    for thread in threads:
        thread.start()

    # one instance of each component killed while cases are submitted and decided
    killed: list[int] = []
    for instance, marker in (("web-1", "uvicorn forms.app"), ("prefect-server-1", "prefect server start"),
                             ("worker-1", "deployments.task_worker"), ("worker-1", "deployments.serve"),
                             ("prefect-services", "services start"), ("web-2", "uvicorn forms.app")):
        more = _submit(topology, "/api/v1/applications", plan, keys)
        threads.append(threading.Thread(target=drive,
                                        args=(f"land-{more}", lambda a=more: _standard_land(topology, a))))
        threads[-1].start()
        killed += topology.kill(instance, marker)
        time.sleep(8)
    for thread in threads:
        thread.join(timeout=1500)
    assert not errors, errors
    assert len(results) == len(threads)

    # 0 lost, 0 duplicated: each key one case, each case ended, each document once, each 文号 once
    stored = dict(_sql("SELECT idempotency_key, id FROM application"))
    assert {key: stored.get(key) for key in keys} == keys, "each key answered is the one case stored under it"
    assert len(stored) == len(keys) == len(set(keys.values())), f"cases stored {stored}, answered {keys}"
    twice = _sql("SELECT application_id, kind, count(*) FROM document GROUP BY application_id, kind, step_key "
                 "HAVING count(*) > 1")
    assert twice == [], f"documents issued twice: {twice}"
    assert _sql("SELECT number FROM document GROUP BY number HAVING count(*) > 1") == []
    # every component is back (the web instance killed last may still be starting when the cases have ended) …
    for url in topology.base_urls:
        wait_for(lambda u=url: httpx.get(f"{u}/readyz", timeout=10).status_code == 200, 300, f"{url}/readyz again")
    # … a document written by a worker is read through either web instance (shared store), as issued …
    certificate = results["land-to-start"]["documents"][-1]
    for base in topology.base_urls:
        pdf = httpx.get(f"{base}{certificate['pdf_url']}", headers=topology.token("enterprise"), timeout=30)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # … and each case's runs are in Prefect, tagged by the case
    runs = httpx.post(f"{topology.server_urls[1]}/flow_runs/filter", timeout=10,
                      json={"flow_runs": {"tags": {"all_": [f"case-{case_id}"]}}}).json()
    assert runs, "the 拿地即开工 case's runs are in Prefect under its tag"
