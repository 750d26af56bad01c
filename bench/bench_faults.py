#!/usr/bin/env python
"""Fault bench: submissions under a killer, on PostgreSQL (our tables and Prefect's).

Starts ``greenchannel run --demo`` with the tests' harness (``tests/harness.py``: free ports, a fresh data
folder) on PostgreSQL databases of its own (``--database`` is emptied, ``--prefect-database`` DROPPED and
recreated), then for ``--seconds`` (60):

* ``--clients`` (20) threads submit 标准地 applications with their own ``Idempotency-Key`` each, retrying
  the same key after a connection error or a 503 until answered (as a careful client does);
* a killer SIGKILLs a random component — task worker, runner, Prefect server, web app — every
  ``--kill-every`` (10) seconds; ``greenchannel run`` must restart it.

Then it waits until every accepted application has its 受理通知书 and prints: submitted (keys tried),
accepted (answered 201/200), lost (accepted but no application, or no notice by ``--drain-timeout``),
duplicated (a key stored twice, a document kind issued twice for a case, a 文号 used twice), every other
answer by status, and the time from the end of the load until the last notice.

    .venv/bin/python bench/bench_faults.py [--seconds 60] [--clients 20] [--kill-every 10]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the editable install does this too; bench scripts must not depend on it
from tests.harness import COMPONENTS, Stack, reset_databases, settings_for  # noqa: E402
from tests.samples import SAMPLE  # noqa: E402


class Bench:
    def __init__(self, args):
        self.args = args
        data_dir = Path(tempfile.mkdtemp(prefix="gc-faults-"))
        self.stack = Stack(settings_for(data_dir, f"postgresql+psycopg://postgres@{args.host}:5432/{args.database}",
                                        f"postgresql+asyncpg://postgres@{args.host}:5432/{args.prefect_database}",
                                        secret_key="bench-secret"))
        self.base = self.stack.base_url
        self.answers: dict[str, int | str] = {}  # key → final answer
        self.other: Counter = Counter()  # every non-final answer by status
        self.kills: list[str] = []
        self.lock = threading.Lock()
        self.token = ""

    def start(self) -> None:
        reset_databases(self.stack.database_url, self.stack.prefect_database_url)
        self.stack.start(timeout=300)
        self.token = self.stack.token("enterprise")["Authorization"].removeprefix("Bearer ")

    def client(self, stop: threading.Event) -> None:
        with httpx.Client(base_url=self.base, timeout=30,
                          headers={"Authorization": f"Bearer {self.token}"}) as http:
            while not stop.is_set():
                key = str(uuid.uuid4())
                with self.lock:
                    self.answers[key] = "unanswered"
                give_up = time.monotonic() + self.args.seconds + 120  # keep retrying this key after the load
                while time.monotonic() < give_up:
                    try:
                        r = http.post("/api/v1/applications", json=SAMPLE, headers={"Idempotency-Key": key})
                        status: int | str = r.status_code
                    except httpx.HTTPError as error:
                        status = type(error).__name__
                    if status in (200, 201):
                        with self.lock:
                            self.answers[key] = status
                        break
                    with self.lock:
                        self.other[status] += 1
                    time.sleep(0.5)

    def killer(self, stop: threading.Event) -> None:
        rng = random.Random(self.args.seed)
        while not stop.wait(self.args.kill_every):
            name = rng.choice(sorted(COMPONENTS))
            pids = self.stack.pids(COMPONENTS[name])
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                self.kills.append(f"{time.strftime('%H:%M:%S')} {name} (pid {pids[0]})")

    def states_of(self, application_ids: list[int], dsn: str) -> Counter:
        """Where the applications still without a notice are: their intake run's or queued hand-over's state in
        Prefect (a backlog is SCHEDULED and moving; a loss is a state nothing will change)."""
        states: Counter = Counter()
        with psycopg.connect(dsn) as conn:
            rows = conn.execute("SELECT flow_run_id, dispatch_task_run_id FROM application WHERE id = ANY(%s)",
                                (application_ids,)).fetchall()
        for flow_run_id, task_run_id in rows:
            kind, run = ("flow run", f"flow_runs/{flow_run_id}") if flow_run_id else \
                ("hand-over task run", f"task_runs/{task_run_id}") if task_run_id else ("not handed over", "")
            state = "-"
            if run:
                try:
                    state = httpx.get(f"{self.stack.prefect_api}/{run}", timeout=10).json()["state"]["type"]
                except (httpx.HTTPError, KeyError, TypeError, ValueError) as error:
                    state = type(error).__name__
            states[f"{kind} {state}"] += 1
        return states

    def check(self, accepted: set[str], started: float) -> dict:
        dsn = f"postgresql://postgres@{self.args.host}:5432/{self.args.database}"
        deadline = time.monotonic() + self.args.drain_timeout
        while True:
            with psycopg.connect(dsn) as conn:
                rows = conn.execute("SELECT idempotency_key, id FROM application").fetchall()
                noticed = {r[0] for r in conn.execute(
                    "SELECT DISTINCT application_id FROM document WHERE kind = 'acceptance_notice'").fetchall()}
                per_kind = conn.execute("SELECT count(*) FROM (SELECT application_id, kind FROM document "
                                        "GROUP BY application_id, kind HAVING count(*) > 1) d").fetchone()[0]
                numbers = conn.execute("SELECT count(*) - count(DISTINCT number) FROM document").fetchone()[0]
            by_key = Counter(key for key, _ in rows)
            ids = {key: app_id for key, app_id in rows}
            waiting = [k for k in accepted if k not in ids or ids[k] not in noticed]
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(2)
        return {"stored": len(rows), "missing_rows": sum(1 for k in accepted if k not in ids),
                "waiting_states": self.states_of([ids[k] for k in waiting if k in ids], dsn),
                "without_notice": len(waiting), "keys_stored_twice": sum(1 for c in by_key.values() if c > 1),
                "documents_twice": per_kind, "numbers_twice": numbers, "drain_seconds": time.monotonic() - started}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--kill-every", type=float, default=10)
    parser.add_argument("--drain-timeout", type=float, default=3600)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--database", default="gc_bench_faults")
    parser.add_argument("--prefect-database", default="gc_bench_faults_prefect")
    args = parser.parse_args()
    bench = Bench(args)
    try:
        bench.start()
        stop, killing = threading.Event(), threading.Event()
        clients = [threading.Thread(target=bench.client, args=(stop,)) for _ in range(args.clients)]
        killer = threading.Thread(target=bench.killer, args=(killing,))
        for t in clients:
            t.start()
        killer.start()
        time.sleep(args.seconds)
        stop.set()
        killing.set()
        for t in clients:
            t.join()
        load_end = time.monotonic()
        killer.join()
        accepted = {k for k, v in bench.answers.items() if v in (200, 201)}
        result = bench.check(accepted, load_end)
    finally:
        bench.stack.stop(timeout=60)
    lost = result["missing_rows"] + result["without_notice"]
    duplicated = result["keys_stored_twice"] + result["documents_twice"] + result["numbers_twice"]
    print(f"fault bench: {args.clients} clients × {args.seconds:.0f} s on PostgreSQL, a random SIGKILL every "
          f"{args.kill_every:.0f} s ({len(bench.kills)} kills: {', '.join(k.split(' (')[0] for k in bench.kills)})")
    print(f"  submitted   {len(bench.answers)}   (distinct Idempotency-Keys)")
    print(f"  accepted    {len(accepted)}   (answered 201/200)")
    print(f"  unanswered  {len(bench.answers) - len(accepted)}   (still retrying when the clients gave up)")
    print(f"  lost        {lost}   (no application row: {result['missing_rows']}; no 受理通知书 by the drain timeout: "
          f"{result['without_notice']})")
    print(f"  duplicated  {duplicated}   (key stored twice: {result['keys_stored_twice']}; document kind twice: "
          f"{result['documents_twice']}; 文号 twice: {result['numbers_twice']})")
    print(f"  retried answers by status: {dict(bench.other)}")
    if result["without_notice"]:
        print(f"  {result['without_notice']} accepted applications had no notice when the drain timeout ended "
              f"({result['drain_seconds']:.0f} s after the load); where they were: {dict(result['waiting_states'])}")
    else:
        print(f"  every accepted application had its notice {result['drain_seconds']:.0f} s after the load ended")
    print(f"  kills: {'; '.join(bench.kills)}")
    print(f"  log: {bench.stack.log_path}")
    return 0 if lost == 0 and duplicated == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
