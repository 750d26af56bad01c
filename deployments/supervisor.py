"""Watch the processes ``greenchannel run`` starts, restart the ones that die or hang, give up loudly.

Each child (Prefect server, task worker, runner, web app) is its own process group. The supervisor
checks them every second:

* a child that **exits** is restarted after a backoff (1, 2, 4 … 30 s), with its exit code or signal
  and the last lines it printed logged as the reason;
* a child that is **alive but not working** — its heartbeat file older than ``heartbeat_timeout``, or
  its health URL failing ``probe_failures`` times in a row — is killed (SIGKILL) and restarted the same way;
* a child whose resident memory passes ``max_rss_mb`` is stopped gently and started again at once
  (recycled, not counted as a failure);
* a child that fails ``max_failures`` times within ``window`` seconds makes the supervisor stop everything
  and raise :class:`GaveUp` with the reason in Chinese and English: never a silently degraded system.
"""

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BACKOFF_SECONDS = (1, 2, 4, 8, 16, 30)


class GaveUp(RuntimeError):
    """A child kept failing; ``str()`` is the reason in Chinese and English."""


@dataclass
class Child:
    """One supervised process: how to start it and how to tell that it works."""

    name: str  # English, e.g. "task worker"
    name_zh: str  # e.g. "任务执行器"
    cmd: list[str]
    env: dict[str, str]
    log_file: Path
    echo: bool = True  # copy its output to our console (the Prefect server is too chatty)
    heartbeat_file: Callable[[int], Path] | None = None  # pid → file the child touches while it works
    heartbeat_timeout: float = 60.0
    health_url: str | None = None
    probe_failures: int = 3
    startup_grace: float = 90.0  # no heartbeat or probe judgement before this many seconds
    stop_last: bool = False  # stopped after the others (they talk to it until they exit)
    max_rss_mb: float = 0  # above this resident memory the child is recycled (0: no limit)
    can_start: Callable[[], bool] | None = None  # e.g. "the Prefect API answers": a restart waits for it
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: deque = field(default_factory=deque)
    restart_at: float | None = None
    probe_misses: int = 0
    last_probe: float = 0.0
    tail: deque = field(default_factory=lambda: deque(maxlen=20))


class Supervisor:
    def __init__(self, children: list[Child], max_failures: int = 5, window: float = 300.0,
                 echo: Callable[[str], None] = print):
        self.children = children
        self.max_failures = max_failures
        self.window = window
        self.echo = echo

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self, child: Child) -> None:
        child.log_file.parent.mkdir(parents=True, exist_ok=True)
        child.process = subprocess.Popen(child.cmd, env=child.env, start_new_session=True,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        child.started_at = time.monotonic()
        child.restart_at, child.probe_misses, child.last_probe = None, 0, child.started_at
        threading.Thread(target=self._copy_output, args=(child, child.process), daemon=True,
                         name=f"output-{child.name}").start()
        self.echo(f"started {child.name} ({child.name_zh}), pid {child.process.pid}")

    def stop_all(self, timeout: float = 10.0) -> None:
        """SIGTERM the children's process groups, then SIGKILL what is left after ``timeout``; the ones
        marked ``stop_last`` (the Prefect server the others talk to) only after the others are gone."""
        for last in (False, True):
            running = [c.process for c in self.children if c.process is not None and c.stop_last == last]
            for process in running:
                _signal_group(process, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            for process in running:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                _signal_group(process, signal.SIGKILL)  # the group may hold grandchildren (flow runs)
                process.wait()

    def check(self) -> None:
        """One round: restart the dead and the hung, start what is due; raise GaveUp when one keeps failing."""
        now = time.monotonic()
        for child in self.children:
            if child.process is None:
                if child.restart_at is not None and now >= child.restart_at:
                    if child.can_start is None or child.can_start():
                        self.start(child)
                    else:  # what it needs is down too: wait for it instead of failing again
                        child.restart_at = now + 1
                continue
            code = child.process.poll()
            if code is not None:
                self._failed(child, _exit_reason(code))
                continue
            reason = self._hung(child, now)
            if reason:
                _signal_group(child.process, signal.SIGKILL)
                child.process.wait()
                self._failed(child, reason)
            elif child.max_rss_mb and (rss := _rss_mb(child.process.pid)) > child.max_rss_mb:
                self._recycle(child, rss)

    def _recycle(self, child: Child, rss: float) -> None:
        """Memory grows with every flow a warm process runs: stop it gently and start a fresh one at once
        (not a failure; work it had in hand is picked up again by the repair sweep)."""
        self.echo(f"recycling {child.name} ({child.name_zh}): {rss:.0f} MB resident > {child.max_rss_mb:.0f} MB / "
                  f"内存 {rss:.0f} MB 超过上限，重启")
        process = child.process
        assert process is not None, "only a running child is recycled"
        _signal_group(process, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        _signal_group(process, signal.SIGKILL)
        process.wait()
        if child.heartbeat_file is not None:
            child.heartbeat_file(process.pid).unlink(missing_ok=True)
        self.start(child)

    # -- judgement ------------------------------------------------------------------------------------

    def _hung(self, child: Child, now: float) -> str | None:
        if now - child.started_at < child.startup_grace:
            return None
        if child.heartbeat_file is not None:
            assert child.process is not None, "only a running child is judged"
            beat = child.heartbeat_file(child.process.pid)
            try:
                age = time.time() - beat.stat().st_mtime
            except FileNotFoundError:
                age = now - child.started_at
            if age > child.heartbeat_timeout:
                return f"no heartbeat for {age:.0f} s (alive but not working) / {age:.0f} 秒无心跳（进程在但不工作）"
        if child.health_url and now - child.last_probe >= 5:
            child.last_probe = now
            try:
                healthy = httpx.get(child.health_url, timeout=5).status_code < 500
            except httpx.HTTPError:
                healthy = False
            child.probe_misses = 0 if healthy else child.probe_misses + 1
            if child.probe_misses >= child.probe_failures:
                return (f"{child.health_url} did not answer {child.probe_misses} times in a row / "
                        f"健康检查连续 {child.probe_misses} 次无响应")
        return None

    def _failed(self, child: Child, reason: str) -> None:
        now = time.monotonic()
        if child.heartbeat_file is not None and child.process is not None:  # a killed process cannot remove its beat
            child.heartbeat_file(child.process.pid).unlink(missing_ok=True)
        child.process = None
        child.failures.append(now)
        while child.failures and now - child.failures[0] > self.window:
            child.failures.popleft()
        last_lines = "\n    ".join(list(child.tail)[-5:])
        self.echo(f"{child.name} ({child.name_zh}) stopped: {reason}" + (f"\n    {last_lines}" if last_lines else ""))
        if len(child.failures) >= self.max_failures:
            raise GaveUp(f"{child.name_zh}在 {self.window:.0f} 秒内失败 {len(child.failures)} 次，已停止全部服务。"
                         f"最近原因：{reason}。日志：{child.log_file}\n"
                         f"{child.name} failed {len(child.failures)} times within {self.window:.0f} s; "
                         f"stopped everything. Last reason: {reason}. Log: {child.log_file}")
        delay = BACKOFF_SECONDS[min(len(child.failures), len(BACKOFF_SECONDS)) - 1]
        child.restart_at = now + delay
        self.echo(f"restarting {child.name} in {delay} s ({len(child.failures)} failure(s) "
                  f"in the last {self.window:.0f} s)")

    def _copy_output(self, child: Child, process: subprocess.Popen) -> None:
        assert process.stdout is not None, "started with stdout=PIPE"
        with open(child.log_file, "ab") as out:
            for line in iter(process.stdout.readline, b""):
                out.write(line)
                out.flush()
                text = line.decode(errors="replace").rstrip()
                child.tail.append(text)
                if child.echo:
                    self.echo(f"[{child.name}] {text}")


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _exit_reason(code: int) -> str:
    if code < 0:
        name = signal.Signals(-code).name
        return f"killed by {name} / 被信号 {name} 终止"
    return f"exited with code {code} / 退出码 {code}"
