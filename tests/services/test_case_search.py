"""Finding cases (``services.cases.search``) and the Excel 台账 (``services.cases.ledger``) on the real database:
words over case number, enterprise, USCC, project and parcel; filters; pages; what a person may not read stays
out; bad filters are named in Chinese; a workbook whose text never turns into a formula (LibreOffice on these
machines has Writer only, no Calc: the workbook is read back with openpyxl)."""

import uuid
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlmodel import select

from services.cases import ledger, search
from services.core import clock
from services.core.ids import stored_id
from services.models import Enterprise, Parcel, Project, Role, StepLight
from services.supervision import dashboard
from tests import factories


def _found(session, user, **values) -> list[int]:
    query, errors = search.parse({k: str(v) for k, v in values.items()})
    assert errors == {}, errors
    return [stored_id(a) for a in search.search(session, user, query).applications]


def test_words_find_a_case_by_number_enterprise_uscc_project_or_parcel(session):
    tag = uuid.uuid4().hex[:8]
    case = factories.accepted_case(session, project_name=f"查找测试{tag}")
    other = factories.accepted_case(session)
    supervisor = factories.demo_user(session, "supervisor")
    enterprise = session.get_one(Enterprise, case.enterprise_id)
    project = session.get_one(Project, case.project_id)
    parcel = session.get_one(Parcel, project.parcel_id)
    for words in (case.case_no, case.case_no.lower()[-6:], f"查找测试{tag}", tag.upper()):
        assert _found(session, supervisor, q=words) == [case.id], words
    for words in (enterprise.uscc, enterprise.name[:6], parcel.number):
        found = _found(session, supervisor, q=words)
        assert case.id in found and other.id in found, words  # both belong to that enterprise / parcel
    assert _found(session, supervisor, q="%") == []  # wildcards typed by a person are themselves
    assert _found(session, supervisor, q="_") == []


def test_filters_narrow_by_process_status_light_department_and_dates(session):
    case, step = factories.case_in_review(session)  # 自然资源局's review open
    supervisor = factories.demo_user(session, "supervisor")
    assert case.id in _found(session, supervisor, process="standard_land", status="accepted")
    assert case.id not in _found(session, supervisor, process="eia")
    assert case.id not in _found(session, supervisor, status="approved")
    assert case.id in _found(session, supervisor, department="自然资源局")
    assert case.id not in _found(session, supervisor, department="生态环境局")
    session.add(StepLight(step_id=step.id, application_id=case.id, department=step.department, light="red",
                          limit_working_days=5, computed_on=clock.today(), changed_on=clock.today()))
    session.flush()
    assert case.id in _found(session, supervisor, light="red")
    assert case.id not in _found(session, supervisor, light="yellow")
    today = clock.today()
    assert case.id in _found(session, supervisor, since=today.isoformat(), until=today.isoformat())
    assert case.id not in _found(session, supervisor, since=(today + timedelta(days=1)).isoformat())
    assert case.id not in _found(session, supervisor, until=(today - timedelta(days=1)).isoformat())


def test_a_search_finds_only_what_its_user_may_read_and_pages_through_the_rest(session):
    case = factories.accepted_case(session)
    for _ in range(2):  # at least three cases, so a page of two has a second page, whatever else the database holds
        factories.accepted_case(session)
    outsider = factories.other_enterprise_user(session)
    tax = factories.user(session, Role.reviewer, department="税务局")
    assert _found(session, outsider, q=case.case_no) == []
    assert _found(session, tax, q=case.case_no) == []
    supervisor = factories.demo_user(session, "supervisor")
    query, _ = search.parse({})
    first = search.search(session, supervisor, query, page_size=2)
    assert first.total >= 3 and first.pages == -(-first.total // 2) and len(first.applications) == 2
    second = search.search(session, supervisor, search.CaseQuery(page=2), page_size=2)
    assert not {a.id for a in first.applications} & {a.id for a in second.applications}
    beyond = search.search(session, supervisor, search.CaseQuery(page=99_999), page_size=2)
    assert beyond.page == first.pages  # a page past the end shows the last one


def test_bad_filters_are_named_in_chinese_and_left_out(session):
    query, errors = search.parse({"q": "绿色\x00通道", "process": "nonsense", "status": "done", "light": "blue",
                                  "since": "2026-13-01", "until": "昨天", "page": "-3"})
    assert set(errors) == {"q", "process", "status", "light", "since", "until"}
    assert "亮灯只能是" in errors["light"] and "年-月-日" in errors["since"] and "查询内容" in errors["q"]
    assert query == search.CaseQuery()  # nothing it could not read narrows the list
    _, errors = search.parse({"since": "2026-12-05", "until": "2026-12-01"})
    assert errors == {"until": "提交日期（止）不能早于提交日期（起）"}


def test_the_ledger_is_a_workbook_with_text_that_is_never_a_formula(session):
    case = factories.accepted_case(session, project_name="=HYPERLINK(\"http://evil.example\",\"点我\")")
    supervisor = factories.demo_user(session, "supervisor")
    query, _ = search.parse({"q": case.case_no})
    rows = dashboard.application_rows(session, search.search(session, supervisor, query).applications)
    enterprise = session.exec(select(Enterprise).where(Enterprise.id == case.enterprise_id)).one()
    body = ledger.applications_workbook(rows, {enterprise.id: enterprise.uscc}, query, 1, "督办管理员 李华",
                                        "2026-12-06 18:00")
    book = load_workbook(BytesIO(body))
    sheet = book["案件台账"]
    header, row = [c.value for c in sheet[1]], [c for c in sheet[2]]
    assert header[:4] == ["案件编号", "申请事项", "申请企业", "统一社会信用代码"]
    assert row[0].value == case.case_no and row[3].value == enterprise.uscc
    assert row[4].value.startswith("=HYPERLINK") and row[4].data_type == "s"  # stored as text, not a formula
    about = {r[0].value: r[1].value for r in book["查询条件"].iter_rows()}
    assert (about["查询内容"], about["符合条件的案件"], about["导出人"]) == (case.case_no, "1件", "督办管理员 李华")
