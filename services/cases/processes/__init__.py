"""Process definitions as versioned data (流程定义): one TOML file per process and version.

The dashboard, the SLA engine, the flows and the documents all read these definitions, so the
steps of a process are listed exactly once. An application keeps the version it started with.
"""

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, model_validator

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
StepKind = Literal["applicant", "automatic", "human", "statutory"]
SlaUnit = Literal["working_day", "calendar_day"]
DueRule = Literal["after", "quarterly_sample"]


class StepDefinition(BaseModel):
    key: str
    name: str
    kind: StepKind
    department: str
    sla_working_days: int  # the limit, counted in ``sla_unit`` (the name predates calendar-day steps)
    sla_unit: SlaUnit = "working_day"
    due_rule: DueRule = "after"  # quarterly_sample: due by the end of the first month of the next quarter
    depends_on: list[str] = []
    runs: bool = False
    issues: list[str] = []  # codes of the document kinds the step issues (services.documents.registry)
    in_committed_limit: bool = True  # false for steps after the decision (e.g. 事中事后核查)
    actions: list[str] = ["approve", "reject", "request_supplement"]  # what people may do on a human step
    action_labels: dict[str, str] = {}  # the step's own wording of an action, e.g. approve = 确认由本企业竞得
    # 法定时限: the limit the law sets (the committed limit above, 承诺时限, is usually shorter); lights follow the
    # committed limit, the statutory one is shown beside it and marked once passed. None: no statutory limit.
    statutory_days: int | None = None
    statutory_unit: SlaUnit = "working_day"
    statutory_basis: str = ""  # the provision, e.g. 《中华人民共和国行政许可法》第四十二条

    @model_validator(mode="after")
    def _statutory_has_a_basis(self) -> "StepDefinition":
        if self.statutory_days is not None and not self.statutory_basis:
            raise ValueError(f"step {self.key!r}: a statutory limit names its legal basis (statutory_basis)")
        return self

    @property
    def statutory_zh(self) -> str:
        """The statutory limit as printed, e.g. 20个工作日 or 30日; empty without one."""
        if self.statutory_days is None:
            return ""
        return f"{self.statutory_days}日" if self.statutory_unit == "calendar_day" else f"{self.statutory_days}个工作日"


class ProcessDefinition(BaseModel):
    key: str
    version: int
    name: str
    document_title: str
    steps: list[StepDefinition]

    @model_validator(mode="after")
    def _check_graph(self) -> "ProcessDefinition":
        seen: set[str] = set()
        for step in self.steps:  # listed in an order where predecessors come first
            missing = [d for d in step.depends_on if d not in seen]
            if step.key in seen or missing:
                raise ValueError(f"{self.key} v{self.version}: step {step.key!r} duplicate or depends on "
                                 f"unknown/later steps {missing}")
            seen.add(step.key)
        return self

    def step(self, key: str) -> StepDefinition:
        return next(s for s in self.steps if s.key == key)

    def issued_by(self, key: str) -> list[str]:
        """The document kinds step ``key`` issues, as listed in the definition (the one place that says so)."""
        return list(self.step(key).issues)

    def issuing_steps(self) -> list[tuple[str, str]]:
        """``(step key, document kind)`` for every document the process issues, in step order."""
        return [(step.key, kind) for step in self.steps for kind in step.issues]

    def working_days_after(self, key: str) -> int:
        """Working days on the longest dependency path from the end of step ``key`` to the end."""
        finish: dict[str, int] = {}
        for s in self.steps:
            if s.key == key:
                finish[s.key] = 0
                continue
            before = [finish[d] for d in s.depends_on if d in finish]
            if before:
                finish[s.key] = max(before) + s.sla_working_days
        return max(finish.values(), default=0)


@lru_cache
def get_definition(key: str, version: int | None = None) -> ProcessDefinition:
    """Load a definition; without a version, the newest one."""
    if version is None:
        files = sorted(DEFINITIONS_DIR.glob(f"{key}.v*.toml"), key=lambda p: int(p.stem.rsplit(".v", 1)[1]))
        if not files:
            raise KeyError(key)
        path = files[-1]
    else:
        path = DEFINITIONS_DIR / f"{key}.v{version}.toml"
    return ProcessDefinition.model_validate(tomllib.loads(path.read_text()))


def known_process_keys() -> set[str]:
    """The process keys with at least one definition file (what a 代办 catalogue item may cover)."""
    return {path.stem.rsplit(".v", 1)[0] for path in DEFINITIONS_DIR.glob("*.v*.toml")}


@lru_cache
def handled_by(department: str) -> tuple[str, ...]:
    """Every ``Step.department`` a department's steps carry in any version of any process: its own name and the
    joint steps that name it among others ("自然资源局、住房和城乡建设局"). Steps take their department from the
    definitions, so this list is exact, and a query can match it with an index instead of a text pattern."""
    names = {department}
    for path in DEFINITIONS_DIR.glob("*.v*.toml"):
        key, version = path.stem.rsplit(".v", 1)
        names |= {step.department for step in get_definition(key, int(version)).steps
                  if department in step.department.split("、")}
    return tuple(sorted(names))
