"""Who a step waits on (等待谁): the one answer the decision page, the agent's workbench, the case
timeline and the progress report all show.

* a **department** (审批部门) while its human step is open and nothing is pending;
* the **enterprise** (申请企业 — or its 代办专员 acting for it) while the clock stands still for 补正,
  or on an applicant step;
* a **statutory** period (法定期限, 公示 …) — nobody acts, the calendar runs out;
* the **system** (系统) while an automatic step runs or a recorded action is being applied by the flow.

A planned step waits on its predecessors and a closed one on nobody: ``waiting_on`` answers None. This
module must not render: each page phrases the answer (``party_zh`` generic, ``who_zh`` named).
"""

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from services.models import Step, StepAction, StepStatus


class Party(StrEnum):
    department = "department"
    enterprise = "enterprise"
    statutory = "statutory"
    system = "system"


#: the generic words for each party (as the workbench column shows them)
PARTY_ZH = {Party.department: "审批部门", Party.enterprise: "企业", Party.statutory: "法定期限（公示等）",
            Party.system: "系统处理中"}


@dataclass(frozen=True)
class Waiting:
    """The party a step waits on; ``paused`` when its clock stands still (补正), ``pending`` when an
    action was recorded and the flow has not applied it yet."""

    party: Party
    department: str
    kind: str
    paused: bool = False
    pending: bool = False

    @property
    def party_zh(self) -> str:
        """Generic words: 审批部门 / 企业（补正） / 企业 / 法定期限（公示等） / 系统处理中."""
        return "企业（补正）" if self.paused and self.party == Party.enterprise else PARTY_ZH[self.party]

    @property
    def who_zh(self) -> str:
        """Named: the department's name / 申请企业（补正） / 申请企业 / 法定期间（公示等） / 系统自动办理|系统处理中."""
        if self.party == Party.department:
            return self.department
        if self.party == Party.enterprise:
            return "申请企业（补正）" if self.paused else "申请企业"
        if self.party == Party.statutory:
            return "法定期间（公示等）"
        return "系统自动办理" if self.kind == "automatic" else "系统处理中"


def has_pending_action(session: Session, step_id: int) -> bool:
    """An action recorded on the step that the flow has not applied yet."""
    stmt = select(StepAction.id).where(col(StepAction.step_id) == step_id, col(StepAction.applied_at).is_(None))
    return session.exec(stmt.limit(1)).first() is not None


def waiting_on(session: Session, step: Step) -> Waiting | None:
    """Who the step waits on now, or None (planned: its predecessors; closed: nobody)."""
    if step.status not in (StepStatus.running, StepStatus.suspended, StepStatus.blocked):
        return None
    department = step.department or ""
    if step.kind == "human" and step.status != StepStatus.blocked and step.id is not None \
            and has_pending_action(session, step.id):
        return Waiting(Party.system, department, step.kind, pending=True)
    if step.status == StepStatus.suspended:
        return Waiting(Party.enterprise, department, step.kind, paused=True)
    if step.status == StepStatus.blocked or step.kind == "applicant":  # blocked: the material is incomplete
        return Waiting(Party.enterprise, department, step.kind)
    if step.kind == "statutory":
        return Waiting(Party.statutory, department, step.kind)
    if step.kind == "human":
        return Waiting(Party.department, department, step.kind)
    return Waiting(Party.system, department, step.kind)
