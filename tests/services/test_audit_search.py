"""Reading the audit trail: filters by actor, action prefix, case and dates; newest first, paged; the CSV
export opens in Excel (UTF-8 BOM), carries the case number, and never starts a cell with a formula."""

import csv
import io
import uuid
from datetime import timedelta

from services.core import audit, audit_search, clock
from services.core.audit_search import AuditQuery
from tests.factories import submitted_case


def _csv(session, query) -> list[list[str]]:
    text = "".join(audit_search.csv_lines(session, query))
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_trail_is_found_by_actor_action_case_and_dates(session):
    actor = f"auditor{uuid.uuid4().hex[:6]}"
    application = submitted_case(session)
    for i in range(3):
        audit.record(session, f"test.search.{i}", actor=None, actor_label=actor, entity="test", entity_id=i,
                     application_id=application.id if i else None, detail={"n": i})
    session.flush()
    rows, total = audit_search.search(session, AuditQuery(actor=actor))
    assert total == 3 and [r.action for r in rows] == ["test.search.2", "test.search.1", "test.search.0"]
    assert audit_search.search(session, AuditQuery(actor=actor, action="test.search.1"))[1] == 1
    assert audit_search.search(session, AuditQuery(actor=actor, case=application.case_no))[1] == 2
    assert audit_search.search(session, AuditQuery(actor=actor, case=str(application.id)))[1] == 2
    assert audit_search.search(session, AuditQuery(actor=actor, case="no-such-case"))[1] == 0
    today = clock.today()
    assert audit_search.search(session, AuditQuery(actor=actor, since=today, until=today))[1] == 3
    assert audit_search.search(session, AuditQuery(actor=actor, since=today + timedelta(days=1)))[1] == 0


def test_the_csv_carries_the_case_number_and_no_formula(session):
    actor = f"csv{uuid.uuid4().hex[:6]}"
    application = submitted_case(session)
    audit.record(session, "test.csv", actor=None, actor_label=actor, entity="test", entity_id="=HYPERLINK(1)",
                 application_id=application.id, detail={"note": "+1"})
    session.flush()
    header, row = _csv(session, AuditQuery(actor=actor))
    assert header == audit_search.CSV_HEADER
    assert row[1] == actor and row[3] == "test.csv" and row[4] == application.case_no
    assert row[6] == "'=HYPERLINK(1)", "a formula is written as text"
    assert row[7] == "note=+1"
