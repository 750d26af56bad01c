"""An enterprise registers itself in the browser, confirms its address from the mail it gets (a real SMTP
server on this machine), signs in and applies; a forgotten password is reset from a mailed link that works
once. Wrong fields are named in Chinese first; nothing is written by a refused form."""

import uuid

from playwright.sync_api import Page, expect

from services.core.uscc import check_character

PASSWORD = "松山湖畔2027年的春天"


def _uscc() -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91441900" + "".join(alphabet[b % len(alphabet)] for b in uuid.uuid4().bytes[:9])
    return body + check_character(body)


def _fill(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.fill(f"#register-form [name={name}]", value)


def test_an_enterprise_registers_confirms_its_address_and_applies(new_page, stack, stack_mailbox, shots):
    page = new_page()
    page.goto("/login")
    page.get_by_test_id("register-link").click()
    page.wait_for_url("**/register")
    username = f"xincai{uuid.uuid4().hex[:6]}"
    email = f"{username}@example.com"
    _fill(page, {"enterprise_name": "东莞新材料科技有限公司", "uscc": "91441900MA4UJ2K31X",
                 "legal_representative": "黄志强", "contact_name": "梁晓", "contact_phone": "13800138000",
                 "email": email, "username": username, "password": "short", "password_again": "short"})
    page.get_by_test_id("register").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    for message in ("校验码错误", "密码至少10位", "请阅读并同意用户协议"):
        expect(summary).to_contain_text(message)
    expect(page.locator("#field-uscc .error-text")).to_have_text("校验码错误，请核对统一社会信用代码")
    expect(page.locator("#register-form [name=email]")).to_have_value(email), "what was typed stays"
    page.screenshot(path=str(shots / "register-errors.png"), full_page=True)

    _fill(page, {"uscc": _uscc(), "password": PASSWORD, "password_again": PASSWORD})
    page.check("#register-form [name=agree]")
    page.get_by_test_id("register").click()
    expect(page.get_by_test_id("register-sent")).to_contain_text(email)

    page.goto("/login")  # before the address is confirmed
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('登录')")
    expect(page.locator("main")).to_contain_text("账户尚未激活")

    link = stack_mailbox.handler.link_to(email, "/register/confirm")
    page.goto(link)
    expect(page.get_by_test_id("account-message")).to_contain_text("已激活")
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/applications")
    expect(page.get_by_test_id("who")).to_contain_text("东莞新材料科技有限公司")
    page.goto("/applications/new")
    expect(page.locator("#application-form")).to_be_visible()


def test_a_forgotten_password_is_reset_from_the_mailed_link_once(new_page, stack, stack_mailbox):
    page = new_page()
    username = f"reset{uuid.uuid4().hex[:6]}"
    email = f"{username}@example.com"
    page.goto("/register")
    _fill(page, {"enterprise_name": "东莞精密模具有限公司", "uscc": _uscc(), "legal_representative": "周成",
                 "contact_name": "周成", "contact_phone": "0769-22831234", "email": email, "username": username,
                 "password": PASSWORD, "password_again": PASSWORD})
    page.check("#register-form [name=agree]")
    page.get_by_test_id("register").click()
    expect(page.get_by_test_id("register-sent")).to_be_visible()
    page.goto(stack_mailbox.handler.link_to(email, "/register/confirm"))

    page.goto("/login")
    page.get_by_test_id("forgot-link").click()
    page.fill("input[name=email]", email.upper())
    page.get_by_test_id("send-mail").click()
    expect(page.get_by_test_id("mail-sent")).to_be_visible()
    page.goto("/password/forgot")  # an unknown address gets the very same answer
    page.fill("input[name=email]", "nobody-here@example.com")
    page.get_by_test_id("send-mail").click()
    expect(page.get_by_test_id("mail-sent")).to_be_visible()

    link = stack_mailbox.handler.link_to(email, "/password/reset")
    page.goto(link)
    page.fill("[name=new_password]", "1234567890")
    page.fill("[name=new_password_again]", "1234567890")
    page.get_by_test_id("reset").click()
    expect(page.locator("#field-new_password .error-text")).to_have_text("新密码过于简单，容易被猜中，请换一个")
    chosen = "精密模具2027年重新出发"
    page.fill("[name=new_password]", chosen)
    page.fill("[name=new_password_again]", chosen)
    page.get_by_test_id("reset").click()
    page.wait_for_url("**/login?reset=1")
    expect(page.get_by_test_id("login-notice")).to_have_text("密码已重置，请用新密码登录。")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", chosen)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/applications")

    again = new_page()
    response = again.goto(link)
    assert response.status == 410
    expect(again.get_by_test_id("account-message")).to_contain_text("已使用过")
