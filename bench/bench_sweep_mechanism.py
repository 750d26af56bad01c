#!/usr/bin/env python
"""Benchmark: what one pass of the task worker's sweep costs in its warm process, against the same pass as a
Prefect flow run in a fresh interpreter (what a schedule served by a runner does: a new process per run).

Why: issue 13 asks for one scheduling mechanism — Prefect schedules instead of threads written here, unless a
thread is measured to be needed. The sweep (``deployments.task_worker.sweep_once``: lost hand-overs, stored
actions and ended periods carried on, stuck work repaired) runs every ``GC_DISPATCH_SWEEP_SECONDS`` (30 s
shipped). This script starts the stack as ``greenchannel run --demo`` ships it, then in processes of their own
with the stack's settings:

1. **warm** — one interpreter imports the sweep, makes one pass to warm up, then ``--passes`` passes: CPU
   milliseconds of each (``time.process_time``);
2. **fresh** — ``--runs`` times a new interpreter that makes one pass as a Prefect flow run on the stack's
   server: its whole CPU (start, imports, the flow run's states, the pass), read from ``os.wait4``. A runner
   adds its own polling and the deployment's loading on top, so this is the lower bound of a schedule's cost.

It prints both, their ratio, and the CPU a day each costs at the shipped interval.

    .venv/bin/python bench/bench_sweep_mechanism.py                 # SQLite, 10 warm passes, 3 fresh runs
    .venv/bin/python bench/bench_sweep_mechanism.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/gc_dev_test \\
        --prefect-database-url postgresql+asyncpg://postgres@127.0.0.1:5432/gc_bench_prefect
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# the repository, as the editable install puts it too (bench scripts must not depend on that); this script's own
# folder, with bench_spine and bench_review, is on the path already
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_spine import log, new_stack, start_stack, stop_stack

from tests.harness import Stack

REPO = Path(__file__).resolve().parent.parent
SHIPPED_INTERVAL_SECONDS = 30  # GC_DISPATCH_SWEEP_SECONDS' default
PREFECT_SETUP = ("from deployments import prefect_env; from services.core.settings import get_settings; "
                 "prefect_env.apply(get_settings()); ")
WARM = PREFECT_SETUP + """
import json, time
from deployments.task_worker import sweep_once
sweep_once()
cpu = []
for _ in range({passes}):
    t0 = time.process_time()
    sweep_once()
    cpu.append(time.process_time() - t0)
print(json.dumps(cpu))
"""
FRESH = PREFECT_SETUP + """
from prefect import flow
from deployments.task_worker import sweep_once
flow(name="sweep-once", log_prints=False)(sweep_once)()
"""


def child_cpu_seconds(stack: Stack, script: str) -> tuple[float, str]:
    """Run ``script`` in a new interpreter with the stack's settings; its user + system CPU and its stdout."""
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env=stack.environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    out, err = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"sweep process failed:\n{err[-3000:]}")
    return usage.ru_utime + usage.ru_stime, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passes", type=int, default=10, help="warm passes measured (after one to warm up)")
    parser.add_argument("--runs", type=int, default=3, help="fresh interpreters, one flow run each")
    parser.add_argument("--database-url", default="", help="our tables (default: SQLite in a temporary folder)")
    parser.add_argument("--prefect-database-url", default="", help="Prefect's database (default: SQLite)")
    args = parser.parse_args()
    stack = new_stack(args.database_url, args.prefect_database_url)
    start_stack(stack)
    try:
        time.sleep(5)  # the demo cases handed over and the worker's first sweep made
        log(f"warm: one interpreter, {args.passes} passes after one to warm up")
        total, out = child_cpu_seconds(stack, WARM.format(passes=args.passes))
        warm = json.loads(out.strip().splitlines()[-1])
        log(f"fresh: {args.runs} interpreters, one pass each as a Prefect flow run")
        fresh = [child_cpu_seconds(stack, FRESH)[0] for _ in range(args.runs)]
    finally:
        stop_stack(stack)
    shutil.rmtree(stack.data_dir, ignore_errors=True)  # kept after an error, with stack.log
    warm_ms, fresh_s = 1000 * statistics.median(warm), statistics.median(fresh)
    per_day = 24 * 3600 / SHIPPED_INTERVAL_SECONDS
    print(f"\nsweep pass, warm process: median {warm_ms:.1f} CPU-ms (min {1000 * min(warm):.1f}, "
          f"max {1000 * max(warm):.1f}; that interpreter's whole life {total:.2f} CPU-s)")
    print(f"sweep pass as a flow run in a fresh interpreter: median {fresh_s:.2f} CPU-s "
          f"(runs: {', '.join(f'{s:.2f}' for s in fresh)})")
    print(f"ratio fresh / warm: {fresh_s / max(warm_ms / 1000, 1e-6):.0f}x")
    print(f"every {SHIPPED_INTERVAL_SECONDS} s ({per_day:.0f} passes a day): warm {warm_ms * per_day / 1000 / 60:.1f} "
          f"CPU-min/day, fresh {fresh_s * per_day / 3600:.1f} CPU-h/day "
          f"({fresh_s / SHIPPED_INTERVAL_SECONDS:.0%} of a core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
