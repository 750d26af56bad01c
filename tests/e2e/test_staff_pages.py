"""What staff read on their pages without the Prefect UI: whose queue /reviews is, each run of a case in
Chinese and China time (the Prefect link opens the run the open step waits on), and which document a case
page promises while it has none. Real stack, real Prefect runs, real Chromium."""

import re
import uuid
from datetime import datetime

from playwright.sync_api import expect

from services.core.db import session_scope
from services.core.formatting import format_datetime_zh
from services.land_to_start import service as land_to_start
from tests.factories import demo_user, make_project, submitted_case
from tests.stack_api import flow_run, submit, waiting_for_decision
from tests.waiting import wait_for

PREFECT_WORDS = re.compile(r"\b(Completed|Suspended|Paused|Running|Scheduled|Failed|Crashed|Pending|UTC)\b")


def test_a_supervisor_s_queue_says_it_is_every_department_s_and_narrows_to_one(signed_in, stack, sample_application):
    waiting_for_decision(stack, submit(stack, dict(sample_application, project_name=f"队列测试{uuid.uuid4().hex[:4]}")))
    page = signed_in("supervisor")
    page.goto("/reviews")
    # a supervisor's own department (绿色通道服务中心) is not what the list holds
    expect(page.get_by_test_id("queue-scope")).to_have_text("全部部门")
    departments = set(page.locator("[data-testid=review-queue] td[data-label=环节] .muted").all_inner_texts())
    assert "自然资源局" in departments, departments
    page.select_option("[data-testid=department-filter] select", "自然资源局")
    page.click("[data-testid=department-filter] button")
    expect(page.get_by_test_id("queue-scope")).to_have_text("自然资源局")
    shown = set(page.locator("[data-testid=review-queue] td[data-label=环节] .muted").all_inner_texts())
    assert shown == {"自然资源局"}, shown

    reviewer = signed_in("eia_reviewer")  # a reviewer's queue is their department's, named as such
    reviewer.goto("/reviews?department=自然资源局")
    expect(reviewer.get_by_test_id("queue-scope")).to_have_text("生态环境局")
    expect(reviewer.get_by_test_id("department-filter")).to_have_count(0)
    assert "自然资源局" not in reviewer.locator("main").inner_text()


def test_the_case_page_shows_each_run_in_chinese_and_links_the_run_of_the_waiting_step(signed_in, stack,
                                                                                     sample_application):
    application_id = submit(stack, dict(sample_application, project_name=f"运行状态测试{uuid.uuid4().hex[:4]}"))
    body = waiting_for_decision(stack, application_id)
    review_run = {s["key"]: s for s in body["steps"]}["land_review"]["flow_run_id"]
    assert review_run and review_run != body["flow_run_id"]
    # the intake run records its own end a moment after the segment it started (under load, seconds): the page
    # shows Prefect's state as it is, so wait for Prefect to say it before reading the page
    wait_for(lambda: flow_run(stack, body["flow_run_id"])["state"]["type"] == "COMPLETED", 120,
             "the intake run to be recorded as completed")

    page = signed_in("reviewer")
    page.goto(f"/applications/{application_id}")
    runs = page.get_by_test_id("runs-table")
    intake = runs.locator(f"tr[data-run='{body['flow_run_id']}']")
    expect(intake.locator("td").first).to_have_text("受理（材料审查）")
    expect(intake.locator("td[data-label=状态]")).to_have_text("已完成")
    review = runs.locator(f"tr[data-run='{review_run}']")
    expect(review.locator("td").first).to_contain_text("审查")
    expect(review.locator("td").first).to_contain_text("当前")
    expect(review.locator("td[data-label=状态]")).to_have_text("已完成")  # the segment ended: nothing held
    # the start in China time, as Prefect recorded it (in UTC)
    started = datetime.fromisoformat(flow_run(stack, review_run)["start_time"])
    expect(review.locator("td[data-label=开始]")).to_have_text(format_datetime_zh(started))
    expect(page.get_by_test_id("current-run")).to_have_text("审查：已完成，等待人工处理")
    # the operators' link opens the review segment that opened the waiting step, not the intake run
    expect(page.get_by_test_id("prefect-link")).to_have_attribute("href", re.compile(f"/runs/flow-run/{review_run}$"))
    words = PREFECT_WORDS.findall(page.get_by_test_id("case-runs").inner_text())
    assert not words, f"Prefect's English on the case page: {words}"

    enterprise = signed_in("enterprise")  # the enterprise is not shown the engine's runs
    enterprise.goto(f"/applications/{application_id}")
    expect(enterprise.get_by_test_id("case-runs")).to_have_count(0)


def test_a_case_page_promises_the_first_document_its_process_issues(signed_in, stack, sample_application):
    with session_scope() as session:  # a 拿地即开工 case not yet handed to its flow: no document yet
        project_id = make_project(session).id
        data = land_to_start.LandToStartInput.model_validate(
            {"project_id": project_id, "project_code": "2611-441900-04-01-135790", "building_area_m2": "28000",
             "design_unit": "广东省建筑设计研究院", "contractor": "中建三局第一建设工程有限责任公司",
             "supervisor_unit": "广州建设工程监理有限公司", "funds_committed": True, "risk_signed_by": "陈立新",
             "risk_agreed": True})
        case, _ = land_to_start.submit(session, demo_user(session, "enterprise"), data, f"staff-{uuid.uuid4()}")
        case_id = case.id
    page = signed_in("enterprise")
    page.goto(f"/applications/{case_id}")
    promise = page.get_by_test_id("no-documents")
    expect(promise).to_contain_text("《拿地前预审风险承诺书》")
    expect(promise).not_to_contain_text("受理通知书")  # 拿地即开工 never issues one

    with session_scope() as session:  # a 标准地 case still promises its 受理通知书
        standard_id = submitted_case(session).id
    page.goto(f"/applications/{standard_id}")
    expect(page.get_by_test_id("no-documents")).to_contain_text("《受理通知书》")
