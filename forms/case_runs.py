"""A case's Prefect runs as staff read them on the case page (流程运行): names and states in Chinese,
times in China time, and which run the Prefect link should open.

Staff should not need the Prefect UI (English, UTC, run names such as ``case-4-design_review-open``) to know
whether a case is moving. The runs are found the way the flows mark them: tagged ``case-<id>``, the ids
stored on the case and its steps, and the child runs of those (the 拿地即开工 step runs). Prefect is asked
over HTTP with a short timeout; when it does not answer, the page says so instead of failing.
"""

from dataclasses import dataclass
from datetime import datetime

import httpx

from services.cases.models import Application, Step
from services.cases.processes import ProcessDefinition
from services.core.settings import get_settings

#: flow name → what the run does, in Chinese (the names are fixed in ``flows/``)
FLOW_NAMES_ZH = {
    "standard-land-pre-assessment": "受理（材料审查）",
    "standard-land-review": "审查",
    "eia-application": "受理（材料审查）",
    "eia-review": "审查",
    "land-to-start": "全流程（并联办理）",
    "land-to-start-step": "环节办理",
}
#: a 拿地即开工 step run's ``kind`` parameter → what it did
WORK_KINDS_ZH = {"open": "开始办理", "apply": "执行决定", "period_end": "公示期满", "automatic": "自动办理"}
#: Prefect state name (more precise than its type: Suspended, Late, AwaitingRetry …) → Chinese
STATE_NAMES_ZH = {
    "Scheduled": "已排队", "Late": "排队超时", "AwaitingRetry": "等待重试", "Pending": "正在启动",
    "Running": "运行中", "Retrying": "重试中", "Completed": "已完成", "Cached": "已完成",
    "Failed": "失败", "Crashed": "异常中止", "Cancelling": "正在取消", "Cancelled": "已取消",
    "Paused": "暂停（等待人工处理）", "Suspended": "暂停（等待人工处理）",
}
#: Prefect state type → Chinese, for a state name not listed above
STATE_TYPES_ZH = {
    "SCHEDULED": "已排队", "PENDING": "正在启动", "RUNNING": "运行中", "COMPLETED": "已完成", "FAILED": "失败",
    "CRASHED": "异常中止", "CANCELLING": "正在取消", "CANCELLED": "已取消", "PAUSED": "暂停（等待人工处理）",
}
ACTIVE_TYPES = {"SCHEDULED", "PENDING", "RUNNING", "PAUSED", "CANCELLING"}
MAX_RUNS = 60


@dataclass(frozen=True)
class CaseRun:
    id: str
    what_zh: str
    state_type: str  # Prefect's state type, for the badge colour
    state_zh: str
    at: datetime | None  # started, or expected to start
    ended_at: datetime | None


@dataclass(frozen=True)
class CaseRuns:
    runs: list[CaseRun]
    current_run_id: str | None  # the run the Prefect link opens: the one that opened the step now waiting
    unavailable: bool = False
    waiting_on_people: bool = False  # a step is open for a department or the applicant

    @property
    def current(self) -> CaseRun | None:
        return next((r for r in self.runs if r.id == self.current_run_id), None)

    @property
    def current_zh(self) -> str:
        """The summary line: the current run and its state; a run that ended where people must act says so (the
        case holds no run while it waits)."""
        run = self.current
        if run is None:
            return "查看运行"
        if self.waiting_on_people and run.state_type == "COMPLETED":
            return f"{run.what_zh}：{run.state_zh}，等待人工处理"
        return f"{run.what_zh}：{run.state_zh}"


def read_case_runs(application: Application, steps: list[Step], definition: ProcessDefinition,
                   timeout: float = 1.0) -> CaseRuns:
    """The case's runs, newest first; ``unavailable`` when Prefect did not answer in time.

    The page reloads itself while a case moves, and a busy Prefect must not hold the page: one call for most
    cases (flow names are kept once read; only 拿地即开工 has child runs), each within ``timeout``."""
    known = [r for r in [application.flow_run_id, *(s.flow_run_id for s in steps)] if r]
    try:
        with httpx.Client(base_url=get_settings().effective_prefect_api_url, timeout=timeout) as client:
            raw = _runs(client, application, known, children=application.process_key == "land_to_start")
            flow_names = _flow_names(client, {r["flow_id"] for r in raw})
    except (httpx.HTTPError, ValueError, KeyError):
        return CaseRuns(runs=[], current_run_id=_current_step_run(steps) or application.flow_run_id, unavailable=True)
    runs = sorted((_case_run(r, flow_names, definition) for r in raw), key=_newest_first, reverse=True)[:MAX_RUNS]
    return CaseRuns(runs=runs, current_run_id=_current_run(steps, runs, application),
                    waiting_on_people=_current_step_run(steps) is not None)


def _runs(client: httpx.Client, application: Application, known: list[str], children: bool) -> list[dict]:
    """Runs tagged with the case or stored on it, then (``children``) their child runs."""
    body: dict = {"flow_runs": {"operator": "or_", "tags": {"all_": [f"case-{application.id}"]}}, "limit": MAX_RUNS}
    if known:
        body["flow_runs"]["id"] = {"any_": known}
    found = {r["id"]: r for r in _post(client, "/flow_runs/filter", body)}
    if found and children:
        below = {"flow_runs": {"parent_flow_run_id": {"any_": list(found)}}, "limit": MAX_RUNS}
        found.update({r["id"]: r for r in _post(client, "/flow_runs/filter", below)})
    return list(found.values())


_FLOW_NAMES: dict[str, str] = {}  # flow id → name: a flow's id never changes, and there are a handful


def _flow_names(client: httpx.Client, flow_ids: set[str]) -> dict[str, str]:
    unknown = sorted(flow_ids - _FLOW_NAMES.keys())
    if unknown:
        flows = _post(client, "/flows/filter", {"flows": {"id": {"any_": unknown}}})
        _FLOW_NAMES.update({f["id"]: f["name"] for f in flows})
    return _FLOW_NAMES


def _post(client: httpx.Client, path: str, body: dict) -> list[dict]:
    response = client.post(path, json=body)
    response.raise_for_status()
    return response.json()


def _case_run(raw: dict, flow_names: dict[str, str], definition: ProcessDefinition) -> CaseRun:
    state = raw.get("state") or {}
    state_type, state_name = state.get("type", ""), state.get("name", "")
    what = _what(flow_names.get(raw["flow_id"], ""), raw.get("parameters") or {}, definition)
    state_zh = STATE_NAMES_ZH.get(state_name) or STATE_TYPES_ZH.get(state_type, "未知")
    started = _time(raw.get("start_time") or raw.get("expected_start_time"))
    return CaseRun(id=raw["id"], what_zh=what, state_type=state_type, state_zh=state_zh, at=started,
                   ended_at=_time(raw.get("end_time")))


def _what(flow_name: str, parameters: dict, definition: ProcessDefinition) -> str:
    """A step run says which step and what it did; other runs say what the flow is for."""
    step_key = parameters.get("step_key")
    if flow_name == "land-to-start-step" and step_key:
        step = next((s for s in definition.steps if s.key == step_key), None)
        name = step.name if step else "环节"
        return f"{name}：{WORK_KINDS_ZH.get(parameters.get('kind', ''), '办理')}"
    return FLOW_NAMES_ZH.get(flow_name, "流程运行")


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _newest_first(run: CaseRun) -> tuple[bool, float]:
    return (run.at is not None, run.at.timestamp() if run.at else 0.0)


def _current_step_run(steps: list[Step]) -> str | None:
    """The run that opened the step now waiting on people (the newest such step)."""
    waiting = [s for s in steps if s.flow_run_id and s.status.value in ("running", "suspended")]
    return waiting[-1].flow_run_id if waiting else None


def _current_run(steps: list[Step], runs: list[CaseRun], application: Application) -> str | None:
    """The open step's run; else the newest run still going; else the newest run; else the case's own."""
    active = [r.id for r in runs if r.state_type in ACTIVE_TYPES]
    return _current_step_run(steps) or (active[0] if active else None) or (runs[0].id if runs else None) \
        or application.flow_run_id
