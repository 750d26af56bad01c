"""督办, closed loop, over the API on the running stack: the step's department replies in writing to a 督办通知, a
supervisor rejects (a new reply date) then accepts the next reply; the wrong callers, bad bodies, a second post
and two verdicts at once are refused with a Chinese message, and nothing is stored twice."""

import threading
from datetime import timedelta

from sqlmodel import select

from services.core import clock
from services.core.db import session_scope
from services.core.ids import stored_id
from services.models import EscalationReply
from tests import factories


def _notice() -> tuple[int, int]:
    with session_scope() as session:
        case, escalation = factories.escalated_case(session)
        return stored_id(escalation), stored_id(case)


def _replies(escalation_id: int) -> list[EscalationReply]:
    with session_scope() as session:
        rows = session.exec(select(EscalationReply).where(EscalationReply.escalation_id == escalation_id)
                            .order_by(EscalationReply.round)).all()
        session.expunge_all()
        return list(rows)


GOOD = {"reason": "规划条件需征求住建部门意见", "measures": "已召开联席会议", "promised_on": None}


def test_a_reply_rejected_then_a_second_accepted_closes_the_escalation(stack):
    escalation_id, case_id = _notice()
    good = GOOD | {"promised_on": (clock.today() + timedelta(days=5)).isoformat()}
    reviewer, supervisor = stack.token("reviewer"), stack.token("supervisor")
    url = f"/api/v1/escalations/{escalation_id}"
    with stack.client() as c:
        assert c.get(url, headers=reviewer).json()["state"] == "reply"
        refused = c.post(f"{url}/replies", json=good, headers=stack.token("enterprise"))
        assert refused.status_code == 403 and "审查人员" in refused.json()["detail"]
        assert c.post(f"{url}/replies", json=good, headers=stack.token("eia_reviewer")).status_code == 404

        bad = c.post(f"{url}/replies", headers=reviewer, json={"reason": "  ", "measures": "会议\u0000纪要",
                                                                "promised_on": "昨天"})
        assert bad.status_code == 422
        errors = bad.json()["errors"]
        assert errors["reason"] == "请填写理由" and "已采取的措施含有不可见的控制字符" in errors["measures"]
        assert errors["promised_on"] == "预计办结日期请填写有效日期，如2027-03-01"
        past = c.post(f"{url}/replies", headers=reviewer, json=good | {
            "promised_on": (clock.today() - timedelta(days=1)).isoformat()})
        assert past.status_code == 422 and past.json()["errors"] == {"promised_on": "预计办结日期不能早于今天"}
        assert _replies(escalation_id) == []

        first = c.post(f"{url}/replies", json=good, headers=reviewer)
        assert first.status_code == 201, first.text
        assert (first.json()["round"], first.json()["verdict"]) == (1, "pending")
        again = c.post(f"{url}/replies", json=good, headers=reviewer)  # a second click
        assert again.status_code == 409 and "正在审核" in again.json()["detail"]
        assert len(_replies(escalation_id)) == 1

        verdict = f"{url}/replies/{first.json()['id']}/verdict"
        assert c.post(verdict, json={"accept": True}, headers=reviewer).status_code == 403
        no_reason = c.post(verdict, json={"accept": False}, headers=supervisor)
        assert no_reason.status_code == 422 and "verdict_reason" in no_reason.json()["errors"]
        rejected = c.post(verdict, json={"accept": False, "reason": "未说明联席会议结论"}, headers=supervisor)
        assert rejected.status_code == 200 and rejected.json()["verdict"] == "rejected"
        assert c.post(verdict, json={"accept": True}, headers=supervisor).status_code == 409
        body = c.get(url, headers=reviewer).json()
        assert body["state"] == "reply" and body["reply_due_on"] > clock.today().isoformat()

        second = c.post(f"{url}/replies", json=good | {"measures": "联席会议已明确规划条件"}, headers=reviewer)
        assert second.status_code == 201 and second.json()["round"] == 2
    # two supervisors accept at the same moment: one verdict stored, the other told it was judged already
    answers: list[int] = []

    def accept() -> None:
        with stack.client() as c:
            answers.append(c.post(f"{url}/replies/{second.json()['id']}/verdict", json={"accept": True},
                                  headers=supervisor).status_code)
    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409]
    with stack.client() as c:
        body = c.get(url, headers=supervisor).json()
        assert body["state"] == "closed"
        assert [(r["round"], r["verdict"]) for r in body["replies"]] == [(1, "rejected"), (2, "accepted")]
        listed = c.get("/api/v1/escalations", headers=supervisor).json()
        assert next(e for e in listed if e["id"] == escalation_id)["state"] == "closed"
        assert c.post(f"{url}/replies", json=good, headers=reviewer).status_code == 409
        inbox = c.get("/api/v1/notifications", headers=reviewer).json()
        assert any(n["title"].startswith("【督办回复未接受】") and n["application_id"] == case_id for n in inbox)
