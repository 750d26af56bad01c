"""The integrators' read API on the running stack: projects with their cases, mandates, lights, 督办 and one's own
messages — each as the caller may see it, with ``X-Total-Count``; another enterprise's project is a 404."""

import uuid
from datetime import timedelta

from services.agency import service as agency
from services.core import clock
from services.core.db import session_scope
from services.models import Escalation, Notification, StepLight
from services.supervision import notifications
from tests import factories


def test_projects_mandates_lights_escalations_and_messages_as_each_caller_sees_them(stack):
    tag = uuid.uuid4().hex[:6]
    with session_scope() as session:
        case, step = factories.case_in_review(session, project_name=f"接口项目{tag}")
        step.due_on = clock.today() - timedelta(days=7)  # red and escalated, as the sweep would leave it
        session.add(step)
        session.add(StepLight(step_id=step.id, application_id=case.id, department=step.department, light="red",
                              remaining_working_days=-2, limit_working_days=5, computed_on=clock.today(),
                              changed_on=clock.today()))
        session.add(Escalation(step_id=step.id, application_id=case.id, level=1, issued_on=clock.today(),
                               issued_at=clock.now()))
        mandate, _ = agency.sign(session, factories.demo_user(session, "enterprise"), agency.MandateInput(
            project_id=case.project_id, item_codes=["DB02"], valid_from=clock.today(),
            valid_until=clock.today() + timedelta(days=200), signed_by_name="林晓", agree=True), f"api-{tag}")
        outsider = factories.other_enterprise_user(session)
        notifications.notify(session, [factories.demo_user(session, "enterprise")], kind="deadline_moved",
                             title=f"接口消息{tag}", body="办结期限调整", dedupe_key=f"api-{tag}")
        case_id, project_id, step_id, outsider_name = case.id, case.project_id, step.id, outsider.username
        mandate_id, step_key = mandate.id, step.key
    enterprise, supervisor, reviewer = (stack.token(u) for u in ("enterprise", "supervisor", "eia_reviewer"))
    with stack.client() as c:
        projects = c.get("/api/v1/projects", headers=enterprise)
        assert projects.status_code == 200 and int(projects.headers["X-Total-Count"]) >= 1
        mine = next(p for p in projects.json() if p["id"] == project_id)
        assert mine["name"] == f"接口项目{tag}" and [ref["id"] for ref in mine["cases"]] == [case_id]
        # 一窗: the project's code and label, each case's next step with its light and its documents, its mandates
        assert mine["code"] == f"XM-{project_id:06d}" and mine["label"].startswith(f"接口项目{tag}（")
        item = mine["cases"][0]
        assert item["next_step"]["id"] == step_id and item["next_step"]["key"] == step_key
        assert item["next_step"]["light"] == "red"
        notice = next(d for d in item["documents"] if d["kind"] == "acceptance_notice")
        assert c.get(notice["pdf_url"], headers=enterprise).content[:5] == b"%PDF-"
        assert [m["id"] for m in mine["mandates"]] == [mandate_id]
        supervised = c.get(f"/api/v1/projects/{project_id}", headers=supervisor).json()
        assert [m["id"] for m in supervised["mandates"]] == [mandate_id] and supervised["cases"][0]["documents"]
        assert c.get(f"/api/v1/applications/{case_id}", headers=enterprise).json()["project_id"] == project_id
        assert c.get(f"/api/v1/projects/{project_id}", headers=stack.token(outsider_name, factories.PASSWORD)
                     ).status_code == 404
        assert c.get(f"/api/v1/projects/{project_id}", headers=reviewer).status_code == 404  # not 生态环境局's

        red = c.get("/api/v1/lights", params={"light": "red"}, headers=supervisor).json()
        assert any(row["step_id"] == step_id and row["light"] == "red" for row in red)
        assert all(row["step_id"] != step_id for row in c.get("/api/v1/lights", headers=reviewer).json())
        escalations = c.get("/api/v1/escalations", headers=enterprise).json()
        assert any(e["step_id"] == step_id and e["level"] == 1 for e in escalations)

        inbox = c.get("/api/v1/notifications", params={"unread": "true"}, headers=enterprise).json()
        message = next(n for n in inbox if n["title"] == f"接口消息{tag}")
        assert c.post(f"/api/v1/notifications/{message['id']}/read", headers=enterprise).status_code == 204
        assert all(n["id"] != message["id"] for n in c.get("/api/v1/notifications", params={"unread": "true"},
                                                            headers=enterprise).json())
        assert c.post(f"/api/v1/notifications/{message['id']}/read", headers=supervisor).status_code == 404
        assert c.get("/api/v1/mandates", headers=reviewer).status_code == 403  # reviewers read no mandates
    with session_scope() as session:
        assert session.get(Notification, message["id"]).read_at is not None
