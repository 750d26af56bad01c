"""Two reviewers deciding the same step at the same moment: exactly one decision is recorded.

Each round opens a fresh 自然资源局 review (committed, so every thread sees it), lets three threads —
each with its own database session, as three requests would — record a decision at once, and counts
the rows. The check between "is anything pending?" and numbering the action is slowed down, which is
where two transactions used to slip past each other (the bug reproduced once in 32 PostgreSQL races).
Each round's case is closed afterwards (the decision applied), so it leaves every queue.
"""

import threading
import time

import pytest
from sqlmodel import Session, select

from services.cases import human_actions
from services.core.db import get_engine, session_scope
from services.core.users import get_by_username
from services.models import ActionKind, AuditEvent, Step, StepAction
from services.standard_land import service as standard_land
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.samples import SAMPLE

ROUNDS = 30
RACERS = ("reviewer", "supervisor", "reviewer")


def _open_review(round_no: int) -> int:
    """A new case whose review waits on the department, committed; its step's id."""
    with session_scope() as session:
        data = StandardLandApplicationInput.model_validate(dict(SAMPLE, project_name=f"并发审查测试项目{round_no}"))
        application, _ = submit_application(session, get_by_username(session, "enterprise"), data,
                                            f"race-{time.time_ns()}-{round_no}")
        step = standard_land.open_review(session, application.id, "race-test")
        return step.id


def _decide(step_id: int, username: str, start: threading.Barrier, outcomes: list) -> None:
    """One request: its own session, records a rejection and commits (or is refused and rolls back)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        user, step = get_by_username(session, username), session.get(Step, step_id)
        start.wait()
        try:
            action = human_actions.record_action(session, user, step, ActionKind.reject, reasons="不符合地块控制指标")
            session.commit()
            outcomes.append(("recorded", action.id))
        except human_actions.ActionError as error:
            session.rollback()
            outcomes.append(("refused", error))
        except Exception as error:  # a database error would be a 500 for the request
            session.rollback()
            outcomes.append(("failed", error))


@pytest.fixture
def slow_checks(monkeypatch):
    """Widen the window between the pending check and the numbering (where the race lived)."""
    check = human_actions._check_decision

    def slowly(*args, **kwargs):
        time.sleep(0.05)
        return check(*args, **kwargs)

    monkeypatch.setattr(human_actions, "_check_decision", slowly)


def test_of_simultaneous_decisions_on_one_step_exactly_one_is_recorded(migrated, slow_checks):
    for round_no in range(ROUNDS):
        step_id = _open_review(round_no)
        start, outcomes = threading.Barrier(len(RACERS)), []
        threads = [threading.Thread(target=_decide, args=(step_id, name, start, outcomes)) for name in RACERS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with session_scope() as session:
            actions = session.exec(select(StepAction).where(StepAction.step_id == step_id)).all()
            ids = [str(action.id) for action in actions]
            audited = session.exec(select(AuditEvent).where(AuditEvent.action == "step.action.reject",
                                                            AuditEvent.entity_id.in_(ids))).all()
            assert [kind for kind, _ in outcomes].count("failed") == 0, f"round {round_no}: {outcomes}"
            assert len(actions) == 1 and len(audited) == 1, f"round {round_no}: {len(actions)} actions recorded"
            refused = [error for kind, error in outcomes if kind == "refused"]
            assert len(refused) == len(RACERS) - 1
            assert all(error.status == 409 and error.field == "kind" and "刚刚已有" in error.message
                       for error in refused), [error.message for error in refused]
            standard_land.apply_review_action(session, actions[0].id)  # close the case: out of every queue
            assert session.get(Step, step_id).outcome["decision"] == "reject"
