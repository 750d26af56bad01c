#!/usr/bin/env python
"""Benchmark of the 标准地 review path: a case waiting for a department decision, then the decision.

After intake, the first review segment (flow ``standard-land-review``, on the warm task worker) opens the
step and ends; the case then waits until 自然资源局 decides, which can take days, and the decision runs the
next segment on the same warm task worker. ARCHITECTURE "Waiting costs nothing": a waiting case must hold
no process, so the memory of the stack must not grow with the number of waiting cases. This script checks that and
measures what waking a case up costs. On a stack of its own (``tests/harness.py``, as ``bench_spine.py``: ``greenchannel
run --demo``, fresh ``GC_DATA_DIR``, SQLite unless ``--database-url``) it measures

1. baseline: ``--baseline`` applications submitted one at a time, each waited for until its
   ``land_review`` step is open and the segment that opened it is COMPLETED in Prefect, with no process of
   its own (``PREFECT__FLOW_RUN_ID=<id>`` in the environment); then the summed RSS and the count of every
   process of the stack (``GC_DATA_DIR=<data dir>`` in the environment);
2. the same after more applications, until ``--waiting`` wait in total: RSS as a ratio to the baseline
   (≈ 1× when waiting costs nothing), and per application submission → waiting (median, p95);
3. ``--decisions`` approvals by the demo ``reviewer``, one at a time: approve → status ``approved``
   with the 4 documents (受理通知书, 预评估报告, 投资建设承诺书, 履约监管协议), and approve → the decision's
   segment COMPLETED (a new flow run of the case on the warm task worker);
4. the memory once more after the decisions (no process per case at any time).

Figures are printed, never asserted. Usage (from the repository root)::

    .venv/bin/python bench/bench_review.py                       # 60 waiting, 10 decisions, SQLite
    .venv/bin/python bench/bench_review.py --waiting 12 --baseline 4 --decisions 3    # smoke run

Exit code 0 when every phase ran, 1 on an error (stack did not start, a timeout, a failed run); the
data folder with ``stack.log`` is then kept for diagnosis (also when the logs show errors, or with
``--keep-data``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_spine import log, new_stack, percentile, source_snapshot, start_stack, stop_stack

from tests.harness import Stack, flow_run_processes, processes_of
from tests.samples import SAMPLE

REVIEW_STEP = "land_review"
APPROVAL_DOCUMENT_COUNT = 4  # acceptance notice + assessment report + commitment + supervision agreement
POLL_SECONDS = 0.25

class BenchError(Exception):
    """A phase did not finish (timeout, refused request, failed run): exit 1, data folder kept."""


def application_body(n: int) -> dict:
    """The tests' SAMPLE (tests/samples.py: planned dates from today, indicators that pass) with its own name."""
    return dict(SAMPLE, project_name=f"审查基准项目-{n:03d}", planned_indicators=dict(SAMPLE["planned_indicators"]))


def seconds(values: list[float]) -> str:
    return f"median {percentile(values, 50):.2f} s, p95 {percentile(values, 95):.2f} s (n={len(values)})"


def wait_until(check: Callable, timeout: float, what: str, describe: Callable[[], str]):
    """Poll ``check`` until it returns something truthy, which is returned; BenchError on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(POLL_SECONDS)
    raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}; last seen: {describe()}")


# ------------------------------------------------------------------------------------------ processes

@dataclass
class Process:
    pid: int
    rss_kb: int
    label: str
    flow_run_id: str | None  # set for a flow-run process started by the Prefect runner


def _environ(pid_dir: Path) -> list[bytes]:
    return (pid_dir / "environ").read_bytes().split(b"\0")


def _rss_kb(pid_dir: Path) -> int:
    for line in (pid_dir / "status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0  # a zombie has no VmRSS


def _label(pid_dir: Path) -> str:
    """``python -m deployments.serve`` → ``deployments.serve``; short enough for a table."""
    args = [a.decode(errors="replace") for a in (pid_dir / "cmdline").read_bytes().split(b"\0") if a]
    if args and "python" in Path(args[0]).name:
        args = args[1:]
    if args and args[0] == "-m":
        args = args[1:]
    return " ".join(args[:3])[:60] or pid_dir.name


def stack_processes(data_dir: Path) -> list[Process]:
    """Every process whose environment names the stack's data folder (the children inherit it)."""
    found = []
    for pid in processes_of(data_dir, python_only=False):
        pid_dir = Path(f"/proc/{pid}")
        try:
            environ = _environ(pid_dir)
            run = next((v.split(b"=", 1)[1].decode() for v in environ if v.startswith(b"PREFECT__FLOW_RUN_ID=")), None)
            found.append(Process(pid, _rss_kb(pid_dir), _label(pid_dir), run))
        except OSError:  # exited meanwhile, or not ours to read
            continue
    return sorted(found, key=lambda p: p.pid)


@dataclass
class Memory:
    label: str
    waiting: int
    processes: list[Process]

    @property
    def rss_mib(self) -> float:
        return sum(p.rss_kb for p in self.processes) / 1024

    @property
    def flow_run_processes(self) -> int:
        return sum(1 for p in self.processes if p.flow_run_id)

    def line(self, baseline: Memory | None = None) -> str:
        ratio = f" = {self.rss_mib / baseline.rss_mib:.2f}× baseline" if baseline else " (baseline)"
        return (f"{self.label}: {self.waiting} cases waiting, {len(self.processes)} processes "
                f"({self.flow_run_processes} flow-run processes), RSS {self.rss_mib:.1f} MiB{ratio}")


def measure_memory(stack: Stack, label: str, waiting: int, settle: float = 2.0) -> Memory:
    time.sleep(settle)  # let the last exits and the web app's request handling settle
    memory = Memory(label, waiting, stack_processes(stack.data_dir))
    for p in memory.processes:
        log(f"    pid {p.pid:>7}  {p.rss_kb / 1024:7.1f} MiB  {p.label}")
    return memory


# ------------------------------------------------------------------------------------------------ API

class Api:
    """The web app as the demo enterprise (submits) and reviewer (reads, decides), and the Prefect API."""

    def __init__(self, stack: Stack):
        self.web = httpx.Client(base_url=stack.base_url, timeout=60)
        self.prefect = httpx.Client(base_url=stack.prefect_api, timeout=60)
        self.enterprise = stack.token("enterprise")
        self.reviewer = stack.token("reviewer")

    def submit(self, body: dict, key: str) -> int:
        r = self.web.post("/api/v1/applications", json=body, headers=self.enterprise | {"Idempotency-Key": key})
        if r.status_code != 201:
            raise BenchError(f"POST /api/v1/applications answered {r.status_code}: {r.text[:300]}")
        return r.json()["id"]

    def application(self, application_id: int) -> dict:
        r = self.web.get(f"/api/v1/applications/{application_id}", headers=self.reviewer)
        r.raise_for_status()
        return r.json()

    def flow_run_state(self, flow_run_id: str) -> tuple[str, str]:
        r = self.prefect.get(f"/flow_runs/{flow_run_id}")
        r.raise_for_status()
        state = r.json()["state"] or {}
        return state.get("type", "?"), state.get("name", "?")

    def ended_runs(self, application_id: int) -> list[dict]:
        """Flow runs of the case (tag ``case-<id>``) that ended without completing."""
        r = self.prefect.post("/flow_runs/filter", json={"flow_runs": {
            "tags": {"all_": [f"case-{application_id}"]},
            "state": {"type": {"any_": ["FAILED", "CRASHED", "CANCELLED"]}}}})
        r.raise_for_status()
        return r.json()

    def approve(self, application_id: int) -> None:
        r = self.web.post(f"/api/v1/applications/{application_id}/steps/{REVIEW_STEP}/actions",
                          json={"kind": "approve", "reasons": "符合地块控制指标"}, headers=self.reviewer)
        if r.status_code != 201:
            raise BenchError(f"approve of application {application_id} answered {r.status_code}: {r.text[:300]}")

    def close(self) -> None:
        self.web.close()
        self.prefect.close()


def review_step(body: dict) -> dict:
    return next(s for s in body["steps"] if s["key"] == REVIEW_STEP)


def describe(api: Api, application_id: int) -> str:
    """What a timeout message shows: application status, review step and its Prefect state."""
    body = api.application(application_id)
    step = review_step(body)
    run = api.flow_run_state(step["flow_run_id"]) if step["flow_run_id"] else None
    return (f"application {application_id} status {body['status']!r}, {len(body['documents'])} documents, "
            f"{REVIEW_STEP} {step['status']!r}, flow run {step['flow_run_id']} state {run}")


def suspended_review_run(api: Api, application_id: int) -> str | None:
    """The id of the segment that opened the review, once the step waits and that segment is COMPLETED (as the
    flow test checks)."""
    step = review_step(api.application(application_id))
    if step["status"] != "running" or not step["flow_run_id"]:
        fail_on_ended_runs(api, application_id)
        return None
    return step["flow_run_id"] if api.flow_run_state(step["flow_run_id"])[0] == "COMPLETED" else None


def fail_on_ended_runs(api: Api, application_id: int) -> None:
    """Fail now rather than at the timeout when a run of the case has failed or crashed."""
    ended = api.ended_runs(application_id)
    if ended:
        run = ended[0]
        raise BenchError(f"flow run {run['name']} ({run['id']}) of application {application_id} ended "
                         f"{run['state']['type']}: {(run['state'].get('message') or '')[:300]}")


def wait_process_exit(flow_run_id: str, timeout: float) -> None:
    wait_until(lambda: not flow_run_processes(flow_run_id), timeout, f"the process of flow run {flow_run_id} to exit",
               lambda: f"pids {flow_run_processes(flow_run_id)}")


# -------------------------------------------------------------------------------------------- waiting

@dataclass
class Waiting:
    application_id: int
    flow_run_id: str
    to_suspended: float  # POST sent → review run waiting
    to_process_exit: float  # POST sent → no process of the review run left


def submit_until_suspended(api: Api, n: int, timeout: float) -> Waiting:
    t0 = time.perf_counter()
    application_id = api.submit(application_body(n), key=f"bench-review-{os.getpid()}-{n}-{time.time_ns()}")
    run_id = wait_until(lambda: suspended_review_run(api, application_id), timeout,
                        f"the review run of application {application_id} to be waiting",
                        lambda: describe(api, application_id))
    to_suspended = time.perf_counter() - t0
    wait_process_exit(run_id, timeout)
    return Waiting(application_id, run_id, to_suspended, time.perf_counter() - t0)


def fill_waiting(api: Api, waiting: list[Waiting], target: int, timeout: float) -> None:
    """Submit one application at a time until ``target`` wait for a decision."""
    while len(waiting) < target:
        w = submit_until_suspended(api, len(waiting), timeout)
        waiting.append(w)
        log(f"  {len(waiting)}/{target} waiting: application {w.application_id} waiting after "
            f"{w.to_suspended:.2f} s, its process gone after {w.to_process_exit:.2f} s")


def confirm_still_waiting(api: Api, waiting: list[Waiting]) -> None:
    """Before measuring: every case still waiting, and no process of any of them."""
    for w in waiting:
        if suspended_review_run(api, w.application_id) != w.flow_run_id or flow_run_processes(w.flow_run_id):
            raise BenchError(f"application {w.application_id} is no longer waiting: {describe(api, w.application_id)}")


# ------------------------------------------------------------------------------------------ decisions

@dataclass
class Decision:
    application_id: int
    post_latency: float
    to_approved: float  # POST sent → status approved with the 4 documents
    to_completed: float  # POST sent → the decision's segment COMPLETED


def approved_with_documents(api: Api, application_id: int) -> bool:
    body = api.application(application_id)
    return body["status"] == "approved" and len(body["documents"]) == APPROVAL_DOCUMENT_COUNT


def decision_segment_completed(api: Api, w: Waiting) -> bool:
    """The segment that applied the decision (the review step names the last run that opened it) completed."""
    flow_run_id = review_step(api.application(w.application_id))["flow_run_id"]
    if not flow_run_id or flow_run_id == w.flow_run_id:
        return False
    state_type, _ = api.flow_run_state(flow_run_id)
    if state_type in ("FAILED", "CRASHED", "CANCELLED"):
        raise BenchError(f"review segment {flow_run_id} ended {state_type}")
    return state_type == "COMPLETED"


def approve_and_wait(api: Api, w: Waiting, timeout: float) -> Decision:
    """Approve, then poll both ends (application approved with documents, run COMPLETED) from one loop."""
    t0 = time.perf_counter()
    api.approve(w.application_id)
    post_latency = time.perf_counter() - t0
    done: dict[str, float] = {}

    def both_done() -> bool:
        if "approved" not in done and approved_with_documents(api, w.application_id):
            done["approved"] = time.perf_counter() - t0
        if "completed" not in done and decision_segment_completed(api, w):
            done["completed"] = time.perf_counter() - t0
        return len(done) == 2

    wait_until(both_done, timeout, f"application {w.application_id} to be approved with its documents",
               lambda: describe(api, w.application_id))
    return Decision(w.application_id, post_latency, done["approved"], done["completed"])


def decide(api: Api, waiting: list[Waiting], count: int, timeout: float) -> list[Decision]:
    decisions = []
    for w in waiting[:count]:
        d = approve_and_wait(api, w, timeout)
        decisions.append(d)
        log(f"  {len(decisions)}/{count}: application {d.application_id} approved with "
            f"{APPROVAL_DOCUMENT_COUNT} documents after {d.to_approved:.2f} s, run COMPLETED after "
            f"{d.to_completed:.2f} s (POST {d.post_latency * 1000:.0f} ms)")
    return decisions


# ----------------------------------------------------------------------------------------------- main

@dataclass
class Results:
    baseline: Memory
    full: Memory
    after: Memory
    waiting: list[Waiting]
    decisions: list[Decision]


def run_phases(stack: Stack, args: argparse.Namespace) -> Results:
    start_stack(stack)
    api = Api(stack)
    try:
        waiting: list[Waiting] = []
        log(f"phase 1: {args.baseline} applications, one at a time, until each review run is waiting")
        fill_waiting(api, waiting, args.baseline, args.timeout)
        confirm_still_waiting(api, waiting)
        baseline = measure_memory(stack, "baseline", len(waiting))
        log(baseline.line())

        log(f"phase 2: more applications until {args.waiting} wait")
        fill_waiting(api, waiting, args.waiting, args.timeout)
        confirm_still_waiting(api, waiting)
        full = measure_memory(stack, "full", len(waiting))
        log(full.line(baseline))
        log(f"submission → review run waiting: {seconds([w.to_suspended for w in waiting])}")

        log(f"phase 3: {args.decisions} approvals by the reviewer, one at a time")
        decisions = decide(api, waiting, args.decisions, args.timeout)
        confirm_still_waiting(api, waiting[len(decisions):])
        after = measure_memory(stack, "after decisions", len(waiting) - len(decisions))
        log(after.line(baseline))
        return Results(baseline, full, after, waiting, decisions)
    finally:
        api.close()


def print_summary(results: Results, notes: dict[str, str]) -> None:
    w, d = results.waiting, results.decisions
    print()
    print("=" * 100)
    print(f"SUMMARY — 标准地 review path ({notes['databases']}; {os.cpu_count()} CPUs; {notes['started']})")
    print(f"command: {notes['command']}")
    print("=" * 100)
    for memory, base in ((results.baseline, None), (results.full, results.baseline),
                         (results.after, results.baseline)):
        print(f"memory, {memory.line(base)}")
    print(f"submission → review run waiting (one at a time):   {seconds([x.to_suspended for x in w])}")
    print(f"submission → its process exited:                     {seconds([x.to_process_exit for x in w])}")
    print(f"approve → approved with {APPROVAL_DOCUMENT_COUNT} documents (one at a time): "
          f"{seconds([x.to_approved for x in d])}")
    print(f"approve → review run COMPLETED:                      {seconds([x.to_completed for x in d])}")
    print(f"approve POST latency:                                median "
          f"{percentile([x.post_latency for x in d], 50) * 1000:.0f} ms")
    print(f"stack logs: {notes['logs'] or 'n/a'}")
    if notes["changed"]:
        print(f"WARNING: source files changed during the run (flow runs may have used other code than the "
              f"stack): {notes['changed']}")
    print(f"whole script: {notes['elapsed']:.1f} s; load average at start {notes['load_start']}, "
          f"at end {notes['load_end']}")
    print("=" * 100)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--waiting", type=int, default=60, help="cases waiting at the second measure (default 60)")
    parser.add_argument("--baseline", type=int, default=10, help="cases waiting at the baseline (default 10)")
    parser.add_argument("--decisions", type=int, default=10, help="approvals to time (default 10)")
    parser.add_argument("--timeout", type=float, default=300, help="max seconds per wait (default 300)")
    parser.add_argument("--database-url", default="",
                        help="application DB; PostgreSQL: schema public is DROPPED first (default: SQLite)")
    parser.add_argument("--prefect-database-url", default="",
                        help="Prefect server DB (postgresql+asyncpg://…/name; recreated first); default SQLite")
    parser.add_argument("--keep-data", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args()
    if not 0 < args.baseline <= args.waiting or not 0 <= args.decisions <= args.waiting:
        parser.error("need 0 < --baseline ≤ --waiting and 0 ≤ --decisions ≤ --waiting")
    return args


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    args = parse_args()
    t0, sources_before, load_start = time.monotonic(), source_snapshot(), load_average()
    started = datetime.now().strftime("%Y-%m-%d %H:%M")
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    databases = (f"app DB {'PostgreSQL' if args.database_url.startswith('postgresql') else 'SQLite'}, "
                 f"Prefect DB {'PostgreSQL' if args.prefect_database_url else 'SQLite'}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the stack
    log(f"Green Channel review benchmark — {platform.node()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; {databases}; {args.waiting} waiting (baseline {args.baseline}), "
        f"{args.decisions} decisions; load average {load_start} (other processes skew every figure)")

    stack = new_stack(args.database_url, args.prefect_database_url)
    ok = False
    try:
        results = run_phases(stack, args)
        ok = True
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except Exception as error:
        log(f"ERROR: {type(error).__name__}: {error}")
        return 1
    finally:
        stop_stack(stack)
        logs = stack.log_summary()
        log(f"stack logs: {logs}")
        changed = sorted({name for name, _ in source_snapshot().items() ^ sources_before.items()})
        if changed:  # the tree is shared: a fresh review-run process may load newer code than the stack
            log(f"WARNING: {len(changed)} source file(s) changed during the run: {', '.join(changed[:10])}")
        troubled = "ERROR" in logs or "Traceback" in logs
        if not ok or args.keep_data or troubled:
            log(f"data folder and stack log kept{' (the logs show errors)' if troubled else ''}: {stack.data_dir}")
        else:
            shutil.rmtree(stack.data_dir, ignore_errors=True)

    print_summary(results, {"databases": databases, "started": started, "command": command, "logs": logs,
                            "changed": ", ".join(changed[:10]), "elapsed": time.monotonic() - t0,
                            "load_start": load_start, "load_end": load_average()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
