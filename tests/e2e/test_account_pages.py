"""Staff accounts as a park runs them, in the browser against the running stack: the administrator creates a
reviewer (every wrong field named in Chinese first), hands over the initial password, the reviewer must
choose their own before anything else (the API refuses the initial one too) and then works their
department's queue; ending one sign-in, deactivating, and pages only administrators may open."""

import time
import uuid
from pathlib import Path

import httpx
import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.pages import click_menu


def _create_reviewer(admin: Page, username: str, department: str = "生态环境局") -> str:
    """Through 账户管理 → 新建, as the administrator; the initial password shown once."""
    click_menu(admin, "账户管理")
    admin.wait_for_url("**/admin/users")
    admin.get_by_test_id("new-account").click()
    admin.fill("#account-form [name=username]", username)
    admin.fill("#account-form [name=display_name]", f"{department} 审查员 吴琳")
    admin.select_option("#account-form [name=role]", "reviewer")
    admin.select_option("#account-form [name=department]", department)
    admin.get_by_test_id("save-account").click()
    expect(admin.get_by_test_id("new-username")).to_have_text(username)
    return admin.get_by_test_id("initial-password").inner_text()


def _sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")


def _choose_password(page: Page, initial: str, chosen: str) -> None:
    """At 修改密码 (where an initial password leads), as the person types it."""
    page.fill("[name=current_password]", initial)
    page.fill("[name=new_password]", chosen)
    page.fill("[name=new_password_again]", chosen)
    page.get_by_test_id("change-password").click()


def test_a_new_reviewer_chooses_a_password_before_anything_else_and_then_sees_the_department_queue(
        signed_in, new_page, stack, shots):
    admin = signed_in("supervisor")
    click_menu(admin, "账户管理")
    admin.get_by_test_id("new-account").click()
    admin.fill("#account-form [name=username]", "Wu Lin")
    admin.fill("#account-form [name=email]", "wulin-at-example")
    admin.get_by_test_id("save-account").click()
    summary = admin.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    for message in ("用户名须为3至32位小写英文字母", "请填写姓名", "请选择所属部门", "电子邮箱格式不正确"):
        expect(summary).to_contain_text(message)
    expect(admin.locator("#field-username .error-text")).to_contain_text("用户名须为")
    admin.screenshot(path=str(shots / "account-form-errors.png"), full_page=True)

    username = f"wulin{uuid.uuid4().hex[:6]}"
    initial = _create_reviewer(admin, username)
    admin.screenshot(path=str(shots / "account-initial-password.png"), full_page=True)

    # the API does not accept the initial password for work either
    token = httpx.post(f"{stack.base_url}/api/v1/auth/token", data={"username": username, "password": initial},
                       timeout=30).json()["access_token"]
    refused = httpx.get(f"{stack.base_url}/api/v1/applications", headers={"Authorization": f"Bearer {token}"},
                        timeout=30)
    assert refused.status_code == 403 and "初始密码" in refused.json()["detail"]

    reviewer = new_page()
    _sign_in(reviewer, username, initial)
    reviewer.wait_for_url("**/account/password")
    expect(reviewer.get_by_test_id("must-change")).to_be_visible()
    reviewer.goto("/reviews")  # any other page sends it back
    reviewer.wait_for_url("**/account/password")
    _choose_password(reviewer, initial, "1234567890")
    expect(reviewer.get_by_test_id("error-summary")).to_contain_text("新密码过于简单")
    expect(reviewer.locator("#field-new_password .error-text")).to_have_text("新密码过于简单，容易被猜中，请换一个")
    chosen = "东江潮起2027年春"
    _choose_password(reviewer, initial, chosen)
    reviewer.wait_for_url("**/applications?password=changed")
    click_menu(reviewer, "待审查事项")
    expect(reviewer.locator("main")).to_contain_text("生态环境局")
    assert httpx.get(f"{stack.base_url}/api/v1/applications", headers={"Authorization": f"Bearer {token}"},
                     timeout=30).status_code == 401, "the token taken with the initial password ended with it"
    fresh = stack.token(username, chosen)
    assert httpx.get(f"{stack.base_url}/api/v1/applications", headers=fresh, timeout=30).status_code == 200


def test_the_administrator_ends_a_sign_in_then_deactivates_the_account(signed_in, new_page, shots):
    admin = signed_in("supervisor")
    username = f"zhou{uuid.uuid4().hex[:6]}"
    initial = _create_reviewer(admin, username, "税务局")
    laptop, phone = new_page(), new_page(viewport={"width": 390, "height": 844})
    _sign_in(laptop, username, initial)
    laptop.wait_for_url("**/account/password")
    chosen = "税收征管2027年春季"
    _choose_password(laptop, initial, chosen)
    laptop.wait_for_url("**/applications?password=changed")
    _sign_in(phone, username, chosen)
    phone.wait_for_url("**/applications")

    admin.goto(f"/admin/users?q={username}")
    admin.get_by_test_id("accounts").get_by_role("link", name=username).click()
    sign_ins = admin.get_by_test_id("sign-ins").locator("tbody tr")
    expect(sign_ins).to_have_count(2)
    admin.screenshot(path=str(shots / "account-sign-ins.png"), full_page=True)
    sign_ins.first.get_by_test_id("end-sign-in").click()  # newest first: the phone's
    expect(admin.get_by_test_id("saved")).to_have_text("已结束该登录。")
    expect(admin.get_by_test_id("sign-ins").locator("tbody tr")).to_have_count(1)
    phone.reload()
    phone.wait_for_url("**/login**")
    laptop.reload()
    expect(laptop.locator("main")).not_to_contain_text("登录")  # still signed in

    admin.get_by_test_id("deactivate").click()
    expect(admin.get_by_test_id("inactive")).to_be_visible()
    expect(admin.get_by_test_id("no-sign-ins")).to_be_visible()
    laptop.reload()
    laptop.wait_for_url("**/login**")
    _sign_in(laptop, username, chosen)
    expect(laptop.locator("main")).to_contain_text("用户名或密码错误")


def test_a_double_posted_account_form_makes_one_account_and_says_so(signed_in):
    admin = signed_in("supervisor")
    admin.goto("/admin/users/new")
    username = f"dup{uuid.uuid4().hex[:6]}"
    admin.fill("#account-form [name=username]", username)
    admin.fill("#account-form [name=display_name]", "代办专员 重复")
    admin.select_option("#account-form [name=role]", "agent")
    admin.select_option("#account-form [name=department]", "绿色通道服务中心")
    admin.get_by_test_id("save-account").dblclick()
    expect(admin.get_by_test_id("initial-password")).to_be_visible()
    # the same form posted again (the browser's back button and 提交 once more): no second account, no bare error
    admin.go_back()
    admin.wait_for_url("**/admin/users/new")
    admin.fill("#account-form [name=username]", username)
    admin.fill("#account-form [name=display_name]", "代办专员 重复")
    admin.select_option("#account-form [name=department]", "绿色通道服务中心")
    admin.evaluate("() => { const f = document.getElementById('account-form'); delete f.dataset.sent; "
                   "f.querySelector('button[type=submit]').disabled = false; }")
    admin.get_by_test_id("save-account").click()
    expect(admin.get_by_test_id("already-created")).to_contain_text("刚才已由您建立")
    admin.goto(f"/admin/users?q={username}")
    expect(admin.get_by_test_id("account-count")).to_have_text("共1个账户")


def test_only_administrators_open_the_account_pages(signed_in, stack):
    reviewer = signed_in("reviewer")
    expect(reviewer.get_by_test_id("nav-accounts")).to_have_count(0)
    response = reviewer.goto("/admin/users")
    assert response.status == 403
    expect(reviewer.locator("main")).to_contain_text("仅限系统管理员访问")
    agent = signed_in("agent")
    assert agent.goto("/admin/users/new").status == 403
    with httpx.Client(base_url=stack.base_url, timeout=30) as anonymous:
        assert anonymous.get("/admin/users").status_code == 303


def test_a_staff_member_turns_on_a_second_factor_and_signs_in_with_it(signed_in, new_page, stack, shots):
    admin = signed_in("supervisor")
    username = f"totp{uuid.uuid4().hex[:6]}"
    initial = _create_reviewer(admin, username, "发展和改革局")
    page = new_page()
    _sign_in(page, username, initial)
    page.wait_for_url("**/account/password")
    chosen = "发改审批2027年春季开工"
    _choose_password(page, initial, chosen)
    page.wait_for_url("**/applications?password=changed")

    click_menu(page, "修改密码")
    page.get_by_test_id("second-factor-link").click()
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    page.screenshot(path=str(shots / "account-second-factor.png"), full_page=True)
    totp = pyotp.TOTP(page.get_by_test_id("totp-secret").inner_text())
    page.fill("[name=code]", "000000")
    page.get_by_test_id("turn-on").click()
    expect(page.get_by_test_id("code-error")).to_contain_text("动态口令不正确")
    page.fill("[name=code]", totp.at(time.time() - 30))  # the app's code, a step before: a slow phone clock
    page.get_by_test_id("turn-on").click()
    expect(page.get_by_test_id("saved")).to_contain_text("动态口令已开启")

    other = new_page()
    _sign_in(other, username, chosen)
    other.wait_for_url("**/login/code")
    other.fill("[name=code]", "123456")
    other.get_by_test_id("submit-code").click()
    expect(other.get_by_test_id("code-error")).to_contain_text("动态口令不正确")
    other.goto("/applications")  # the password alone opened nothing
    other.wait_for_url("**/login**")
    _sign_in(other, username, chosen)
    other.wait_for_url("**/login/code")
    other.fill("[name=code]", totp.now())
    other.get_by_test_id("submit-code").click()
    other.wait_for_url("**/applications")
    refused = httpx.post(f"{stack.base_url}/api/v1/auth/token", data={"username": username, "password": chosen},
                         timeout=30)
    assert refused.status_code == 403 and "动态口令" in refused.json()["detail"]

    # a lost phone: the administrator turns it off, and the password alone signs in again
    admin.goto(f"/admin/users?q={username}")
    admin.get_by_test_id("accounts").get_by_role("link", name=username).click()
    admin.get_by_test_id("admin-totp-off").click()
    expect(admin.get_by_test_id("saved")).to_contain_text("已关闭该账户的动态口令")
    third = new_page()
    _sign_in(third, username, chosen)
    third.wait_for_url("**/applications")


def test_the_supervisor_reads_the_trail_of_an_account_and_exports_it(signed_in, shots):
    admin = signed_in("supervisor")
    username = f"trail{uuid.uuid4().hex[:6]}"
    _create_reviewer(admin, username, "住房和城乡建设局")
    click_menu(admin, "审计记录")
    admin.wait_for_url("**/audit")
    admin.fill("[name=action]", "user.created")
    admin.get_by_test_id("audit-search").click()
    rows = admin.get_by_test_id("audit-rows")
    expect(rows).to_contain_text(username)
    expect(rows.locator("tbody tr").first).to_contain_text("supervisor")
    admin.screenshot(path=str(shots / "audit.png"), full_page=True)
    with admin.expect_download() as download:
        admin.get_by_test_id("audit-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("时间,操作人,代企业,操作,案件编号") and username in text
    assert all(",user.created," in line for line in text.splitlines()[1:] if line), "the page's filter, exported"

    reviewer = signed_in("reviewer")
    assert reviewer.goto("/audit").status == 403
    expect(reviewer.locator("main")).to_contain_text("仅限督办管理员和系统管理员查看审计记录")
