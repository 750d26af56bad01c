"""部门月度通报 (``services.supervision.bulletin``) on the real database: the month's counts of a department's
steps — finished on time, finished late, still overdue at the month's end, 督办 issued — a joint step counted
for each of its departments, the bulletin issued once as PDF + DOCX with those figures, and who may open it."""

from datetime import date, datetime

from services.core import file_store, visibility
from services.models import Escalation, EscalationReply, Role, Step
from services.supervision import bulletin
from tests import factories
from tests.document_files import pdf_text, squash

NOVEMBER = date(2025, 11, 1)  # a month no other test's steps fall in (they are dated when the tests run)


def _step(session, department: str, due: date, finished: datetime | None, started: datetime) -> Step:
    _, step = factories.case_in_review(session)
    row = session.get_one(Step, step.id)
    row.department, row.due_on, row.started_at, row.finished_at = department, due, started, finished
    row.status = "completed" if finished else "running"
    session.add(row)
    session.flush()
    return row


def test_a_month_counts_on_time_late_overdue_and_escalations_of_the_department_only(session, tmp_path):
    department = "住房和城乡建设局"
    start = datetime(2025, 10, 20, 9)
    _step(session, department, date(2025, 11, 10), datetime(2025, 11, 10, 17), start)  # on the deadline day
    _step(session, department, date(2025, 11, 10), datetime(2025, 11, 5, 10), start)  # early
    late = _step(session, department, date(2025, 11, 10), datetime(2025, 11, 13, 11), start)  # 3 days late
    stuck = _step(session, department, date(2025, 11, 20), None, start)  # still open
    _step(session, department, date(2025, 12, 20), None, start)  # not due yet: not overdue
    _step(session, department, date(2025, 10, 10), datetime(2025, 10, 12, 9), start)  # another month
    _step(session, f"自然资源局、{department}", date(2025, 11, 25), datetime(2025, 11, 24, 9), start)  # joint, on time
    _step(session, "税务局", date(2025, 11, 10), datetime(2025, 11, 30, 9), start)  # another department
    november = Escalation(step_id=stuck.id, application_id=stuck.application_id, level=1,
                          issued_on=date(2025, 11, 23), issued_at=datetime(2025, 11, 23, 9),
                          reply_due_on=date(2025, 11, 26), reply_overdue_for=date(2025, 11, 26))  # not answered
    october = Escalation(step_id=late.id, application_id=late.application_id, level=1, issued_on=date(2025, 10, 31),
                         issued_at=datetime(2025, 10, 31, 9), reply_due_on=date(2025, 11, 5))  # October's
    session.add_all([november, october])
    session.flush()
    reviewer = factories.user(session, Role.reviewer, department=department)
    for escalation, filed in ((october, datetime(2025, 11, 4, 15)), (november, datetime(2025, 12, 1, 9))):
        session.add(EscalationReply(escalation_id=escalation.id, application_id=escalation.application_id, round=1,
                                    department=department, reason="原因", measures="措施", promised_on=filed.date(),
                                    filed_by_id=reviewer.id, filed_at=filed))  # one in November, one in December
    session.flush()

    counted = bulletin.figures(session, department, NOVEMBER)
    assert (counted.handled, counted.on_time, counted.late_done, counted.overdue_open, counted.escalations) == \
        (4, 3, 1, 1, 1)
    assert (counted.replies_filed, counted.replies_overdue) == (1, 1)
    assert counted.on_time_rate == "75.0%" and counted.last_day == date(2025, 11, 30)
    assert [(i.due_on, i.finished_on) for i in counted.late_items] == [
        (date(2025, 11, 10), date(2025, 11, 13)), (date(2025, 11, 20), None)]

    document = bulletin.issue(session, department, NOVEMBER)
    assert bulletin.issue(session, department, NOVEMBER).id == document.id  # once per department and month
    assert document.application_id is None and document.mandate_id is None and document.number.startswith("东莞绿通通")
    pdf = tmp_path / "bulletin.pdf"
    pdf.write_bytes(file_store.store(session, "documents").get(document.pdf_path))
    text = squash(pdf_text(pdf))
    for expected in ("部门办理情况月度通报", f"{department}办结绿色通道审批事项4件", "超时办结1件", "按时办结率75.0%",
                     "逾期未办结1件", "本月收到督办1次", "书面回复督办1次", "逾期未回复1次", "至月末未办结"):
        assert expected in text, expected

    supervisor = factories.demo_user(session, "supervisor")
    assert visibility.get_readable_document(session, supervisor, document.id) is not None
    assert visibility.get_readable_document(session, reviewer, document.id) is None
    assert document.id in {d.id for d in bulletin.recent(session)}


def test_months_are_read_from_year_dash_month_and_departments_from_the_processes():
    assert bulletin.month_of(" 2025-11 ") == NOVEMBER
    for wrong in ("2026-13", "11/2026", "", "2026"):
        try:
            bulletin.month_of(wrong)
        except ValueError as error:
            assert "年-月" in str(error)
        else:
            raise AssertionError(f"{wrong!r} was read as a month")
    assert bulletin.last_month(date(2026, 1, 15)) == date(2025, 12, 1)
    names = bulletin.departments()
    assert {"自然资源局", "生态环境局", "住房和城乡建设局"} <= set(names) and not any("、" in n for n in names)
