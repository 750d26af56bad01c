#!/usr/bin/env python
"""Benchmark: the stack's memory, and its sweep's cost, with 10,000 cases waiting on people against 10.

Why: issue 13's target "10,000 cases waiting vs 10: no process per case; RSS within 1.2×". Through the real
stack a waiting case costs an intake (about 0.5 CPU-s of the task worker), so 10,000 would take hours here.
This script makes ``--baseline`` (10) cases wait for their 自然资源局 review through the real stack, exactly as
``bench_review.py`` does, measures, then copies the last one's application and step rows in bulk until
``--waiting`` (10,000) wait — the rows a real intake leaves, moved an hour back so that every sweep looks at
them (documents and audit rows are not copied: no sweep reads them) — and measures again after the task worker's
sweep has gone over them:

* RSS of every process of the stack and how many flow-run processes there are (0: waiting holds no process);
* one pass of the task worker's sweep in a warm interpreter of its own (``deployments.task_worker.sweep_once``;
  the first pass over the copies notes each as waiting on people, later passes skip them): CPU-ms;
* ``GET /api/v1/applications`` (the staff's first page) in between, so the web app has listed them.

    .venv/bin/python bench/bench_waiting_many.py                 # SQLite, 10 then 10,000
    .venv/bin/python bench/bench_waiting_many.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/gc_dev_test --prefect-database-url postgresql+asyncpg://postgres@127.0.0.1:5432/gc_bench_prefect

``--database-url`` and ``--prefect-database-url`` are dropped and recreated, as for ``bench_spine.py``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

# the repository, as the editable install puts it too (bench scripts must not depend on that); this script's own
# folder, with bench_spine and bench_review, is on the path already
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_review import Api, confirm_still_waiting, fill_waiting, measure_memory
from bench_spine import log, new_stack, start_stack, stop_stack
from bench_sweep_mechanism import WARM, child_cpu_seconds

from tests.harness import Stack

SWEEP_SETTLE_SECONDS = 70  # two of the shipped sweep intervals (30 s) and a little


def copy_waiting_case(stack: Stack, application_id: int, copies: int) -> None:
    """``copies`` copies of the case's application and step rows, moved an hour back, in bulk."""
    import sqlalchemy as sa

    from services.models import Application, Step

    engine = sa.create_engine(stack.database_url)
    app_table, step_table = Application.__table__, Step.__table__
    hour = timedelta(hours=1)
    with engine.begin() as conn:
        app = dict(conn.execute(sa.select(app_table).where(app_table.c.id == application_id)).mappings().one())
        steps = [dict(r) for r in conn.execute(
            sa.select(step_table).where(step_table.c.application_id == application_id)).mappings()]
        batch = uuid.uuid4().hex[:6]
        for start in range(0, copies, 1000):
            rows = []
            for n in range(start, min(start + 1000, copies)):
                row = {k: v for k, v in app.items() if k != "id"}
                row.update(case_no=f"W{batch}-{n:06d}", idempotency_key=f"bench-waiting-{batch}-{n}")
                for column in ("submitted_at", "accepted_at", "dispatched_at"):
                    if row.get(column):
                        row[column] -= hour
                rows.append(row)
            ids = conn.execute(sa.insert(app_table).returning(app_table.c.id), rows).scalars().all()
            step_rows = []
            for new_id in ids:
                for step in steps:
                    row = {k: v for k, v in step.items() if k != "id"} | {"application_id": new_id}
                    for column in ("started_at", "finished_at"):
                        if row.get(column):
                            row[column] -= hour
                    step_rows.append(row)
            conn.execute(sa.insert(step_table), step_rows)
    engine.dispose()


def sweep_pass_ms(stack: Stack, passes: int) -> tuple[float, float]:
    """(median CPU-ms of a warm pass, CPU-s of the whole interpreter, its first pass included)."""
    total, out = child_cpu_seconds(stack, WARM.format(passes=passes))
    return 1000 * statistics.median(json.loads(out.strip().splitlines()[-1])), total


def list_first_page(api: Api) -> int:
    r = api.web.get("/api/v1/applications", headers=api.reviewer)
    r.raise_for_status()
    return len(r.json())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=int, default=10, help="cases made to wait through the real stack")
    parser.add_argument("--waiting", type=int, default=10_000, help="cases waiting in the second measurement")
    parser.add_argument("--passes", type=int, default=5, help="warm sweep passes measured")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for one case to wait")
    parser.add_argument("--database-url", default="", help="our tables (default: SQLite in a temporary folder)")
    parser.add_argument("--prefect-database-url", default="", help="Prefect's database (default: SQLite)")
    args = parser.parse_args()
    stack = new_stack(args.database_url, args.prefect_database_url)
    start_stack(stack)
    api = Api(stack)
    try:
        waiting: list = []
        log(f"{args.baseline} applications through the stack, one at a time, until each waits for its review")
        fill_waiting(api, waiting, args.baseline, args.timeout)
        time.sleep(SWEEP_SETTLE_SECONDS)
        confirm_still_waiting(api, waiting)
        listed_few = list_first_page(api)
        baseline = measure_memory(stack, "baseline", len(waiting))
        few_ms, few_total = sweep_pass_ms(stack, args.passes)
        copies = args.waiting - len(waiting)
        log(f"copying application {waiting[-1].application_id} {copies} times (rows moved an hour back)")
        t0 = time.perf_counter()
        copy_waiting_case(stack, waiting[-1].application_id, copies)
        log(f"  copied in {time.perf_counter() - t0:.1f} s; letting the task worker's sweep go over them")
        time.sleep(SWEEP_SETTLE_SECONDS)
        confirm_still_waiting(api, waiting)
        listed_many = list_first_page(api)
        many = measure_memory(stack, "many", args.waiting)
        many_ms, many_total = sweep_pass_ms(stack, args.passes)
    finally:
        api.close()
        stop_stack(stack)
    shutil.rmtree(stack.data_dir, ignore_errors=True)  # kept after an error, with stack.log
    print()
    print(baseline.line())
    print(many.line(baseline))
    print(f"first page of the staff's list: {listed_few} then {listed_many} cases")
    print(f"sweep pass, warm: {few_ms:.1f} CPU-ms with {len(waiting)} waiting, {many_ms:.1f} CPU-ms with "
          f"{args.waiting} ({many_ms / max(few_ms, 1e-6):.2f}x); the interpreter's whole life, first pass over "
          f"them included: {few_total:.2f} against {many_total:.2f} CPU-s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
