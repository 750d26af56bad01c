"""全周期监管 pages: the park's scheduled 对标验收 / 达产复核 / 整改复核 checks, the credit record as CSV, and the
yearly 亩均效益综合评价 (returns imported from CSV, enterprises ranked and classed A/B/C/D)."""

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from forms.deps import SessionDep, StaffUser
from forms.security import verify_csrf
from forms.web import page
from services.core import clock
from services.standard_land import compliance, mu_evaluation
from services.standard_land.verification import may_verify

MAX_IMPORT_BYTES = 2 * 1024 * 1024
Year = Annotated[int, Query(ge=2000, le=2100, description="年度")]

router = APIRouter(include_in_schema=False)


def _supervisor(user) -> None:
    if not may_verify(user):
        raise HTTPException(status_code=403, detail="只有园区管委会（监管方）工作人员可以查看履约核验计划")


@router.get("/compliance")
def checks_page(request: Request, session: SessionDep, user: StaffUser):
    _supervisor(user)
    today = clock.today()
    rows = [(check, application, project, compliance.light_of(check, today))
            for check, application, project in compliance.open_checks(session)]
    return page(request, "compliance.html", user=user, rows=rows, kind_zh=compliance.KIND_ZH,
                soon_days=compliance.DUE_SOON_DAYS)


@router.get("/compliance/credit.csv")
def credit_csv(session: SessionDep, user: StaffUser):
    """信用记录 export: UTF-8 with a byte-order mark, so that Excel opens the Chinese columns correctly."""
    _supervisor(user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(compliance.CREDIT_COLUMNS)
    writer.writerows(entry.row() for entry in compliance.credit_record(session, clock.today()))
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="credit-record.csv"'})


@router.get("/compliance/ranking")
def ranking_page(request: Request, session: SessionDep, user: StaffUser, year: Year | None = None,
                 imported: Annotated[str, Query(max_length=24)] = ""):
    _supervisor(user)
    return _ranking_page(request, session, user, year, imported=imported)


@router.post("/compliance/ranking/import", dependencies=[Depends(verify_csrf)])
def import_returns(request: Request, session: SessionDep, user: StaffUser,
                   file: Annotated[UploadFile | None, File()] = None):
    """亩均年度数据 from a CSV: all rows or none; the same enterprise and year again updates its figures."""
    _supervisor(user)
    if file is None or not file.filename:
        return _ranking_page(request, session, user, None, problems=["请选择要上传的CSV文件"], status_code=400)
    content = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        return _ranking_page(request, session, user, None, problems=["文件超过2 MB，请分批导入"], status_code=400)
    try:
        result = mu_evaluation.import_returns(session, user, content)
    except mu_evaluation.ReturnsError as error:
        session.rollback()
        return _ranking_page(request, session, user, None, problems=error.problems, status_code=422)
    session.commit()
    return RedirectResponse(f"/compliance/ranking?year={result.years[-1]}&imported={result.created}-{result.updated}",
                            status_code=303)


@router.get("/compliance/ranking/{year}.csv")
def ranking_csv(session: SessionDep, user: StaffUser, year: Annotated[int, Path(ge=2000, le=2100)]):
    _supervisor(user)
    body = mu_evaluation.ranking_csv(mu_evaluation.ranking_for(session, year))
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="mu-ranking-{year}.csv"'})


def _ranking_page(request, session, user, year, *, imported: str = "", problems: list[str] | None = None,
                  status_code: int = 200):
    years = mu_evaluation.years(session)
    chosen = year if year in years else (years[0] if years else None)
    counts = imported.split("-") if imported.count("-") == 1 and imported.replace("-", "").isdigit() else None
    return page(request, "compliance_ranking.html", status_code=status_code, user=user, years=years, year=chosen,
                ranking=mu_evaluation.ranking_for(session, chosen) if chosen else None,
                method=mu_evaluation.load_method(), columns=list(mu_evaluation.COLUMNS), problems=problems or [],
                imported=counts)
