"""材料库 (一次提交、多次复用): an enterprise's uploaded files across its projects, with type, date and hash.

No business rules here: ``services.cases.materials`` reads them; handing one in again is on the case page.
"""

from fastapi import APIRouter, Request

from forms.deps import PageUser, SessionDep
from forms.web import page
from services.cases import materials

router = APIRouter(include_in_schema=False)


@router.get("/materials")
def material_library(request: Request, session: SessionDep, user: PageUser):
    """The signed-in enterprise's own files (staff and agents have no library of their own: the page says so)."""
    found = materials.library(session, user.enterprise_id) if user.enterprise_id else []
    return page(request, "materials.html", user=user, materials=found)
