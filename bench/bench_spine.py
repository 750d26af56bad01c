#!/usr/bin/env python
"""Benchmark of the Green Channel spine: web app → database → Prefect → acceptance notice.

Starts its own stack with the tests' harness (``tests/harness.py``: ``greenchannel run --demo`` on free
ports, a fresh temporary ``GC_DATA_DIR``, SQLite unless ``--database-url`` is given, the shipped settings
without the tests' overrides), then measures

1. ``GET /healthz`` with N concurrent clients (the baseline of this machine and this run);
2. the form page ``GET /applications/new`` (cookie session) and ``POST /api/v1/applications``
   (bearer token, unique ``Idempotency-Key``) with N concurrent clients, as req/s and ratio to 1; for
   1 and the POST test also the CPU milliseconds each component spent per successful request (from
   ``/proc``: web app, task worker, runner, Prefect server, PostgreSQL) and how busy the machine was;
3. after the backlog of 2 has drained (or timed out): submission → acceptance notice PDF downloadable,
   over 20 applications submitted one after another (aim: ≤ 2 s);
4. in-process render time of the acceptance notice, PDF and DOCX (first and warm).

Usage (from the repository root)::

    .venv/bin/python bench/bench_spine.py                  # 30 s per load test, SQLite
    .venv/bin/python bench/bench_spine.py --seconds 5      # smoke run
    .venv/bin/python bench/bench_spine.py --post-only      # only 1 and 2, with CPU per request
    .venv/bin/python bench/bench_spine.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test   # DROPS schema public

The stack is stopped with SIGINT (what Ctrl-C does) at the end and on any error.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the editable install does this too; bench scripts must not depend on it
from tests.harness import COMPONENTS, Stack, reset_databases, settings_for  # noqa: E402
from tests.samples import DEMO_PASSWORD, SAMPLE  # noqa: E402

DISPATCH_TASK = "start-process"  # flows/dispatch.py: the background task the web app queues per application
AIM_SECONDS = 2.0
ACTIVE_STATES = ["SCHEDULED", "PENDING", "RUNNING", "PAUSED", "CANCELLING"]
FINAL_STATES = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); p in [0, 100]."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def ms(seconds: float) -> str:
    return "n/a" if seconds != seconds else f"{seconds * 1000:.1f} ms"  # NaN != NaN


# --------------------------------------------------------------------------------------------- stack

def new_stack(database_url: str, prefect_database_url: str) -> Stack:
    """A stack of its own: fresh temporary data folder, the settings ``greenchannel run --demo`` ships."""
    data_dir = Path(tempfile.mkdtemp(prefix="gc-bench-"))
    return Stack(settings_for(data_dir, database_url, prefect_database_url, secret_key="bench-secret"))


def start_stack(stack: Stack) -> None:
    """Reset its PostgreSQL databases (if any: DROPPED), start it and wait until it is ready."""
    if stack.database_url.startswith("postgresql") or stack.prefect_database_url:
        log("resetting the PostgreSQL databases (schema public of ours; Prefect's recreated)")
    reset_databases(stack.database_url, stack.prefect_database_url)
    seconds = stack.start()
    log(f"stack ready in {seconds:.1f} s: web {stack.base_url}, Prefect {stack.prefect_api}, data {stack.data_dir}")


def stop_stack(stack: Stack) -> None:
    log("stopping the stack (SIGINT, what Ctrl-C does)")
    stopped = stack.stop()
    log(f"stack exited with code {stopped.exit_code}")
    if stopped.leftovers:  # children of `run` that Ctrl-C did not stop; ours, by their data folder
        log(f"WARNING: processes left running after Ctrl-C (killed): {'; '.join(stopped.leftovers)}")


# ------------------------------------------------------------------------------------------- load

@dataclass
class LoadResult:
    name: str
    clients: int
    elapsed: float = 0.0
    ok_latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # "201", "500", "ReadTimeout", …

    @property
    def ok(self) -> int:
        return len(self.ok_latencies)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def errors(self, ok_codes: set[str]) -> dict[str, int]:
        return {k: v for k, v in sorted(self.statuses.items()) if k not in ok_codes}


def run_load(name: str, clients: int, seconds: float, setup, request, ok_codes: set[str]) -> LoadResult:
    """``setup(i)`` → per-client state (logins happen here, outside the timed window);
    ``request(state, i, n)`` → (status label, response) — timed; loops until ``seconds`` are up."""
    result = LoadResult(name, clients)
    lock = threading.Lock()
    states: list = [None] * clients
    setup_errors: list[BaseException] = []
    barrier = threading.Barrier(clients + 1)
    go = threading.Event()
    window: dict[str, float] = {"end": 0.0}

    def worker(i: int) -> None:
        try:
            states[i] = setup(i)
        except BaseException as error:  # reported below
            setup_errors.append(error)
        barrier.wait()
        go.wait()
        if states[i] is None:
            return
        lat, codes, n = [], Counter(), 0
        while time.perf_counter() < window["end"]:
            t0 = time.perf_counter()
            try:
                label = request(states[i], i, n)
            except httpx.HTTPError as error:
                label = type(error).__name__
            dt = time.perf_counter() - t0
            codes[label] += 1
            if label in ok_codes:
                lat.append(dt)
            n += 1
        with lock:
            result.ok_latencies.extend(lat)
            result.statuses.update(codes)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()  # all clients are set up (logged in)
    if setup_errors:
        go.set()
        for t in threads:
            t.join()
        for state in states:
            if state is not None:
                state["client"].close()
        raise RuntimeError(f"{name}: {len(setup_errors)} client(s) failed to set up: {setup_errors[0]!r}")
    start = time.perf_counter()
    window["end"] = start + seconds
    go.set()
    for t in threads:
        t.join()
    result.elapsed = time.perf_counter() - start
    for state in states:
        if state is not None:
            state["client"].close()
    return result


def print_load(result: LoadResult, ok_codes: set[str], baseline: LoadResult | None) -> None:
    lat = result.ok_latencies
    ratio = f", {result.rps / baseline.rps:.4f}× healthz" if baseline and baseline.rps else ""
    log(f"{result.name}: {result.ok} ok in {result.elapsed:.1f} s with {result.clients} clients → "
        f"{result.rps:.1f} req/s{ratio}; p50 {ms(percentile(lat, 50))}, p95 {ms(percentile(lat, 95))}, "
        f"max {ms(max(lat) if lat else float('nan'))}; errors {result.errors(ok_codes) or 'none'}")


def bench_healthz(stack: Stack, clients: int, seconds: float) -> LoadResult:
    def setup(i):
        return {"client": httpx.Client(base_url=stack.base_url, timeout=60)}

    def request(state, i, n):
        return str(state["client"].get("/healthz").status_code)

    return run_load("GET /healthz", clients, seconds, setup, request, {"200"})


def _signed_in_cookies(stack: Stack) -> httpx.Cookies:
    """One sign-in through the login form, shared by every client (the sign-in limit refuses a burst of
    sign-ins from one address with 429, as it should)."""
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        page = client.get("/login")
        page.raise_for_status()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"csrf_token": csrf, "username": "enterprise", "password": DEMO_PASSWORD,
                                        "next": "/applications/new"})
        if r.status_code != 303:
            raise RuntimeError(f"form login answered {r.status_code}")
        return httpx.Cookies(client.cookies)


def bench_form_page(stack: Stack, clients: int, seconds: float) -> LoadResult:
    cookies = _signed_in_cookies(stack)

    def setup(i):
        client = httpx.Client(base_url=stack.base_url, timeout=60, cookies=cookies)
        check = client.get("/applications/new")
        if check.status_code != 200 or 'name="project_name"' not in check.text:
            raise RuntimeError(f"form page answered {check.status_code} after login")
        return {"client": client}

    def request(state, i, n):
        return str(state["client"].get("/applications/new").status_code)  # a 303 means: not signed in

    return run_load("GET /applications/new (page)", clients, seconds, setup, request, {"200"})


def bench_submissions(stack: Stack, clients: int, seconds: float) -> tuple[LoadResult, list[int]]:
    created: list[int] = []
    token = stack.token()  # one token for every client (the sign-in limit refuses a burst of sign-ins)
    lock = threading.Lock()

    def setup(i):
        client = httpx.Client(base_url=stack.base_url, timeout=120)
        client.headers.update(token)
        return {"client": client}

    def request(state, i, n):
        body = dict(SAMPLE, project_name=f"基准测试项目-{i:02d}-{n:05d}")
        r = state["client"].post("/api/v1/applications", json=body,
                                 headers={"Idempotency-Key": f"bench-{uuid.uuid4().hex}"})
        if r.status_code == 201:
            with lock:
                created.append(r.json()["id"])
        return str(r.status_code)

    result = run_load("POST /api/v1/applications", clients, seconds, setup, request, {"201"})
    return result, created


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(all, idle) CPU seconds of the machine so far, summed over its cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) / os.sysconf("SC_CLK_TCK"), (values[3] + values[4]) / os.sysconf("SC_CLK_TCK")


def component_pids(stack: Stack) -> dict[str, list[int]]:
    """The stack's processes by component, and PostgreSQL's (every process named postgres: its server and
    the backends of every client, the stack's and others')."""
    found = {name: stack.pids(marker) for name, marker in COMPONENTS.items()}
    pg = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True, check=False).stdout.split()
    found["PostgreSQL"] = [int(pid) for pid in pg]
    return found


def cpu_per_request(stack: Stack, run: Callable[[], LoadResult]) -> tuple[LoadResult, str]:
    """Run a load test and say where the machine's CPU went: milliseconds of CPU per successful request of
    each component (a process that ended during the test is not counted), and how busy the cores were."""
    before = {pid: cpu_seconds(pid) for pids in component_pids(stack).values() for pid in pids}
    machine_before = machine_cpu()
    result = run()
    machine_after = machine_cpu()
    used = {name: sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in pids)
            for name, pids in component_pids(stack).items()}
    total, idle = machine_after[0] - machine_before[0], machine_after[1] - machine_before[1]
    parts = ", ".join(f"{name} {1000 * seconds / max(result.ok, 1):.1f}" for name, seconds in used.items())
    return result, (f"CPU-ms per successful request: {parts}; machine busy "
                    f"{(total - idle) / max(total, 1e-9):.0%} of {os.cpu_count()} cores")


# ---------------------------------------------------------------------------------- backlog, e2e

def prefect_counts(stack: Stack) -> dict[str, dict[str, int]]:
    """Dispatch task runs (one per application, queued by the web app) and flow runs, by state."""
    counts: dict[str, dict[str, int]] = {"tasks": {}, "flows": {}}
    for state in ACTIVE_STATES + FINAL_STATES:
        for kind, path, flt in (("tasks", "task_runs", {"task_runs": {"name": {"like_": DISPATCH_TASK}}}),
                                ("flows", "flow_runs", {"flow_runs": {}})):
            body = {k: dict(v, state={"type": {"any_": [state]}}) for k, v in flt.items()}
            r = httpx.post(f"{stack.prefect_api}/{path}/count", json=body, timeout=30)
            r.raise_for_status()
            if r.json():
                counts[kind][state] = r.json()
    return counts


def active_runs(counts: dict[str, dict[str, int]]) -> int:
    return sum(c.get(s, 0) for c in counts.values() for s in ACTIVE_STATES)


def fmt_counts(counts: dict[str, dict[str, int]]) -> str:
    return f"dispatch task runs {counts['tasks'] or '{}'}, flow runs {counts['flows'] or '{}'}"


def application_state(client: httpx.Client, application_id: int) -> tuple[bool, bool]:
    """(has documents, has a flow run id)."""
    r = client.get(f"/api/v1/applications/{application_id}")
    r.raise_for_status()
    body = r.json()
    return bool(body["documents"]), bool(body["flow_run_id"])


def drain_backlog(stack: Stack, ids: list[int], timeout: float) -> dict:
    """Wait until every application of the load test has its documents, or ``timeout``."""
    t0 = time.monotonic()
    pending, no_flow_run = set(ids), set()
    last_check = last_report = 0.0
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        client.headers.update(stack.token())
        while pending:
            now = time.monotonic()
            counts = prefect_counts(stack)
            # Prefect counts are cheap; checking each application is not: when Prefect is idle, every
            # 2 s once few are left, else every 20 s (also catches applications without a flow run).
            if active_runs(counts) == 0 or now - last_check >= (2 if len(pending) <= 50 else 20):
                states = {i: application_state(client, i) for i in sorted(pending)}
                pending = {i for i, (docs, _) in states.items() if not docs}
                no_flow_run = {i for i, (docs, run) in states.items() if not docs and not run}
                last_check = time.monotonic()
            if not pending:
                break
            if now - last_report >= 10:
                log(f"  backlog: {len(pending)} of {len(ids)} applications without documents (as of last "
                    f"check); {fmt_counts(counts)}")
                last_report = now
            if now - t0 > timeout:
                break
            time.sleep(1)
    elapsed = time.monotonic() - t0
    return {"drained": not pending, "seconds": elapsed, "pending": len(pending), "total": len(ids),
            "no_flow_run": len(no_flow_run), "counts": prefect_counts(stack)}


def cancel_scheduled(stack: Stack) -> int:
    """Cancel the dispatch task runs still waiting for the task worker (best effort), so that the
    end-to-end figure is taken on an idle system. Their applications stay without documents."""
    seen: set[str] = set()
    while True:
        r = httpx.post(f"{stack.prefect_api}/task_runs/filter", timeout=60, json={
            "task_runs": {"name": {"like_": DISPATCH_TASK}, "state": {"type": {"any_": ["SCHEDULED"]}}},
            "limit": 200})
        r.raise_for_status()
        runs = [run for run in r.json() if run["id"] not in seen]
        if not runs:
            return len(seen)
        for run in runs:
            seen.add(run["id"])
            httpx.post(f"{stack.prefect_api}/task_runs/{run['id']}/set_state", timeout=60, json={
                "state": {"type": "CANCELLED", "name": "Cancelled", "message": "bench: backlog not drained"},
                "force": True}).raise_for_status()


def quiesce(stack: Stack, timeout: float, quiet: float = 10) -> tuple[int, bool]:
    """Cancel scheduled dispatch task runs until Prefect has had nothing active and no new dispatch
    task run for ``quiet`` seconds (the web app may still hold undispatched ids in memory)."""
    cancelled, last_total, quiet_since = 0, -1, None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cancelled += cancel_scheduled(stack)
        counts = prefect_counts(stack)
        total = sum(counts["tasks"].values())
        now = time.monotonic()
        if active_runs(counts) == 0 and total == last_total:
            quiet_since = quiet_since or now
            if now - quiet_since >= quiet:
                return cancelled, True
        else:
            quiet_since = None
        last_total = total
        time.sleep(1)
    return cancelled, False


def wait_prefect_idle(stack: Stack, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if active_runs(prefect_counts(stack)) == 0:
            return True
        time.sleep(1)
    return False


@dataclass
class E2EResult:
    totals: list[float] = field(default_factory=list)  # POST returned → PDF GET 200
    to_document: list[float] = field(default_factory=list)  # POST returned → document listed
    post_latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def bench_end_to_end(stack: Stack, count: int, per_app_timeout: float, poll: float) -> E2EResult:
    result = E2EResult()
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        client.headers.update(stack.token())
        for n in range(count):
            if len(result.failures) >= 3 and len(result.failures) == n - len(result.totals) and not result.totals:
                result.failures.append(f"gave up after {n} applications without a PDF")
                break
            body = dict(SAMPLE, project_name=f"端到端测试项目-{n:03d}")
            t_post = time.perf_counter()
            r = client.post("/api/v1/applications", json=body,
                            headers={"Idempotency-Key": f"bench-e2e-{uuid.uuid4().hex}"})
            t_returned = time.perf_counter()
            if r.status_code != 201:
                result.failures.append(f"#{n}: POST answered {r.status_code}: {r.text[:200]}")
                continue
            result.post_latencies.append(t_returned - t_post)
            app_id, pdf_url, t_doc = r.json()["id"], None, None
            deadline = t_returned + per_app_timeout
            while time.perf_counter() < deadline:
                if pdf_url is None:
                    docs = client.get(f"/api/v1/applications/{app_id}").json()["documents"]
                    notice = next((d for d in docs if d["kind"] == "acceptance_notice"), None)
                    if notice:
                        pdf_url, t_doc = notice["pdf_url"], time.perf_counter()
                if pdf_url is not None:
                    pdf = client.get(pdf_url)
                    if pdf.status_code == 200 and pdf.content.startswith(b"%PDF"):
                        result.totals.append(time.perf_counter() - t_returned)
                        result.to_document.append(t_doc - t_returned)
                        break
                time.sleep(poll)
            else:
                result.failures.append(f"#{n} (application {app_id}): no PDF within {per_app_timeout:.0f} s")
    return result


# ------------------------------------------------------------------------------------------ render

def sample_context() -> dict:
    """A context with every key ``services.cases.acceptance.acceptance_notice_context`` produces."""
    return {
        "number": "东莞绿通受〔2026〕第0001号", "issuer": "东莞市战略性新兴产业基地绿色通道服务中心",
        "issued_on": date(2026, 3, 16), "enterprise_name": "东莞松湖智造科技有限公司",
        "uscc": "91441900MA4UJ2K317", "case_no": "GC-2026-000001", "application_title": "标准地预评估申请",
        "project_name": "智能传感器生产基地项目", "submitted_at": datetime(2026, 3, 16, 9, 30),
        "accepted_at": datetime(2026, 3, 16, 9, 30, 5),
        "materials": [
            {"name": "标准地预评估申请表", "form": "在线填报，1份"},
            {"name": "企业基本信息（含统一社会信用代码、法定代表人）", "form": "在线填报，1份"},
            {"name": "项目基本信息（行业、投资、用地、产值、税收）", "form": "在线填报，1份"},
        ],
        "sla_working_days": 20, "due_on": date(2026, 4, 14), "due_provisional": False,
        "handler_name": "绿色通道服务中心受理窗口", "handler_phone": "0769-22830000",
        "verification_code": "GC-2026-000001-00001",
    }


def bench_render(warm: int) -> dict:
    t0 = time.perf_counter()
    from services.documents.render import render_docx, render_pdf

    out = {"import": time.perf_counter() - t0}
    ctx = sample_context()
    for fmt, fn in (("pdf", render_pdf), ("docx", render_docx)):
        t0 = time.perf_counter()
        data = fn("acceptance_notice", ctx)
        out[f"{fmt}_first"] = time.perf_counter() - t0
        times = []
        for _ in range(warm):
            t0 = time.perf_counter()
            fn("acceptance_notice", ctx)
            times.append(time.perf_counter() - t0)
        out[f"{fmt}_warm"] = times
        out[f"{fmt}_bytes"] = len(data)
    return out


# -------------------------------------------------------------------------------------------- main

def source_snapshot() -> dict[str, float]:
    """mtime of every source file the stack loads: the tree is shared, edits during a run skew it."""
    files = {}
    for top in ("services", "forms", "flows", "deployments", "templates"):
        for path in (REPO / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                files[str(path.relative_to(REPO))] = path.stat().st_mtime
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="duration of each load test (default 30)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--database-url", default="",
                        help="application DB; PostgreSQL: schema public is DROPPED first (default: SQLite)")
    parser.add_argument("--prefect-database-url", default="",
                        help="Prefect server DB (postgresql+asyncpg://…/name; recreated first); default SQLite")
    parser.add_argument("--e2e", type=int, default=20, help="applications for the end-to-end figure (default 20)")
    parser.add_argument("--drain-timeout", type=float, default=300,
                        help="max seconds to wait for the load-test backlog (default 300)")
    parser.add_argument("--warm-renders", type=int, default=10, help="warm renders to average (default 10)")
    parser.add_argument("--keep-data", action="store_true", help="keep the temporary data folder")
    parser.add_argument("--post-only", action="store_true",
                        help="stop after the load tests (no backlog, end-to-end or render figures)")
    args = parser.parse_args()

    script_t0 = time.monotonic()
    sources_before = source_snapshot()
    load_start = os.getloadavg()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the stack
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                                capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        commit = "?"
    db_kind = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    prefect_kind = "PostgreSQL" if args.prefect_database_url else "SQLite"
    log(f"Green Channel spine benchmark — {platform.node()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, commit {commit}; app DB {db_kind}, Prefect DB {prefect_kind}; "
        f"{args.clients} clients × {args.seconds:g} s per load test; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} (other processes skew every figure)")

    stack = new_stack(args.database_url, args.prefect_database_url)
    ok = False
    try:
        start_stack(stack)
        healthz, healthz_cpu = cpu_per_request(stack, lambda: bench_healthz(stack, args.clients, args.seconds))
        print_load(healthz, {"200"}, None)
        log(f"  {healthz_cpu}")
        page = bench_form_page(stack, args.clients, args.seconds)
        print_load(page, {"200"}, healthz)
        created: list[int] = []

        def submissions() -> LoadResult:
            result, ids = bench_submissions(stack, args.clients, args.seconds)
            created.extend(ids)
            return result

        submit, submit_cpu = cpu_per_request(stack, submissions)
        print_load(submit, {"201"}, healthz)
        log(f"  {submit_cpu}")
        if args.post_only:
            ok = True
            return 0
        log(f"waiting for the acceptance notices of the {len(created)} applications "
            f"(timeout {args.drain_timeout:.0f} s)")
        drain = drain_backlog(stack, created, args.drain_timeout)
        drain["dispatch_runs"] = sum(drain["counts"]["tasks"].values())
        log(f"backlog {'drained' if drain['drained'] else 'NOT drained'} after {drain['seconds']:.1f} s: "
            f"{drain['total'] - drain['pending']}/{drain['total']} applications have documents "
            f"({(drain['total'] - drain['pending']) / max(drain['seconds'], 1e-9):.2f}/s)"
            + (f", {drain['no_flow_run']} of the others have no flow run yet" if drain["pending"] else "")
            + f"; {fmt_counts(drain['counts'])}")
        log(f"{drain['dispatch_runs']} dispatch task runs for {len(created)} applications created "
            f"(+ {submit.total - submit.ok} POSTs without a 201; expected one run per application)")
        idle = drain["drained"] and wait_prefect_idle(stack, 60)
        if not drain["drained"]:
            drain["cancelled"], idle = quiesce(stack, 180)
            log(f"cancelled {drain['cancelled']} dispatch task runs while they were still scheduled (their "
                f"applications stay without documents); Prefect "
                f"{'idle' if idle else 'still NOT idle after 180 s of cancelling'}: "
                f"{fmt_counts(prefect_counts(stack))}")
        log(f"end to end: {args.e2e} applications one after another"
            + ("" if idle else " — WARNING: system NOT idle"))
        e2e = bench_end_to_end(stack, args.e2e, per_app_timeout=60, poll=0.05)
        log(f"submission → PDF downloadable: median {percentile(e2e.totals, 50):.2f} s, p95 "
            f"{percentile(e2e.totals, 95):.2f} s over {len(e2e.totals)} (aim ≤ {AIM_SECONDS:g} s); "
            f"failures {e2e.failures or 'none'}")
        ok = True
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except Exception as error:
        log(f"ERROR: {error}")
        return 1
    finally:
        stop_stack(stack)
        log_notes = stack.log_summary()
        if log_notes:
            log(f"stack logs: {log_notes}")
        if not ok or args.keep_data:
            log(f"data folder and stack log kept: {stack.data_dir}")
        else:
            shutil.rmtree(stack.data_dir, ignore_errors=True)

    log(f"in-process render of the acceptance notice ({args.warm_renders} warm renders), stack stopped")
    render = bench_render(args.warm_renders)

    # ------------------------------------------------------------------------------ summary
    total = time.monotonic() - script_t0
    rows = []
    for r, okc in ((healthz, {"200"}), (page, {"200"}), (submit, {"201"})):
        ratio = "1 (baseline)" if r is healthz else f"{r.rps / healthz.rps:.4f}" if healthz.rps else "n/a"
        errors = ", ".join(f"{k}×{v}" for k, v in r.errors(okc).items()) or "0"
        rows.append((r.name, f"{r.rps:.1f} req/s", ratio, ms(percentile(r.ok_latencies, 50)),
                     ms(percentile(r.ok_latencies, 95)), f"{r.ok}", errors))
    print()
    print("=" * 100)
    print(f"SUMMARY  ({args.clients} concurrent clients, {args.seconds:g} s each; app DB {db_kind}, "
          f"Prefect DB {prefect_kind}; {os.cpu_count()} CPUs; commit {commit})")
    print("=" * 100)
    head = ("load test", "throughput", "× healthz", "p50", "p95", "ok", "errors")
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print("-" * 100)
    print(f"load-test backlog: {drain['dispatch_runs']} dispatch task runs for {drain['total']} applications "
          f"(+ {submit.total - submit.ok} POSTs without a 201); "
          f"{drain['total'] - drain['pending']}/{drain['total']} applications with documents "
          f"after {drain['seconds']:.1f} s ({'drained' if drain['drained'] else 'TIMED OUT, not drained'})"
          + (f"; {drain['no_flow_run']} of the others without a flow run; then cancelled {drain['cancelled']} "
             f"still-scheduled dispatch task runs" if "cancelled" in drain else ""))
    e2e_line = (f"submission → acceptance notice PDF downloadable ({len(e2e.totals)}/{args.e2e} apps, one at a "
                f"time, {'idle' if idle else 'NOT idle'}): median {percentile(e2e.totals, 50):.2f} s, "
                f"p95 {percentile(e2e.totals, 95):.2f} s   [aim ≤ {AIM_SECONDS:g} s: median "
                f"{'met' if percentile(e2e.totals, 50) <= AIM_SECONDS else 'NOT met'}, p95 "
                f"{'met' if percentile(e2e.totals, 95) <= AIM_SECONDS else 'NOT met'}]")
    print(e2e_line)
    print(f"   of which until the document is listed: median {percentile(e2e.to_document, 50):.2f} s; "
          f"POST latency median {ms(percentile(e2e.post_latencies, 50))}"
          + (f"; failures: {len(e2e.failures)}" if e2e.failures else ""))
    for fmt in ("pdf", "docx"):
        warm = render[f"{fmt}_warm"]
        print(f"render acceptance notice {fmt.upper():4}: first {ms(render[f'{fmt}_first'])}, warm mean "
              f"{ms(statistics.fmean(warm)) if warm else 'n/a'} (min {ms(min(warm)) if warm else 'n/a'}, "
              f"max {ms(max(warm)) if warm else 'n/a'}, n={len(warm)}), {render[f'{fmt}_bytes']} bytes")
    print(f"   (module import before the first render: {ms(render['import'])})")
    print(f"stack logs: {log_notes or 'n/a'}")
    changed = sorted({name for name, _ in source_snapshot().items() ^ sources_before.items()})
    if changed:
        print(f"WARNING: {len(changed)} source file(s) changed during the run (the flow runs may have used a "
              f"different version than the web app): {', '.join(changed[:10])}{' …' if len(changed) > 10 else ''}")
    print(f"whole script: {total:.1f} s; load average at start {' '.join(f'{x:.2f}' for x in load_start)}, "
          f"at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("=" * 100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
