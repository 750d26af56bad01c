"""The inbox (消息): the signed-in user's notifications, newest first; marking them read.

Only the owner sees or marks a notification: anyone else's answers 404, as if it did not exist.
Posts commit before redirecting, so the page they redirect to already shows the new count.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from forms.deps import PageUser, SessionDep
from forms.params import Id
from forms.security import verify_csrf
from forms.web import page, posted_form
from services.supervision import notifications

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)


@router.get("/inbox")
def inbox_page(request: Request, session: SessionDep, user: PageUser):
    items = notifications.inbox(session, user)
    unread = notifications.unread_count(session, user)
    return page(request, "inbox.html", user=user, items=items, unread=unread, kinds=notifications.KIND_ZH)


@router.post("/inbox/read-all", dependencies=[Csrf])
def read_all(session: SessionDep, user: PageUser):
    notifications.mark_all_read(session, user)
    session.commit()  # before the redirect: the request's own commit comes after the response is sent
    return RedirectResponse("/inbox", status_code=303)


@router.post("/inbox/{notification_id}/read", dependencies=[Csrf])
def read_one(session: SessionDep, user: PageUser, notification_id: Id,
             values: Annotated[dict[str, str], Depends(posted_form)]):
    """Mark one read; with ``open=1`` (the 查看 button) go on to what it is about."""
    notification = notifications.mark_read(session, user, notification_id)
    if notification is None:
        raise HTTPException(status_code=404, detail="未找到该消息")
    session.commit()
    target = notification.link if values.get("open") and _is_local(notification.link) else "/inbox"
    return RedirectResponse(target, status_code=303)


def _is_local(link: str) -> bool:
    return link.startswith("/") and not link.startswith(("//", "/\\"))
