"""Test harness: one real stack per test session, on SQLite (default) or PostgreSQL.

``GC_TEST_DATABASE_URL`` selects the database (``bin/test`` runs the suite on both); the schema
is rebuilt from the migrations at session start. The ``stack`` fixture starts
``greenchannel run --demo`` exactly as an operator would — Prefect server, task worker and web
app — once per session, and stops it with Ctrl-C (SIGINT) at the end.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.samples import DEMO_PASSWORD, PASSING_PLAN, REPO, SAMPLE

# one data folder per test session, even if this module were imported twice (e.g. as ``tests.conftest``)
DATA_DIR = Path(os.environ.get("GC_TEST_SESSION_DIR") or tempfile.mkdtemp(prefix="gc-test-"))
os.environ["GC_TEST_SESSION_DIR"] = str(DATA_DIR)
DB_URL = os.environ.get("GC_TEST_DATABASE_URL", "") or f"sqlite:///{DATA_DIR / 'greenchannel.db'}"
PREFECT_DB_URL = os.environ.get("GC_TEST_PREFECT_DATABASE_URL", "")
os.environ.update({"GC_DATA_DIR": str(DATA_DIR), "GC_DATABASE_URL": DB_URL, "GC_SECRET_KEY": "test-secret",
                   "GC_PREFECT_DATABASE_URL": PREFECT_DB_URL, "DO_NOT_TRACK": "1",
                   "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reset_postgres() -> None:
    import psycopg

    if DB_URL.startswith("postgresql"):
        with psycopg.connect(DB_URL.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    if PREFECT_DB_URL:
        dbname = PREFECT_DB_URL.rsplit("/", 1)[1]
        admin = PREFECT_DB_URL.replace("postgresql+asyncpg", "postgresql").rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{dbname}"')


@pytest.fixture(scope="session")
def migrated() -> None:
    """Schema from the Alembic migrations plus demo data, on the selected database."""
    from services import demo
    from services.core.db import session_scope
    from services.core.migrate import upgrade_to_head

    _reset_postgres()
    upgrade_to_head()
    with session_scope() as session:
        demo.load(session)


@pytest.fixture
def session(migrated):
    """A session whose work is rolled back after the test."""
    from sqlmodel import Session

    from services.core.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        yield s
        s.rollback()


# Every setting the shared test stack changes from what ``greenchannel run --demo`` ships, and why. The
# stack as shipped (nothing set) is started by tests/deployments/test_run_as_shipped.py, which exercises
# each of these defaults: the sweep and the weekly reports on their schedules, the 30 s re-dispatch and
# repair sweep, the 60 s task-worker heartbeat limit, the 120 s stuck-work limit.
STACK_OVERRIDES = {
    # lost hand-overs and stale resumes are retried within seconds, so fault tests finish quickly
    "GC_DISPATCH_SWEEP_SECONDS": "2",
    # the SLA sweep and progress reports are started by the tests that check them, on the days they choose;
    # a scheduled run in between would change lights under a test's feet
    "GC_SLA_SWEEP_MINUTES": "0",
    "GC_PROGRESS_REPORT_CRON": "",
    # a hung task worker (SIGSTOP in tests/deployments/test_run_supervision.py) is replaced after 15 s, not 60
    "GC_TASK_WORKER_STALE_SECONDS": "15",
    # work orphaned by a killed process (tests/flows/test_repair.py) is repaired after 45 s, not 120
    "GC_STUCK_AFTER_SECONDS": "45",
}


@dataclass
class Stack:
    base_url: str
    prefect_api: str
    process: subprocess.Popen

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)

    def token(self, username: str = "enterprise") -> dict[str, str]:
        r = httpx.post(f"{self.base_url}/api/v1/auth/token",
                       data={"username": username, "password": DEMO_PASSWORD}, timeout=30)
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def pids(self, marker: str) -> list[int]:
        """Processes of this stack (by the data folder in their environment) whose command line has ``marker``,
        e.g. ``deployments.task_worker``, ``deployments.serve``, ``prefect server``, ``uvicorn``."""
        return [pid for pid in _processes_of_this_stack(python_only=False)
                if marker.encode() in _cmdline(pid).replace(b"\0", b" ")]

    @contextmanager
    def web(self, username: str) -> Iterator[httpx.Client]:
        """A browser-like session signed in through the login page (its CSRF token included)."""
        with httpx.Client(base_url=self.base_url, timeout=30, follow_redirects=True) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
            r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
            assert r.status_code == 200 and "退出" in r.text, r.text[:300]
            yield client


@pytest.fixture(scope="session")
def stack(migrated) -> Stack:
    port, prefect_port = _free_port(), _free_port()
    env = dict(os.environ, GC_PREFECT_PORT=str(prefect_port), PYTHONUNBUFFERED="1", **STACK_OVERRIDES)
    log = open(DATA_DIR / "stack.log", "wb")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen([sys.executable, "-m", "deployments.cli", "run", "--demo", "--port", str(port)],
                               cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    stack = Stack(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{prefect_port}/api", process)
    _wait(lambda: httpx.get(f"{stack.base_url}/readyz", timeout=5).status_code == 200, 180, "/readyz", log)
    workers = f"{stack.prefect_api}/task_workers/filter"
    _wait(lambda: len(httpx.post(workers, json={}, timeout=2).json()) > 0, 60, "task worker", log)
    yield stack
    process.send_signal(signal.SIGINT)  # what Ctrl-C does
    try:
        assert process.wait(timeout=30) == 0, "greenchannel run did not exit cleanly on Ctrl-C"
        time.sleep(1)
        left = _processes_of_this_stack()
        assert left == [], "processes left running after Ctrl-C: " + "; ".join(
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace") for pid in left)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _processes_of_this_stack(python_only: bool = True) -> list[int]:
    """Python processes whose environment names this session's data folder (the children of `run`)."""
    marker = f"GC_DATA_DIR={DATA_DIR}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                cmdline = (proc / "cmdline").read_bytes()  # the test's own browser driver is not the stack's
                if marker in (proc / "environ").read_bytes().split(b"\0") and \
                        (b"python" in cmdline or not python_only) and b"playwright" not in cmdline:
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _wait(check, timeout: float, label: str, log) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    log.flush()
    raise RuntimeError(f"{label} not ready in {timeout}s; see {DATA_DIR / 'stack.log'}:\n"
                       + (DATA_DIR / "stack.log").read_text()[-3000:])


@pytest.fixture
def sample_application() -> dict:
    return dict(SAMPLE, planned_indicators=dict(PASSING_PLAN))
