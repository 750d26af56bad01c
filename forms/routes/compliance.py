"""全周期监管 pages: the park's scheduled 对标验收 / 达产复核 / 整改复核 checks, and the credit record as CSV."""

import csv
import io

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from forms.deps import SessionDep, StaffUser
from forms.web import page
from services.core import clock
from services.standard_land import compliance
from services.standard_land.verification import may_verify

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
