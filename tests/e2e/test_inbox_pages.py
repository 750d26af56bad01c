"""消息 (inbox) in the browser: notifications written by the services show up for the signed-in user,
with the unread count in the header; opening one or marking all read clears it. Real stack, real
Chromium; the test process writes to the same database the stack reads."""

import re
import uuid

from playwright.sync_api import expect

from services.core.db import session_scope
from services.core.users import get_by_username
from services.supervision import notifications


def _notify(username: str, title: str, body: str, link: str = "") -> int:
    with session_scope() as session:
        user = get_by_username(session, username)
        [created] = notifications.notify(session, [user], kind="light_yellow", title=title, body=body, link=link,
                                         dedupe_key=f"e2e-{uuid.uuid4().hex}")
        return created.id


def _clear(username: str) -> None:
    with session_scope() as session:
        notifications.mark_all_read(session, get_by_username(session, username))


def test_inbox_shows_unread_and_marks_read(enterprise_page, new_page, shots):
    page = enterprise_page
    _clear("enterprise")
    page.reload()
    expect(page.get_by_test_id("inbox-link")).to_have_text("消息")  # nothing unread: no badge
    titles = ["【黄灯】标准地预评估“用地审查”即将到期", "【期限变更】办结期限顺延", "【提醒】请补正材料"]
    ids = [_notify("enterprise", title, f"{title}。请及时办理，剩余2个工作日（含今日）。",
                   link="/applications" if i == 0 else "") for i, title in enumerate(titles)]
    elsewhere = _notify("reviewer", "审查员的消息", "不给企业看")

    page.goto("/applications")
    expect(page.get_by_test_id("unread-count")).to_have_text("3")
    page.get_by_test_id("inbox-link").click()
    page.wait_for_url("**/inbox")
    expect(page.locator("[data-testid=inbox] li.message.unread")).to_have_count(len(titles))
    for notification_id, title in zip(ids, titles, strict=True):
        item = page.locator(f"li.message[data-id='{notification_id}']")
        expect(item).to_have_class(re.compile(r"\bunread\b"))
        expect(item.locator(".message-title")).to_have_text(title)
        expect(item.locator("time")).to_contain_text("年")
    expect(page.locator("[data-testid=inbox]")).not_to_contain_text("审查员的消息")
    expect(page.get_by_test_id("inbox-unread")).to_have_text("3 条未读")
    page.screenshot(path=str(shots / "inbox.png"), full_page=True)

    # someone else's notification: not found, whatever the form says; no token: refused
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert page.request.post(f"/inbox/{elsewhere}/read", form={"csrf_token": token}).status == 404
    assert page.request.post(f"/inbox/{ids[1]}/read", form={"csrf_token": "wrong"}).status == 403

    # 查看案件 marks that one read and goes where it points
    page.locator(f"li.message[data-id='{ids[0]}'] button:has-text('查看案件')").click()
    page.wait_for_url("**/applications")
    expect(page.get_by_test_id("unread-count")).to_have_text("2")

    page.get_by_test_id("inbox-link").click()
    expect(page.locator(f"li.message[data-id='{ids[0]}']")).to_have_class(re.compile(r"\bread\b"))
    with page.expect_navigation(url="**/inbox"):
        page.click("#read-all")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    expect(page.get_by_test_id("inbox-link")).to_have_text("消息")
    expect(page.locator("li.message.unread")).to_have_count(0)
    expect(page.locator("#read-all")).to_have_count(0)
    page.screenshot(path=str(shots / "inbox-read.png"), full_page=True)

    # on a phone the header keeps the link and its count
    _notify("enterprise", "【黄灯】手机上也能看到", "正文")
    phone = new_page(viewport={"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto("/inbox")
    expect(phone.get_by_test_id("unread-count")).to_have_text("1")
    phone.screenshot(path=str(shots / "inbox-phone.png"), full_page=True)
    _clear("enterprise")
