"""接口令牌 on the running stack, as an administrator and another system use them: made on the admin page (shown
once), the API answers the token as its account within its scopes (403 in Chinese outside them), and a revoked
token gets 401 at once."""

import re
import uuid

import httpx

from tests.samples import SAMPLE


def _field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} on the page"
    return found.group(1)


def _make(admin: httpx.Client, name: str, username: str, scopes: list[str]) -> tuple[str, str]:
    """(token, the row's id) made through the page."""
    form = admin.get("/admin/tokens").text
    data = {"csrf_token": _field(form, "csrf_token"), "request_key": _field(form, "request_key"), "name": name,
            "username": username, "scopes": scopes}
    made = admin.post("/admin/tokens/new", data=data)
    assert made.status_code == 200, made.text[:500]
    token = re.search(r'data-testid="new-token">(gci_[^<]+)<', made.text)
    assert token, made.text[:500]
    twice = admin.post("/admin/tokens/new", data=data)  # the same form again: no second token
    assert "这次提交没有再生成令牌" in twice.text and 'data-testid="new-token"' not in twice.text
    row = re.search(r'id="token-(\d+)"[^>]*data-prefix="' + re.escape(token.group(1)[:12]), admin.get(
        "/admin/tokens").text)
    assert row
    return token.group(1), row.group(1)


def test_a_token_reads_as_its_account_within_its_scopes_until_revoked(stack):
    with stack.web("supervisor") as admin:
        bad = admin.post("/admin/tokens/new", data={"csrf_token": _field(admin.get("/admin/tokens").text,
                                                                         "csrf_token"), "name": "", "username": "x"})
        assert bad.status_code == 422 and "请至少选择一项权限" in bad.text and "在用账户" in bad.text
        reader, reader_id = _make(admin, "政务服务网（只读）", "enterprise", ["cases:read"])
        writer, _ = _make(admin, "政务服务网（申报）", "enterprise", ["cases:read", "cases:write"])
    bearer = {"Authorization": f"Bearer {reader}"}
    with stack.client() as c:
        listed = c.get("/api/v1/applications", headers=bearer)
        own = c.get("/api/v1/applications", headers=stack.token("enterprise"))
        assert listed.status_code == 200 and listed.headers["X-Total-Count"] == own.headers["X-Total-Count"]
        assert [row["id"] for row in listed.json()] == [row["id"] for row in own.json()]  # the account's own cases
        refused = c.post("/api/v1/applications", json=SAMPLE, headers=bearer | {"Idempotency-Key": str(uuid.uuid4())})
        assert refused.status_code == 403 and "提交申请、登记办理动作" in refused.json()["detail"]
        assert c.get("/api/v1/parcels", headers=bearer).status_code == 403  # not given catalogue:read
        created = c.post("/api/v1/applications", json=dict(SAMPLE, project_name=f"接口令牌申报{uuid.uuid4().hex[:6]}"),
                         headers={"Authorization": f"Bearer {writer}", "Idempotency-Key": str(uuid.uuid4())})
        assert created.status_code == 201, created.text
    with stack.web("supervisor") as admin:
        page = admin.get("/admin/tokens").text
        revoked = admin.post(f"/admin/tokens/{reader_id}/revoke", data={"csrf_token": _field(page, "csrf_token")})
        assert revoked.status_code == 200 and "已吊销" in revoked.text
    with stack.client() as c:
        gone = c.get("/api/v1/applications", headers=bearer)
        assert gone.status_code == 401 and gone.json()["detail"] == "接口令牌无效、已过期或已被吊销"
    with stack.web("reviewer") as not_admin:
        assert not_admin.get("/admin/tokens").status_code == 403
