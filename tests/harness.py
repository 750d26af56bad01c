"""The real stack for tests and benchmarks: ``greenchannel run --demo`` on free ports, and how to stop it.

One place for what ``tests/conftest.py`` (the ``stack`` fixture) and ``bench/*.py`` both do: pick free
ports, reset PostgreSQL databases, build the stack's environment, start ``python -m deployments.cli run
--demo`` in its own session, wait until ``/readyz`` answers 200 and the Prefect task worker has subscribed,
find the stack's processes by the data folder in their environment, and stop it as Ctrl-C does.

Why here and not in ``deployments/``: this is test equipment, not something an operator runs, and it must
not ship in the wheel. Bench scripts import it as ``tests.harness`` — they run from the repository root with
``.venv/bin/python bench/x.py``, and the editable install puts the repository root on ``sys.path`` (the
scripts also insert it themselves). So this module must stay importable outside pytest: no fixtures, no
``pytest`` import, no change to ``os.environ`` on import, nothing from ``services`` at module level.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from tests.samples import DEMO_PASSWORD, REPO

# Components of a running stack by a fragment of their command line (for ``Stack.pids``).
COMPONENTS = {"task worker": "deployments.task_worker", "runner": "deployments.serve",
              "prefect server": "prefect server start", "web app": "uvicorn forms.app"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reset_databases(database_url: str, prefect_database_url: str = "") -> None:
    """Empty the PostgreSQL databases a stack will use (SQLite URLs are left alone: their file is new).

    Our database keeps its name and loses schema ``public`` (it is created when missing); Prefect's
    database is dropped and created again. Never point these at data you want to keep.
    """
    if not (database_url.startswith("postgresql") or prefect_database_url):
        return
    import psycopg

    if database_url.startswith("postgresql"):
        url = database_url.replace("postgresql+psycopg", "postgresql")
        _create_database_if_missing(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    if prefect_database_url:
        url = prefect_database_url.replace("postgresql+asyncpg", "postgresql")
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')


def _create_database_if_missing(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def for_worker(database_url: str, worker: str) -> str:
    """The URL of a test worker's own database: ``…/test`` becomes ``…/test_gw1`` for pytest-xdist's worker
    ``gw1`` (SQLite and unset URLs are left alone: a worker's SQLite file lives in its own data folder)."""
    if not worker or not database_url.startswith("postgresql"):
        return database_url
    base, name = database_url.rsplit("/", 1)
    return f"{base}/{name}_{worker}"


def settings_for(data_dir: Path, database_url: str = "", prefect_database_url: str = "",
                 secret_key: str = "test-secret") -> dict[str, str]:
    """The ``GC_…`` settings (and telemetry switches) of a stack whose data lives in ``data_dir``."""
    return {"GC_DATA_DIR": str(data_dir),
            "GC_DATABASE_URL": database_url or f"sqlite:///{data_dir / 'greenchannel.db'}",
            "GC_SECRET_KEY": secret_key, "GC_PREFECT_DATABASE_URL": prefect_database_url,
            "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


def processes_of(data_dir: Path, marker: str = "", *, python_only: bool = True) -> list[int]:
    """Processes whose environment names ``data_dir`` as ``GC_DATA_DIR`` (every child of ``run``) and whose
    command line contains ``marker``; never this process, never a Playwright browser driver."""
    wanted = f"GC_DATA_DIR={data_dir}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            if wanted in (proc / "environ").read_bytes().split(b"\0") and marker.encode() in cmdline and \
                    (b"python" in cmdline or not python_only) and b"playwright" not in cmdline:
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def flow_run_processes(flow_run_id: str) -> list[int]:
    """Processes started for this flow run (the Prefect runner gives each its id in PREFECT__FLOW_RUN_ID)."""
    marker = f"PREFECT__FLOW_RUN_ID={flow_run_id}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


@dataclass
class Stopped:
    """How the stack ended: the exit code of ``run`` and the processes still alive 1 s later (now killed)."""

    exit_code: int | None
    leftovers: list[str] = field(default_factory=list)


class Stack:
    """``greenchannel run --demo`` with its own data folder and free ports, in its own session.

    The environment is this process's without any inherited ``GC_…`` or ``PREFECT_…`` variable (a
    developer's ``GC_PREFECT_API_URL`` would point the stack elsewhere), plus ``settings`` (see
    ``settings_for``) and ``overrides`` (e.g. the tests' shorter sweep intervals).
    """

    def __init__(self, settings: Mapping[str, str], overrides: Mapping[str, str] | None = None):
        self.settings = dict(settings)
        self.overrides = dict(overrides or {})
        self.data_dir = Path(self.settings["GC_DATA_DIR"])
        self.database_url = self.settings["GC_DATABASE_URL"]
        self.prefect_database_url = self.settings.get("GC_PREFECT_DATABASE_URL", "")
        self.port, self.prefect_port = free_port(), free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.prefect_api = f"http://127.0.0.1:{self.prefect_port}/api"
        self.log_path = self.data_dir / "stack.log"
        self.process: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None

    # ---------------------------------------------------------------------------------- start, stop

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GC_", "PREFECT_"))}
        return env | self.settings | {"GC_PREFECT_PORT": str(self.prefect_port), "PYTHONUNBUFFERED": "1"} \
            | self.overrides

    def start(self, timeout: float = 180) -> float:
        """Start ``run`` and wait until it is ready; the seconds that took. RuntimeError (with the end of
        ``stack.log``) when it is not ready in ``timeout`` or exits before."""
        t0 = time.monotonic()
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deployments.cli", "run", "--demo", "--port", str(self.port)], cwd=REPO,
            env=self.environment(), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(lambda: httpx.get(f"{self.base_url}/readyz", timeout=5).status_code == 200, timeout, "/readyz")
        # ready for work when the Prefect task worker has subscribed (intake runs on it)
        workers = f"{self.prefect_api}/task_workers/filter"
        self._wait(lambda: len(httpx.post(workers, json={}, timeout=2).json()) > 0, 60, "task worker")
        return time.monotonic() - t0

    def _wait(self, check: Callable[[], bool], timeout: float, label: str) -> None:
        assert self.process is not None and self._log is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            with suppress(httpx.HTTPError):
                if check():
                    return
            time.sleep(0.5)
        self._log.flush()
        raise RuntimeError(f"{label} not ready in {timeout:.0f} s (stack exit code {self.process.poll()}); "
                           f"see {self.log_path}:\n" + self.log_path.read_text(errors="replace")[-3000:])

    def stop(self, timeout: float = 30) -> Stopped:
        """SIGINT to ``run`` (what Ctrl-C does); SIGKILL to its group after ``timeout``; then any process
        of this stack still alive after 1 s is listed and killed."""
        if self.process is None:
            return Stopped(None)
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGINT)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    with suppress(ProcessLookupError):
                        os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()
            time.sleep(1)
            left = self.processes()
            leftovers = [command_line(pid) for pid in left]
            for pid in left:
                with suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            return Stopped(self.process.returncode, leftovers)
        finally:
            if self._log:
                self._log.close()

    # ---------------------------------------------------------------------------------- looking at it

    def processes(self) -> list[int]:
        """Python processes of this stack (``run`` and everything it started)."""
        return processes_of(self.data_dir)

    def pids(self, marker: str) -> list[int]:
        """Processes of this stack whose command line has ``marker``, e.g. ``deployments.task_worker``,
        ``deployments.serve``, ``prefect server``, ``uvicorn`` (see ``COMPONENTS``)."""
        return processes_of(self.data_dir, marker, python_only=False)

    def freeze(self, pid: int, timeout: float = 60) -> None:
        """SIGSTOP a process of the stack at a moment it holds no write lock on an SQLite database, and not the
        repair sweep's lock on PostgreSQL.

        A process frozen inside a write transaction stops every other writer of the file (the web app's
        sign-in and submissions wait out their busy timeout), and one frozen in its sweep stops every other
        process's sweep: the faults the tests make by freezing a worker are about queues, not locks, so the
        freeze is retried until the database still takes a write and the sweep's lock is free."""
        deadline = time.monotonic() + timeout
        while True:
            os.kill(pid, signal.SIGSTOP)
            if self._writable() and self._sweep_lock_free():
                return
            os.kill(pid, signal.SIGCONT)
            if time.monotonic() > deadline:
                raise TimeoutError(f"process {pid} held the database's write lock for {timeout:.0f} s")
            time.sleep(0.2)

    def _writable(self) -> bool:
        if not self.database_url.startswith("sqlite"):
            return True  # PostgreSQL locks rows, not the database
        connection = sqlite3.connect(self.database_url.removeprefix("sqlite:///"), timeout=1)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            connection.close()

    def _sweep_lock_free(self) -> bool:
        if not self.database_url.startswith("postgresql"):
            return True  # SQLite: one machine, no lock between sweeps
        import sqlalchemy as sa

        from flows.repair import SWEEP_LOCK
        engine = sa.create_engine(self.database_url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                got = conn.execute(sa.text("SELECT pg_try_advisory_lock(hashtext(:n))"), {"n": SWEEP_LOCK}).scalar()
                if got:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:n))"), {"n": SWEEP_LOCK})
                return bool(got)
        finally:
            engine.dispose()

    def log_summary(self) -> str:
        """Counts of trouble in the stack's logs (the Prefect server logs only warnings and errors)."""
        notes = []
        for name in ("stack.log", "prefect-server.log"):
            path = self.data_dir / name
            if not path.exists():
                continue
            text = path.read_text(errors="replace")
            counts = {"ERROR lines": len(re.findall(r"\| ERROR ", text)),
                      "Tracebacks": text.count("Traceback (most recent call last)"),
                      "'database is locked'": text.count("OperationalError: database is locked")}
            found = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
            first = re.search(r"^.*\| ERROR .*$", text, re.MULTILINE)
            notes.append(f"{name}: {found or 'clean'}" + (f" (first: {first.group(0)[:160]!r})" if first else ""))
        return "; ".join(notes)

    # ---------------------------------------------------------------------------------- talking to it

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)

    def token(self, username: str = "enterprise", password: str = DEMO_PASSWORD) -> dict[str, str]:
        """Bearer headers of an account, a demo one by default (OAuth2 password flow)."""
        r = httpx.post(f"{self.base_url}/api/v1/auth/token",
                       data={"username": username, "password": password}, timeout=30)
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    @contextmanager
    def web(self, username: str) -> Iterator[httpx.Client]:
        """A browser-like session signed in through the login page (its CSRF token included)."""
        with httpx.Client(base_url=self.base_url, timeout=30, follow_redirects=True) as client:
            found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            assert found, "no CSRF token on the login page"
            r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                            "csrf_token": found.group(1)})
            assert r.status_code == 200 and "退出" in r.text, r.text[:300]
            yield client
