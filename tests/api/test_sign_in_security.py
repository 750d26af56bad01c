"""Sign-in hardening on the real web app and database: the failure lock holds under parallel attempts,
a stranger's lock does not lock the owner out, and signing out ends the server-side session."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.samples import DEMO_PASSWORD

PARALLEL = 20


@pytest.fixture
def fresh_user(migrated) -> str:
    """A new enterprise account of its own, so locking it disturbs no other test."""
    from services.core.db import session_scope
    from services.core.users import create_user
    from services.models import Role

    name = f"probe-{uuid.uuid4().hex[:12]}"
    with session_scope() as session:
        create_user(session, username=name, password=DEMO_PASSWORD, display_name="探测账户", role=Role.enterprise)
    return name


def _token_attempts(stack, username: str, passwords: list[str]) -> list[httpx.Response]:
    def attempt(password: str) -> httpx.Response:
        return httpx.post(f"{stack.base_url}/api/v1/auth/token", data={"username": username, "password": password},
                          timeout=60)

    with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        return list(pool.map(attempt, passwords))


def test_parallel_guesses_check_no_more_passwords_than_the_limit(stack, fresh_user):
    """The probe: 20 parallel attempts used to check 18 wrong passwords and then accept the right one."""
    from services.core.settings import get_settings

    limit = get_settings().login_max_failures
    first = _token_attempts(stack, fresh_user, [f"wrong-{i}" for i in range(PARALLEL)])
    statuses = sorted(r.status_code for r in first)
    assert statuses == [401] * limit + [429] * (PARALLEL - limit), statuses
    refused = next(r for r in first if r.status_code == 429)
    assert "登录失败次数过多" in refused.json()["detail"] and int(refused.headers["Retry-After"]) > 0

    second = _token_attempts(stack, fresh_user, [f"wrong-{i}" for i in range(PARALLEL - 1)] + [DEMO_PASSWORD])
    assert {r.status_code for r in second} == {429}  # the right password is refused too while locked


def test_parallel_page_sign_ins_are_locked_too(stack, fresh_user):
    def attempt(password: str) -> int:
        with httpx.Client(base_url=stack.base_url, timeout=60) as c:
            return _page_sign_in(c, fresh_user, password).status_code

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        statuses = sorted(pool.map(attempt, [f"wrong-{i}" for i in range(PARALLEL)]))
    assert statuses.count(401) == 5 and statuses.count(429) == PARALLEL - 5
    with httpx.Client(base_url=stack.base_url, timeout=60) as c:
        locked = _page_sign_in(c, fresh_user, DEMO_PASSWORD)
        assert locked.status_code == 429 and "登录失败次数过多" in locked.text
        assert int(locked.headers["Retry-After"]) > 0


def test_a_lock_from_one_address_leaves_the_account_usable_from_another(fresh_user):
    from services.core.db import session_scope
    from services.core.users import authenticate

    with session_scope() as session:
        for _ in range(5):
            assert authenticate(session, fresh_user, "wrong", client_address="203.0.113.9").error == "用户名或密码错误"
        assert authenticate(session, fresh_user, DEMO_PASSWORD, client_address="203.0.113.9").user is None
        assert authenticate(session, fresh_user, DEMO_PASSWORD, client_address="198.51.100.7").user is not None


def test_guessing_from_many_addresses_meets_the_account_ceiling(fresh_user, monkeypatch):
    from services.core.db import session_scope
    from services.core.settings import get_settings
    from services.core.users import authenticate

    monkeypatch.setattr(get_settings(), "login_account_max_failures", 8)
    with session_scope() as session:
        for i in range(8):
            assert authenticate(session, fresh_user, "wrong", client_address=f"203.0.113.{i}").user is None
        refused = authenticate(session, fresh_user, DEMO_PASSWORD, client_address="198.51.100.7")
        assert refused.user is None and "该账户近期登录失败次数过多" in refused.error
        assert refused.retry_after_seconds > 0


def test_parallel_sessions_on_the_database_check_at_most_the_limit(fresh_user):
    """The same race without the web app: one database session per thread."""
    from sqlmodel import Session

    from services.core.db import get_engine
    from services.core.users import authenticate

    def attempt(password: str) -> str:
        with Session(get_engine()) as session:
            result = authenticate(session, fresh_user, password, client_address="192.0.2.1")
            session.commit()
            return "ok" if result.user else "locked" if result.retry_after_seconds else "wrong"

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        outcomes = list(pool.map(attempt, [f"wrong-{i}" for i in range(PARALLEL)]))
    assert outcomes.count("wrong") == 5 and outcomes.count("locked") == PARALLEL - 5
    assert attempt(DEMO_PASSWORD) == "locked"


def test_a_cookie_captured_before_logout_no_longer_signs_in(stack):
    with httpx.Client(base_url=stack.base_url, timeout=30) as c:
        assert _page_sign_in(c, "enterprise", DEMO_PASSWORD).status_code == 303
        captured = c.cookies["gc_session"]
        page = c.get("/applications")
        assert page.status_code == 200
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        assert c.post("/logout", data={"csrf_token": csrf}).status_code == 303
    with httpx.Client(base_url=stack.base_url, timeout=30, cookies={"gc_session": captured}) as replay:
        r = replay.get("/applications")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_bearer_token_revoked_at_logout_is_refused(stack):
    headers = stack.token("enterprise")
    with stack.client() as c:
        assert c.get("/api/v1/applications", headers=headers).status_code == 200
        assert c.post("/api/v1/auth/logout", headers=headers).status_code == 204
        replay = c.get("/api/v1/applications", headers=headers)
        assert replay.status_code == 401 and replay.json()["detail"] == "未登录或令牌已过期"


def test_the_server_side_session_records_who_and_from_where(stack):
    from sqlmodel import select

    from services.core.db import session_scope
    from services.models import SignInSession, User

    agent = f"gc-test-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=stack.base_url, timeout=30, headers={"User-Agent": agent}) as c:
        assert _page_sign_in(c, "supervisor", DEMO_PASSWORD).status_code == 303
    with session_scope() as session:
        record = session.exec(select(SignInSession).where(SignInSession.user_agent == agent)).one()
        assert session.get(User, record.user_id).username == "supervisor"
        assert record.kind == "page" and record.client_address == "127.0.0.1" and record.revoked_at is None


def _page_sign_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password})


@pytest.mark.parametrize("username", ["enter\x00prise", "x" * 300, "enter\x0bprise", ""])
def test_an_impossible_account_name_is_a_plain_refusal_not_a_server_error(stack, username):
    r = httpx.post(f"{stack.base_url}/api/v1/auth/token", data={"username": username, "password": "wrong"},
                   timeout=30)
    assert r.status_code in (401, 422), r.text
    assert "Traceback" not in r.text
