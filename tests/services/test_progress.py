"""办理进度报告: every case of the project with its steps, deadlines and lights; once per key and per week."""

from datetime import date

from sqlmodel import select, update

from services.cases import acceptance
from services.cases.steps import OPEN
from services.core.users import get_by_username
from services.models import Document, Step, StepStatus
from services.standard_land import service as standard_land
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from services.supervision import progress
from services.supervision import service as supervision
from tests.samples import SAMPLE


def _accepted(session, key):
    user = get_by_username(session, "enterprise")
    application = submit_application(session, user, StandardLandApplicationInput.model_validate(SAMPLE), key)[0]
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    return application


def test_on_demand_report_lists_the_steps_with_their_lights_once_per_key(session):
    application = _accepted(session, "progress-1")
    standard_land.evaluate(session, application.id)
    standard_land.open_review(session, application.id, "00000000-0000-0000-0000-000000000000")
    supervision.sweep(session)
    first = progress.issue_report(session, application, "progress-click-1")
    assert progress.issue_report(session, application, "progress-click-1").id == first.id  # a double click
    case = next(c for c in first.context["cases"] if c["case_no"] == application.case_no)
    steps = {s["name"]: s for s in case["steps"]}
    assert steps["受理"]["status"] == "已完成" and steps["受理"]["light"] == "none"
    review = steps["自然资源局审查"]
    assert review["light"] in ("green", "yellow") and review["remaining"].startswith("剩余")
    assert review["waiting_on"] == "自然资源局" and steps["出具预评估报告"]["next_action"] == "待前序环节完成后开始"
    assert sum(first.context["summary"].values()) >= 1
    assert [m["name"] for m in first.context["milestones"]] == ["计划开工", "计划竣工", "计划投产"]


def test_the_weekly_run_issues_one_report_per_project_and_week(session):
    application = _accepted(session, "progress-2")
    # the cases the stack's tests left open would each get a report too (seconds apiece): in this test's
    # transaction, rolled back at its end, they are closed, so the run has one project to report on
    session.exec(update(Step).where(Step.application_id != application.id, Step.status.in_(OPEN))
                 .values(status=StepStatus.cancelled))
    issued = progress.weekly_reports(session, date(2026, 11, 27))
    assert len(issued) == 1 and progress.weekly_reports(session, date(2026, 11, 28)) == issued  # same ISO week
    mine = session.exec(select(Document).where(Document.application_id == application.id,
                                               Document.kind == "progress_report")).all()
    assert len(mine) == 1 and mine[0].context["period"] == "2026年第48周"
