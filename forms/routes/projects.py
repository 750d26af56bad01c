"""一窗: a project's page with every item across processes, and the list of projects a person may read.

No business rules here: ``services.cases.project_window`` reads, with the visibility rules.
"""

from fastapi import APIRouter, HTTPException, Request

from forms.deps import PageUser, SessionDep, permit
from forms.params import Id
from forms.web import page
from services.cases import project_window
from services.core.access import Action, Resource
from services.standard_land.catalogue import plain

router = APIRouter(include_in_schema=False)
REFUSED = "项目由申请企业、受托的代办专员、相关部门和督办管理员查看。"


@router.get("/projects")
def project_list(request: Request, session: SessionDep, user: PageUser):
    permit(user, Resource.application, Action.read, REFUSED)
    return page(request, "projects.html", user=user, projects=project_window.readable_projects(session, user))


@router.get("/projects/{project_id}")
def project_page(request: Request, session: SessionDep, user: PageUser, project_id: Id):
    permit(user, Resource.application, Action.read, REFUSED)
    window = project_window.project_window(session, user, project_id)
    if window is None:
        raise HTTPException(status_code=404, detail="未找到该项目，或您无权查看")
    return page(request, "project.html", user=user, window=window, plain=plain)
