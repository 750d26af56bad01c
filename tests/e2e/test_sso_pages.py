"""统一身份认证 in the browser, against a real OpenID Connect provider started by the tests (``identity_provider``):
an enterprise clerk and a department reviewer sign in on the provider's form and land here as themselves, made
from the provider's claims; a person the park cannot accept (a department it does not have) is told why in
Chinese and no account is made; denying at the provider brings the person back with a Chinese message."""

import uuid
from urllib.parse import quote

import httpx
from playwright.sync_api import expect
from sqlmodel import col, select

from services.core import uscc
from services.core.db import session_scope
from services.models import User


def _person(identity_provider: str, claims: dict) -> str:
    sub = f"sso-{uuid.uuid4().hex[:10]}"
    r = httpx.put(f"{identity_provider}/users/{quote(sub)}", json=claims, timeout=10)
    assert r.status_code == 204, r.text
    return sub


def _sign_on(page, sub: str, *, deny: bool = False) -> None:
    page.goto("/login?next=/applications")
    page.get_by_test_id("sso-login").click()
    expect(page.locator("h1")).to_have_text("Authorize Client")  # the provider's own page
    if deny:
        page.click("button[value=deny]")
        return
    page.fill("input[name=sub]", sub)
    page.click("button:has-text('Authorize')")


def test_people_sign_in_through_the_parks_identity_provider(new_page, identity_provider):
    code = "91441900MA5TEQR02" + uscc.check_character("91441900MA5TEQR02")
    clerk = _person(identity_provider, {"name": "刘单点", "email": "liu@sso-qiye.example", "gc_role": "enterprise",
                                        "uscc": code, "enterprise_name": "东莞单点登录测试有限公司"})
    page = new_page()
    _sign_on(page, clerk)
    page.wait_for_url("**/applications")
    expect(page.locator("h1")).to_have_text("我的申请")
    expect(page.get_by_test_id("who")).to_contain_text("刘单点")
    with session_scope() as session:
        user = session.exec(select(User).where(col(User.sso_subject).endswith("|" + clerk))).one()
        assert user.role == "enterprise" and user.enterprise_id is not None

    reviewer = _person(identity_provider, {"name": "钱审查", "gc_role": "部门审查员", "department": "生态环境局"})
    staff = new_page()
    _sign_on(staff, reviewer)
    staff.wait_for_url("**/applications")
    expect(staff.locator("h1")).to_have_text("申请总览")
    staff.goto("/reviews")
    expect(staff.locator("main")).to_contain_text("生态环境局")

    stranger = _person(identity_provider, {"name": "孙外来", "gc_role": "reviewer", "department": "外星管理局"})
    refused = new_page()
    _sign_on(refused, stranger)
    expect(refused.locator("main")).to_contain_text("部门“外星管理局”不是本园区的部门")
    with session_scope() as session:
        assert session.exec(select(User).where(col(User.sso_subject).endswith("|" + stranger))).first() is None

    denied = new_page()
    _sign_on(denied, "", deny=True)
    expect(denied.locator("main")).to_contain_text("统一身份认证未完成")
