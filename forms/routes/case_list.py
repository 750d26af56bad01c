"""申请总览 / 我的申请: finding cases (words, filters, pages) and the same list as an Excel 台账."""

from datetime import date
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import col, select

from forms.deps import PageUser, SessionDep
from forms.web import page
from services.cases import ledger, search
from services.core import audit, clock
from services.core.ids import stored_id
from services.models import Enterprise
from services.supervision import dashboard

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/applications")
def applications(request: Request, session: SessionDep, user: PageUser):
    query, errors = search.parse(request.query_params)
    found = search.search(session, user, query)
    return page(request, "applications.html", status_code=422 if errors else 200, user=user,
                rows=dashboard.application_rows(session, found.applications), found=found, query=query,
                params=query.as_params(), page_query=lambda n: urlencode(query.as_params() | {"page": n}),
                errors=errors, processes=search.PROCESSES, statuses=search.STATUSES, lights=search.LIGHTS,
                departments=dashboard.review_departments(session) if user.role.is_staff else [])


@router.get("/applications.xlsx")
def applications_export(request: Request, session: SessionDep, user: PageUser):
    """The filtered list as an Excel workbook (up to ``ledger.MAX_ROWS`` rows, newest first); audited."""
    query, errors = search.parse(request.query_params)
    if errors:
        raise HTTPException(status_code=422, detail="；".join(errors.values()))
    stmt = search.matching(user, query)
    total = search.count(session, stmt)
    rows = dashboard.application_rows(session, session.exec(stmt.limit(ledger.MAX_ROWS)).all())
    usccs = {stored_id(e): e.uscc for e in session.exec(select(Enterprise).where(
        col(Enterprise.id).in_({r.application.enterprise_id for r in rows})))} if rows else {}
    now = clock.now()
    body = ledger.applications_workbook(rows, usccs, query, total, user.display_name,
                                        now.strftime("%Y-%m-%d %H:%M"))
    audit.record(session, "applications.exported", actor=user, entity="application", entity_id="ledger",
                 detail={"filters": query.as_params(), "rows": len(rows), "total": total})
    session.commit()
    filename = f"案件台账-{date.isoformat(now.date())}.xlsx"
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=utf-8''{quote(filename)}", "Cache-Control": "no-store"})
