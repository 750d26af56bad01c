"""A body that cannot be read at all — bytes that are not UTF-8, JSON cut off or broken — is answered in
Chinese (400, or 422 naming where the JSON broke), never with FastAPI's English message; nothing is saved."""

import re

import pytest

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _count(c, headers) -> int:
    return len(c.get("/api/v1/applications", headers=headers).json())


@pytest.mark.parametrize(("body", "status"), [
    (b"\xff\xfe{\"project_name\": 1}", 400),  # not UTF-8 at all
    (b"{\"project_name\": \"\xc3\x28\"}", 400),  # a broken UTF-8 sequence inside a string
    (b"{\"project_name\": ", 422),  # JSON cut off
    (b"[1, 2", 422),
])
def test_an_unreadable_application_body_is_answered_in_chinese(stack, body, status):
    headers = stack.token("enterprise")
    with stack.client() as c:
        before = _count(c, headers)
        r = c.post("/api/v1/applications", content=body,
                   headers=headers | {"Content-Type": "application/json", "Idempotency-Key": "unreadable-body"})
        assert r.status_code == status, r.text
        answer = r.json()
        assert CHINESE.search(answer["detail"]) and "parsing" not in answer["detail"], answer
        if status == 422:
            assert list(answer["errors"]) == ["__all__"], answer
            assert re.fullmatch(r"请求内容不是有效的JSON，请按UTF-8编码发送JSON对象（第\d+个字符附近有误）",
                                answer["errors"]["__all__"]), answer
        assert _count(c, headers) == before

