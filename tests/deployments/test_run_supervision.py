"""``greenchannel run`` watches what it starts: a hung task worker is replaced, a child that keeps dying
stops everything with exit code 3 and the reason in Chinese and English. Real processes, real signals."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from deployments.supervisor import Child, GaveUp, Supervisor
from tests.harness import free_port, processes_of
from tests.samples import DEMO_PASSWORD, PASSING_PLAN, SAMPLE
from tests.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]
ON_POSTGRES = bool(os.environ.get("GC_TEST_DATABASE_URL"))


_wait = wait_for


def test_a_hung_task_worker_is_noticed_and_replaced(stack, sample_application):
    [worker] = stack.pids("deployments.task_worker")
    os.kill(worker, signal.SIGSTOP)  # alive, holding its socket, doing nothing: what a blocked loop looks like
    try:
        # reported not ready after GC_TASK_WORKER_STALE_SECONDS, replaced only after twice that
        answer = _wait(lambda: (r := httpx.get(f"{stack.base_url}/readyz", timeout=10)).status_code == 503 and r,
                       60, "/readyz to report the hung worker")
        assert answer.json()["components"]["task_worker"]["ok"] is False
        assert answer.headers["Retry-After"] == "10"
        with stack.web("reviewer") as staff:  # staff see why cases do not move
            assert "任务执行器无心跳" in staff.get("/reviews").text
        with stack.web("enterprise") as enterprise:  # an enterprise is not told about our machinery
            assert "流程引擎暂不可用" not in enterprise.get("/applications").text
        new = _wait(lambda: (p := stack.pids("deployments.task_worker")) and p != [worker] and p, 90,
                    "a new task worker")
        assert worker not in new
    finally:
        with contextlib.suppress(ProcessLookupError):  # the supervisor killed it, as it should
            os.kill(worker, signal.SIGCONT)
    _wait(lambda: httpx.get(f"{stack.base_url}/readyz", timeout=10).status_code == 200, 120, "/readyz again")
    with stack.client() as c:
        created = c.post("/api/v1/applications", json=sample_application,
                         headers=stack.token("enterprise") | {"Idempotency-Key": f"hung-{worker}"})
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]

    def accepted():
        with stack.client() as c:
            body = c.get(f"/api/v1/applications/{application_id}", headers=stack.token("enterprise")).json()
        return body["status"] == "accepted" and body
    body = _wait(accepted, 120, "the new worker to accept an application")
    assert [d["kind"] for d in body["documents"]] == ["acceptance_notice"]


def test_a_child_that_keeps_failing_stops_the_supervisor_with_the_reason(tmp_path):
    """The supervisor itself, on real processes: restarts with backoff, then gives up (fast: 1+2+4 s)."""
    code = "import sys; print('cannot bind 127.0.0.1:8000', flush=True); sys.exit(1)"
    child = Child("web app", "网站", [sys.executable, "-c", code], dict(os.environ), tmp_path / "web.log")
    lines: list[str] = []
    supervisor = Supervisor([child], max_failures=4, window=60, echo=lines.append)
    supervisor.start(child)
    started = time.monotonic()
    with pytest.raises(GaveUp) as gave_up:
        while time.monotonic() - started < 60:
            supervisor.check()
            time.sleep(0.2)
    assert "网站在 60 秒内失败 4 次，已停止全部服务" in str(gave_up.value)
    assert "web app failed 4 times within 60 s" in str(gave_up.value)
    assert "exited with code 1" in str(gave_up.value)
    assert [line for line in lines if line.startswith("restarting web app in")] == [
        "restarting web app in 1 s (1 failure(s) in the last 60 s)",
        "restarting web app in 2 s (2 failure(s) in the last 60 s)",
        "restarting web app in 4 s (3 failure(s) in the last 60 s)"]
    assert any("cannot bind 127.0.0.1:8000" in line for line in lines), "the child's last words are shown"
    assert (tmp_path / "web.log").read_text().count("cannot bind") == 4


def test_run_refuses_a_taken_port_at_once_in_both_languages_and_starts_nothing(tmp_path):
    """A port held by another program is refused before anything starts (exit 2), not found out by a web app
    that fails five times; the supervisor's giving up is tested above on real processes."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port, prefect_port = taken.getsockname()[1], free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GC_", "PREFECT_"))}
        env["GC_DATA_DIR"] = str(tmp_path)
        for command in (["run", "--port", str(port), "--prefect-port", str(prefect_port)],
                        ["run", "--port", str(prefect_port), "--prefect-port", str(port)],
                        ["web", "--host", "127.0.0.1", "--port", str(port)],
                        ["prefect-server", "--host", "127.0.0.1", "--port", str(port)]):
            run = subprocess.run([sys.executable, "-m", "deployments.cli", *command], cwd=REPO, env=env,
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == 2, run.stdout[-2000:] + run.stderr[-3000:]
            assert f"无法使用 127.0.0.1:{port}：该端口已被其他程序占用" in run.stderr, run.stderr
            assert f"cannot use 127.0.0.1:{port}" in run.stderr and "Choose another port" in run.stderr
            assert "Traceback" not in run.stderr
            assert not (tmp_path / "greenchannel.db").exists(), "nothing prepared for a start that cannot happen"
    assert processes_of(tmp_path, "", python_only=False) == []


@pytest.mark.stack  # `run --demo` with its web app, while the Prefect API it is given never answers
@pytest.mark.skipif(ON_POSTGRES, reason="greenchannel run on its SQLite default: the SQLite run covers it")
def test_the_web_app_answers_before_orchestration_is_up_and_says_so(tmp_path):
    """The web app does not wait for Prefect: people can sign in and apply while orchestration starts (or is
    down); staff see the banner, and what is submitted is kept for the hand-over."""
    port, silent_api = free_port(), f"http://127.0.0.1:{free_port()}/api"  # nothing listens there
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GC_", "PREFECT_"))}
    env |= {"GC_DATA_DIR": str(tmp_path), "GC_PREFECT_API_URL": silent_api}
    log = tmp_path / "run.out"
    with open(log, "wb") as out:
        run = subprocess.Popen([sys.executable, "-m", "deployments.cli", "run", "--demo", "--port", str(port)],
                               cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def healthy() -> bool:
            assert run.poll() is None, log.read_text(errors="replace")[-3000:]
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(f"{base}/healthz", timeout=5).status_code == 200
            return False
        _wait(healthy, 150, "/healthz while Prefect never answers")
        ready = httpx.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 503 and ready.json()["components"]["prefect_api"]["ok"] is False

        with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as browser:
            token = browser.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
            page = browser.post("/login", data={"username": "supervisor", "password": DEMO_PASSWORD,
                                                "csrf_token": token})
            assert page.status_code == 200 and "Prefect 服务无响应" in page.text, page.text[:800]

        auth = httpx.post(f"{base}/api/v1/auth/token", data={"username": "enterprise", "password": DEMO_PASSWORD},
                          timeout=30).json()
        created = httpx.post(f"{base}/api/v1/applications", json=dict(SAMPLE, planned_indicators=PASSING_PLAN),
                             headers={"Authorization": f"Bearer {auth['access_token']}",
                                      "Idempotency-Key": "kept-while-prefect-is-down"}, timeout=30)
        assert created.status_code == 201, created.text  # stored; handed over when Prefect answers
    finally:
        run.send_signal(signal.SIGTERM)
        code = run.wait(timeout=90)
    assert code == 0, log.read_text(errors="replace")[-3000:]
    assert processes_of(tmp_path, python_only=False) == []
    assert "Traceback" not in log.read_text(errors="replace")


def test_a_child_over_its_memory_limit_is_recycled_without_counting_as_a_failure(tmp_path):
    grow = "import time; block = bytearray(120 * 1024 * 1024); print('grown', flush=True); time.sleep(60)"
    child = Child("task worker", "任务执行器", [sys.executable, "-c", grow], dict(os.environ), tmp_path / "tw.log",
                  max_rss_mb=100, startup_grace=0)
    lines: list[str] = []
    supervisor = Supervisor([child], echo=lines.append)
    supervisor.start(child)
    first = child.process.pid
    try:
        _wait(lambda: (supervisor.check(), child.process.pid != first)[1], 30, "the child recycled")
        assert any(line.startswith("recycling task worker") and "> 100 MB" in line for line in lines), lines
        assert len(child.failures) == 0, "recycling is not a failure"
    finally:
        supervisor.stop_all(timeout=2)
