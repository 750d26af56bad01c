"""设计方案 versions through the running app's API (拿地即开工, 带设计方案出让): the enterprise hands in versions
(multipart, Idempotency-Key: the same key is one version), a bad file is refused 422 with {detail, errors}
naming the field and nothing written, the 设计方案预审 approval is refused while no version exists and then
bound to the version, and the list says which version is the 出让公告附件; other enterprises see nothing."""

import uuid

from services.core.db import session_scope
from tests.factories import PASSWORD, other_enterprise_user
from tests.stack_api import SCHEME_PDF, upload_design_scheme
from tests.stack_api import case_waiting as _waiting
from tests.stack_api import open_land_to_start_case as _open_case
from tests.waiting import wait_for


def _list(stack, app_id: int, headers: dict | None = None):
    with stack.client() as c:
        return c.get(f"/api/v1/land-to-start/applications/{app_id}/design-schemes",
                     headers=headers or stack.token("enterprise"))


def _approve(stack, app_id: int):
    with stack.client() as c:
        return c.post(f"/api/v1/applications/{app_id}/steps/design_review/actions",
                      json={"kind": "approve", "reasons": "符合规划条件"}, headers=stack.token("reviewer"))


def test_versions_are_uploaded_listed_and_the_approval_is_bound_to_one(stack):
    app_id = _open_case(stack)
    _waiting(stack, app_id, {"project_filing", "design_review"}, "the design review to open")

    refused = _approve(stack, app_id)
    assert refused.status_code == 422, refused.text
    assert "尚未上传设计方案" in refused.json()["detail"] and "design_scheme_id" in refused.json()["errors"]

    bad = upload_design_scheme(stack, app_id, ("总平面图.pdf", SCHEME_PDF), ("图纸.pdf", b"not a pdf"))
    assert bad.status_code == 422, bad.text
    assert bad.json()["errors"]["files"].startswith("设计方案文件") and _list(stack, app_id).json()["versions"] == []

    key = str(uuid.uuid4())
    first = upload_design_scheme(stack, app_id, key=key)
    again = upload_design_scheme(stack, app_id, key=key)
    assert first.status_code == 201 and again.status_code == 200, (first.text, again.text)
    assert first.json()["id"] == again.json()["id"] and first.json()["version"] == 1
    second = upload_design_scheme(stack, app_id, ("总平面图-修改.pdf", SCHEME_PDF + b"% v2\n"))
    assert second.json()["version"] == 2 and second.json()["files"][0]["sha256"] != first.json()["files"][0]["sha256"]

    with stack.client() as c:  # the reviewer approves 第1版 by name, although 第2版 is newer
        chosen = c.post(f"/api/v1/land-to-start/applications/{app_id}/design-schemes/{first.json()['id']}/decision",
                        json={"kind": "approve", "reasons": "符合规划条件"}, headers=stack.token("reviewer"))
    assert chosen.status_code == 201, chosen.text
    listed = wait_for(lambda: (b := _list(stack, app_id).json())["approved_version"] and b, 120,
                      "the approval to be applied")
    assert listed["approved_version"] == 1
    v1, v2 = listed["versions"]
    assert v1["listing_attachment"] and not v2["listing_attachment"]
    assert [d["kind"] for d in v1["decisions"]] == ["approve"] and v2["decisions"] == []

    with session_scope() as session:
        stranger = other_enterprise_user(session).username
    headers = stack.token(stranger, PASSWORD)
    assert _list(stack, app_id, headers).status_code == 404, "another enterprise does not see the versions"
    with stack.client() as c:
        r = c.post(f"/api/v1/land-to-start/applications/{app_id}/design-schemes", headers=headers,
                   files=[("files", ("x.pdf", SCHEME_PDF, "application/pdf"))])
    assert r.status_code == 404 and len(_list(stack, app_id).json()["versions"]) == 2
