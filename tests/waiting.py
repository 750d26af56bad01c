"""Waiting for the real stack: poll a check until it returns something true, or fail saying what was awaited."""

import time

import httpx


def wait_for(check, timeout: float = 240, what: str = "condition", seen: dict | None = None):
    """``check()``'s first true result; an HTTP error counts as not yet (a process may be restarting). A check
    that notes what it saw in ``seen`` has it in the failure, so a timeout in CI says where things were.
    The default allows for CI's double load, where a fresh run's process has taken minutes to start."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    where = f"; last seen: {seen}" if seen else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{where}")


def wait_for_case(check, timeout: float = 300, what: str = "condition", seen: dict | None = None):
    """``wait_for`` with the longer default a 拿地即开工 case needs (six departments, a run per branch; its case
    run is a fresh process, which CI's double load has delayed by minutes)."""
    return wait_for(check, timeout, what, seen)
