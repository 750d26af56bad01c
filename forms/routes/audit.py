"""审计记录: the audit trail for supervisors and administrators — across cases or for one case, by who, what
and when — and its CSV export with the same filters. Reading only: nobody edits the trail."""

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from forms.deps import PageUser, SessionDep, permit
from forms.web import page
from services.core import audit_search
from services.core.access import Action, Resource
from services.core.audit_search import AuditQuery
from services.models import User

router = APIRouter(include_in_schema=False)


def auditor(user: PageUser) -> User:
    """Supervisors (督办管理员) and system administrators read the trail."""
    permit(user, Resource.audit, Action.read, "仅限督办管理员和系统管理员查看审计记录")
    return user


Auditor = Annotated[User, Depends(auditor)]


def _query(actor: str, action: str, case: str, since: str, until: str) -> tuple[AuditQuery, dict[str, str]]:
    """The filters as typed; a date that is not one is named (and ignored) rather than refused with a 422."""
    errors, dates = {}, {}
    for name, value, label in (("since", since, "起始日期"), ("until", until, "截止日期")):
        try:
            dates[name] = date.fromisoformat(value) if value else None
        except ValueError:
            errors[name] = f"{label}请填写有效日期，如2026-12-01"
            dates[name] = None
    return AuditQuery(actor[:64], action[:64], case[:64], dates["since"], dates["until"]), errors


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, user: Auditor, actor: str = "", action: str = "",
               case: str = "", since: str = "", until: str = "", page_no: str = "1"):
    query, errors = _query(actor, action, case, since, until)
    number = int(page_no) if page_no.isdigit() else 1
    rows, total = audit_search.search(session, query, number)
    pages = max(1, -(-total // audit_search.PAGE_SIZE))
    filters = {"actor": actor[:64], "action": action[:64], "case": case[:64], "since": since[:10],
               "until": until[:10]}
    return page(request, "audit.html", user=user, rows=rows, total=total, page_no=min(number, pages), pages=pages,
                filters=filters, errors=errors, query_string=urlencode(filters))


@router.get("/audit.csv")
def audit_csv(session: SessionDep, user: Auditor, actor: str = "", action: str = "", case: str = "",
              since: str = "", until: str = ""):
    query, _ = _query(actor, action, case, since, until)
    lines = list(audit_search.csv_lines(session, query))  # read inside the request's transaction
    return StreamingResponse(iter(lines), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": "attachment; filename=\"audit.csv\"; "
                                                             "filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E8%AE%B0%E5%BD%95.csv"})
