"""Health that tells the truth: ``/healthz`` (this process answers) and ``/readyz`` (everything a case needs).

``/readyz`` checks each component a case passes through — our database, the Prefect API, a working task
worker (its heartbeat), the deployments that resumed work needs (served by a runner that polls), the age
of the last SLA sweep — and counts stuck work (``services.cases.faults``). Any needed component missing: 503.
Staff pages show a banner while orchestration is down (``orchestration_problem``); submissions are kept
in our database and handed over when it is back.
"""

import threading
import time
from datetime import UTC, datetime

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from services.cases import faults
from services.core import heartbeat
from services.core.db import get_engine, session_scope
from services.core.settings import get_settings

router = APIRouter(tags=["health"])

# The deployments the schedules need (flow name / deployment name); cases run on the task workers.
DEPLOYMENTS = ("sla-sweep/greenchannel", "progress-reports/greenchannel")
BANNER_ZH = "流程引擎暂不可用（{what}）：新提交的申请已保存，恢复后将自动继续办理；审查决定已记录，稍后生效。"


@router.get("/healthz")
def healthz():
    """Alive: this process answers and reaches its database."""
    database = _database()
    status = 200 if database["ok"] else 503
    return JSONResponse({"status": "ok" if status == 200 else "error", "database": database}, status_code=status)


@router.get("/readyz")
def readyz():
    """Ready: every component a case needs works; 503 with the failing ones named otherwise."""
    report = readiness()
    return JSONResponse(report, status_code=200 if report["ready"] else 503,
                        headers={} if report["ready"] else {"Retry-After": "10"})


def readiness() -> dict:
    settings = get_settings()
    api = settings.effective_prefect_api_url
    components = {"database": _database(), "prefect_api": _prefect_api(api), "task_worker": _task_worker(settings)}
    components["deployments"] = _deployments(api) if components["prefect_api"]["ok"] else \
        {"ok": False, "detail": "Prefect API unreachable"}
    components["sla_sweep"] = _last_sweep(api, settings.sla_sweep_minutes) if components["prefect_api"]["ok"] else \
        {"ok": False, "detail": "Prefect API unreachable"}
    components["stuck_work"] = _stuck_work() if components["database"]["ok"] else {"ok": False}
    needed = ("database", "prefect_api", "task_worker", "deployments", "sla_sweep")
    return {"ready": all(components[name]["ok"] for name in needed), "components": components}


_cache: dict[str, tuple[float, str | None]] = {}
_cache_lock = threading.Lock()


def orchestration_problem(max_age: float = 5.0) -> str | None:
    """What is down, in Chinese, for the staff banner; None when orchestration works. Cached a few seconds."""
    with _cache_lock:
        cached = _cache.get("problem")
        if cached and time.monotonic() - cached[0] < max_age:
            return cached[1]
    settings = get_settings()
    api = settings.effective_prefect_api_url
    missing = []
    if not _prefect_api(api, timeout=1)["ok"]:
        missing.append("Prefect 服务无响应")
    else:
        if not _deployments(api, timeout=1)["ok"]:
            missing.append("流程运行器未在服务")
    if not _task_worker(settings, timeout=1)["ok"]:
        missing.append("任务执行器无心跳")
    problem = BANNER_ZH.format(what="、".join(missing)) if missing else None
    with _cache_lock:
        _cache["problem"] = (time.monotonic(), problem)
    return problem


def _database() -> dict:
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # report, do not crash: a probe wants a status
        return {"ok": False, "detail": error.__class__.__name__}
    return {"ok": True}


def _prefect_api(api: str, timeout: float = 2.0) -> dict:
    try:
        ok = httpx.get(f"{api}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError as error:
        return {"ok": False, "detail": error.__class__.__name__}
    return {"ok": ok}


def _task_worker(settings, timeout: float = 2.0) -> dict:
    """Every Prefect server has a task worker subscribed (each queues hand-overs in its own memory), and a task
    worker of this machine, if any, still beats. A machine running only the web app has no beats of its own."""
    subscribed = {url: _subscribed_workers(url, timeout) for url in settings.prefect_servers}
    age = heartbeat.freshest_age(settings, heartbeat.TASK_WORKER)
    report: dict = {"subscribed": subscribed}
    if age is not None:
        report["heartbeat_age_seconds"] = round(age, 1)
    unserved = [url for url, count in subscribed.items() if not count]
    if unserved:
        report["detail"] = "no task worker subscribed to " + ", ".join(unserved)
    elif age is not None and age > settings.task_worker_stale_seconds:
        report["detail"] = "no heartbeat"
    return {"ok": "detail" not in report, **report}


def _subscribed_workers(api: str, timeout: float) -> int:
    """Task workers subscribed to this Prefect server right now (0 when it does not answer)."""
    try:
        response = httpx.post(f"{api}/task_workers/filter", json={}, timeout=timeout)
        return len(response.json()) if response.status_code == 200 else 0
    except (httpx.HTTPError, ValueError):
        return 0


def _deployments(api: str, timeout: float = 2.0) -> dict:
    """A deployment is READY while a runner serving it polls Prefect."""
    statuses = {}
    try:
        with httpx.Client(base_url=api, timeout=timeout) as client:
            for name in DEPLOYMENTS:
                response = client.get(f"/deployments/name/{name}")
                statuses[name] = response.json().get("status", "NOT_READY") if response.status_code == 200 \
                    else "MISSING"
    except httpx.HTTPError as error:
        return {"ok": False, "detail": error.__class__.__name__}
    return {"ok": all(s == "READY" for s in statuses.values()), "status": statuses}


def _last_sweep(api: str, interval_minutes: int) -> dict:
    """Age of the last completed SLA sweep; late when older than three intervals (off: always fine)."""
    body = {"flows": {"name": {"any_": ["sla-sweep"]}}, "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
            "sort": "END_TIME_DESC", "limit": 1}
    try:
        runs = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=2).json()
    except (httpx.HTTPError, ValueError) as error:
        return {"ok": False, "detail": error.__class__.__name__}
    if not runs or not runs[0].get("end_time"):
        return {"ok": True, "last_completed": None, "scheduled_every_minutes": interval_minutes}
    ended = datetime.fromisoformat(runs[0]["end_time"].replace("Z", "+00:00"))
    age = (datetime.now(UTC) - ended).total_seconds()
    late = bool(interval_minutes) and age > 3 * interval_minutes * 60
    return {"ok": not late, "last_completed": ended.isoformat(), "age_seconds": round(age),
            "scheduled_every_minutes": interval_minutes}


def _stuck_work() -> dict:
    try:
        with session_scope() as session:
            counts = faults.counts(session)
    except Exception as error:  # the database component reports the outage itself
        return {"ok": False, "detail": error.__class__.__name__}
    return {"ok": counts["open"] == 0, **counts}
