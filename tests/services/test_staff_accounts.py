"""Staff accounts kept by administrators, on the real database: creation with an initial password that must be
changed, every wrong field named at once (nothing written), role and department changes, deactivation and
resets ending every sign-in, the last administrator kept, one's own password change, and the audit trail."""

import uuid

import pytest
from sqlmodel import col, select

from services.accounts import passwords, staff
from services.accounts.staff import AccountError
from services.core import sign_in_sessions
from services.core.users import authenticate, get_by_username
from services.models import AuditEvent, Role, User


def _name() -> str:
    return f"staff{uuid.uuid4().hex[:8]}"


def _values(**changes) -> dict[str, str]:
    return {"username": _name(), "display_name": "自然资源局 审查员 吴琳", "role": "reviewer",
            "department": "自然资源局", "phone": "0769-22830001", "email": "wulin@example.gov.cn"} | changes


def _create(session, admin, **changes) -> tuple[User, str]:
    return staff.create_staff(session, admin, *staff.read_new_staff(session, _values(**changes)))


@pytest.fixture
def admin(session):
    return get_by_username(session, "supervisor")


def _events(session, user: User) -> list[str]:
    return list(session.exec(select(AuditEvent.action).where(AuditEvent.entity == "user",
                                                             AuditEvent.entity_id == str(user.id))
                             .order_by(col(AuditEvent.id))).all())


def test_the_demo_supervisor_is_the_demo_administrator(admin):
    assert admin.is_admin and admin.role == Role.supervisor and not admin.must_change_password


def test_a_new_account_signs_in_with_its_initial_password_which_must_be_changed(session, admin):
    user, initial = _create(session, admin)
    session.commit()
    assert user.must_change_password and user.is_active and not user.is_admin
    assert len(initial) == 12 and not set(initial) & set("0O1lI")
    assert authenticate(session, user.username, initial).user.id == user.id
    assert _events(session, user) == ["user.created"]


def test_every_wrong_field_is_named_at_once_and_nothing_is_written(session):
    before = session.exec(select(User.id)).all()
    with pytest.raises(AccountError) as refused:
        staff.read_new_staff(session, {"username": "Zhang San", "display_name": "  ", "role": "enterprise",
                                       "department": "不存在的局", "phone": "电话", "email": "not-an-address"})
    assert refused.value.errors == {
        "username": "用户名须为3至32位小写英文字母、数字或“_ . -”，以字母开头", "display_name": "请填写姓名",
        "role": "请选择角色（代办专员、部门审查员或督办管理员）", "department": "所属部门须从列表中选择",
        "phone": "联系电话只能包含数字、空格和“+ - ( )”", "email": "电子邮箱格式不正确，如 name@example.gov.cn"}
    assert session.exec(select(User.id)).all() == before


def test_control_characters_in_a_name_are_refused_with_the_field_named(session):
    with pytest.raises(AccountError) as refused:
        staff.read_staff(session, _values(display_name="吴\x00琳"))
    assert set(refused.value.errors) == {"display_name"} and "姓名" in refused.value.errors["display_name"]


def test_a_username_is_taken_once_whatever_its_case(session, admin):
    user, _ = _create(session, admin)
    session.commit()
    with pytest.raises(AccountError) as refused:
        staff.read_new_staff(session, _values(username=user.username.upper()))
    assert refused.value.errors == {"username": f"用户名“{user.username}”已被使用，请换一个"}


def test_a_second_create_of_the_same_name_racing_the_first_is_told_the_name_is_taken(session, admin):
    username, data = staff.read_new_staff(session, _values())
    staff.create_staff(session, admin, username, data)
    with pytest.raises(AccountError) as refused:  # checked before the first was written: the database decides
        staff.create_staff(session, admin, username, data)
    assert refused.value.status == 409 and refused.value.field == "username"
    assert len(session.exec(select(User).where(User.username == username)).all()) == 1


def test_departments_are_the_ones_the_process_steps_name(session):
    names = staff.departments(session)
    assert {"自然资源局", "生态环境局", "发展和改革局", "住房和城乡建设局", "公共资源交易中心", "税务局",
            "绿色通道服务中心"} <= set(names)
    assert "申请企业" not in names


def test_changing_role_and_department_moves_the_reviewer_and_is_audited(session, admin):
    user, _ = _create(session, admin)
    changed = staff.update_staff(session, admin, user, staff.read_staff(session, _values(
        role="reviewer", department="生态环境局", display_name="生态环境局 审查员 吴琳")))
    assert changed == {"department": ["自然资源局", "生态环境局"],
                       "display_name": ["自然资源局 审查员 吴琳", "生态环境局 审查员 吴琳"]}
    assert _events(session, user) == ["user.created", "user.updated"]
    assert staff.update_staff(session, admin, user, staff.read_staff(session, _values(
        department="生态环境局", display_name="生态环境局 审查员 吴琳"))) == {}, "no change, no audit row"
    assert _events(session, user) == ["user.created", "user.updated"]


def test_deactivating_ends_every_sign_in_and_refuses_the_next(session, admin):
    user, initial = _create(session, admin)
    page = sign_in_sessions.open_session(session, user, kind=sign_in_sessions.PAGE)
    api = sign_in_sessions.open_session(session, user, kind=sign_in_sessions.API)
    staff.set_active(session, admin, user, False)
    assert sign_in_sessions.find_live(session, page, kind=sign_in_sessions.PAGE) is None
    assert sign_in_sessions.find_live(session, api, kind=sign_in_sessions.API) is None
    session.commit()
    assert authenticate(session, user.username, initial).user is None
    staff.set_active(session, admin, user, True)
    session.commit()
    assert authenticate(session, user.username, initial).user.id == user.id
    assert _events(session, user)[-2:] == ["user.deactivated", "user.activated"]


def test_an_administrator_cannot_lock_the_park_out(session, admin):
    with pytest.raises(AccountError, match="不能停用自己的账户"):
        staff.set_active(session, admin, admin, False)
    others = session.exec(select(User).where(col(User.is_admin), User.id != admin.id)).all()
    for other in others:  # make the demo administrator the only one
        other.is_admin = False
    session.flush()
    second, _ = _create(session, admin, role="supervisor", department="绿色通道服务中心", is_admin="1")
    staff.update_staff(session, second, admin, staff.read_staff(session, _values(
        role="supervisor", department="绿色通道服务中心", display_name=admin.display_name)))
    assert not admin.is_admin, "another administrator exists: the flag can go"
    with pytest.raises(AccountError, match="最后一个有效的系统管理员") as refused:
        staff.set_active(session, admin, second, False)
    assert refused.value.status == 409 and second.is_active


def test_a_reset_password_ends_every_sign_in_and_must_be_changed(session, admin):
    user, _ = _create(session, admin)
    token = sign_in_sessions.open_session(session, user, kind=sign_in_sessions.PAGE)
    user.must_change_password = False
    fresh = staff.reset_password(session, admin, user)
    assert user.must_change_password
    assert sign_in_sessions.find_live(session, token, kind=sign_in_sessions.PAGE) is None
    session.commit()  # the sign-in counters are written on their own connection
    assert authenticate(session, user.username, fresh).user.id == user.id


def test_changing_ones_own_password_checks_each_field_and_ends_other_sign_ins(session, admin):
    user, initial = _create(session, admin)
    here = sign_in_sessions.open_session(session, user, kind=sign_in_sessions.PAGE)
    elsewhere = sign_in_sessions.open_session(session, user, kind=sign_in_sessions.API)
    here_id = sign_in_sessions.find_live(session, here, kind=sign_in_sessions.PAGE).id
    with pytest.raises(AccountError) as refused:
        staff.change_own_password(session, user, "wrong", "short", "short")
    assert refused.value.errors == {"current_password": "当前密码不正确", "new_password": "新密码至少10位"}
    for weak, message in (("1234567890", "新密码过于简单，容易被猜中，请换一个"),
                          (f"my-{user.username}-pw", "新密码不能包含用户名"),
                          (initial, "新密码不能与当前密码相同")):
        with pytest.raises(AccountError) as refused:
            staff.change_own_password(session, user, initial, weak, weak)
        assert refused.value.errors == {"new_password": message}
    with pytest.raises(AccountError) as refused:
        staff.change_own_password(session, user, initial, "松湖烟雨2027年的春天", "松湖烟雨2026年的春天")
    assert refused.value.errors == {"new_password_again": "两次输入的新密码不一致"}
    assert user.must_change_password, "nothing changed by a refused attempt"
    chosen = "松湖烟雨2027年的春天"
    staff.change_own_password(session, user, initial, chosen, chosen, keep_session=here_id)
    assert not user.must_change_password
    assert sign_in_sessions.find_live(session, here, kind=sign_in_sessions.PAGE) is not None
    assert sign_in_sessions.find_live(session, elsewhere, kind=sign_in_sessions.API) is None
    session.commit()
    assert authenticate(session, user.username, "松湖烟雨2027年的春天").user.id == user.id
    assert authenticate(session, user.username, initial).user is None
    assert _events(session, user)[-1] == "user.password_changed"


def test_one_sign_in_can_be_ended_and_the_others_stay(session, admin):
    user, _ = _create(session, admin)
    first = sign_in_sessions.open_session(session, user, kind=sign_in_sessions.PAGE)
    second = sign_in_sessions.open_session(session, user, kind=sign_in_sessions.PAGE)
    live = staff.live_sign_ins(session, user.id)
    assert len(live) == 2
    target = sign_in_sessions.find_live(session, first, kind=sign_in_sessions.PAGE)
    assert staff.end_sign_in(session, admin, user, target.id)
    assert not staff.end_sign_in(session, admin, user, target.id), "ended once"
    assert [s.id for s in staff.live_sign_ins(session, user.id)] == \
        [sign_in_sessions.find_live(session, second, kind=sign_in_sessions.PAGE).id]


def test_enterprise_accounts_are_not_changed_here(session, admin):
    enterprise = get_by_username(session, "enterprise")
    with pytest.raises(AccountError) as refused:
        staff.set_active(session, admin, enterprise, False)
    assert refused.value.status == 403 and enterprise.is_active


def test_the_staff_list_searches_and_pages(session, admin):
    marker = uuid.uuid4().hex[:6]
    for i in range(3):
        _create(session, admin, display_name=f"查找测试{marker}-{i}", role="agent", department="绿色通道服务中心")
    found, total = staff.staff_page(session, f"查找测试{marker}")
    assert total == 3 and sorted(u.display_name for u in found) == [f"查找测试{marker}-{i}" for i in range(3)]
    assert staff.staff_page(session, f"查找测试{marker}", role="reviewer") == ([], 0)
    everyone, total = staff.staff_page(session)
    assert all(u.role != Role.enterprise for u in everyone) and total >= 12


def test_initial_passwords_pass_the_rules_people_must_follow():
    for _ in range(50):
        assert passwords.problem(passwords.initial_password(), username="someone") is None


def test_a_sign_in_names_the_browser_a_person_recognises():
    from services.core.formatting import browser_of

    assert browser_of("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/131.0 Safari/537.36 Edg/131.0") == "Edge · Windows"
    assert browser_of("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                      "Version/17.0 Mobile/15E148 Safari/604.1") == "Safari · iPhone"
    assert browser_of("python-httpx/0.28.1") == "python-httpx"
    assert browser_of(None) == "未知"
