"""统一身份认证 claims → accounts (``services.accounts.single_sign_on``) on the real database: the first sign-in
makes the account (an enterprise found by its USCC or registered from the claims; staff in a department of the
park), later ones find it and follow changes at the provider; claims the park cannot accept are refused in
Chinese and write nothing."""

import uuid

import pytest
from sqlmodel import func, select

from services.accounts import single_sign_on
from services.accounts.single_sign_on import SignOnRefused
from services.core import uscc
from services.core.settings import Settings
from services.models import AuditEvent, Enterprise, Role, User
from tests import factories

SETTINGS = Settings(oidc_issuer="https://id.park.example/", oidc_client_id="greenchannel")
VALID_USCC = "91350100M000100Y43"
UNREGISTERED = "91441900MA5TEQR01" + uscc.check_character("91441900MA5TEQR01")  # valid, no enterprise has it


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_an_enterprise_clerk_is_registered_with_its_enterprise_then_found_again(session):
    sub = uuid.uuid4().hex
    existing = session.exec(select(Enterprise).where(Enterprise.uscc == VALID_USCC)).first()
    claims = {"sub": sub, "name": "王小明", "email": "wang@qiye.example", "gc_role": "企业", "uscc": VALID_USCC.lower(),
              "enterprise_name": "东莞测试单点登录有限公司", "preferred_username": "Wang.XM"}
    user = single_sign_on.account_for(session, SETTINGS, claims)
    assert user.role is Role.enterprise and user.display_name == "王小明" and user.email == "wang@qiye.example"
    assert user.username.startswith("wang.xm") and user.sso_subject == f"https://id.park.example|{sub}"
    enterprise = session.get_one(Enterprise, user.enterprise_id)
    assert enterprise.uscc == VALID_USCC and (existing is None or enterprise.id == existing.id)
    again = single_sign_on.account_for(session, SETTINGS, claims)
    assert again.id == user.id  # the same person: the same account
    created = session.exec(select(AuditEvent).where(AuditEvent.action == "user.created",
                                                    AuditEvent.entity_id == str(user.id))).one()
    assert created.detail["via"] == "sso"


def test_staff_follow_their_department_at_the_provider(session):
    sub = uuid.uuid4().hex
    claims = {"sub": sub, "name": "赵审查", "gc_role": "reviewer", "department": "自然资源局"}
    user = single_sign_on.account_for(session, SETTINGS, claims)
    assert (user.role, user.department, user.enterprise_id) == (Role.reviewer, "自然资源局", None)
    moved = single_sign_on.account_for(session, SETTINGS, claims | {"department": "生态环境局"})
    assert moved.id == user.id and moved.department == "生态环境局"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.updated",
                                                 AuditEvent.entity_id == str(user.id))).one().detail[
        "department"] == "生态环境局"
    moved.is_active = False
    with pytest.raises(SignOnRefused, match="已停用"):
        single_sign_on.account_for(session, SETTINGS, claims)


@pytest.mark.parametrize(("claims", "says"), [
    ({"gc_role": "reviewer", "department": "自然资源局"}, "没有返回用户标识"),
    ({"sub": "x1", "gc_role": "boss", "department": "自然资源局"}, "没有提供可识别的角色（gc_role：boss）"),
    ({"sub": "x2", "gc_role": "reviewer", "department": "不存在的局"}, "部门“不存在的局”不是本园区的部门"),
    ({"sub": "x3", "gc_role": "enterprise", "uscc": "91350100M000100Y44"}, "统一社会信用代码无效：校验码错误"),
    ({"sub": "x4", "gc_role": "enterprise", "uscc": UNREGISTERED}, "没有提供企业名称"),
    ({"sub": "x5", "gc_role": "agent", "department": "绿色通道服务中心", "name": "王\x00五"},
     "姓名含有不可见的控制字符"),
])
def test_claims_the_park_cannot_accept_are_refused_in_chinese_and_write_nothing(session, claims, says):
    users, enterprises = _count(session, User), _count(session, Enterprise)
    with pytest.raises(SignOnRefused) as refused:
        single_sign_on.account_for(session, SETTINGS, claims | {"sub": claims.get("sub", "") and uuid.uuid4().hex})
    assert says in refused.value.message and refused.value.status == 403
    assert (_count(session, User), _count(session, Enterprise)) == (users, enterprises)


def test_a_username_taken_already_gets_a_number(session):
    taken = factories.user(session, Role.agent).username
    claims = {"sub": uuid.uuid4().hex, "gc_role": "代办专员", "department": "绿色通道服务中心",
              "preferred_username": taken}
    user = single_sign_on.account_for(session, SETTINGS, claims)
    assert user.username == f"{taken}-2" and user.role is Role.agent
