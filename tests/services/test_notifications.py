"""站内信 and their e-mail, against a real SMTP server (aiosmtpd) listening on this machine.

``deliver_pending`` commits (each claim before its message goes out), so these tests create their own
users with unique names and addresses and look only at what was sent to those addresses.
"""

import threading
import uuid

import pytest
from sqlmodel import Session, select

from services.core import clock, mail
from services.core.db import get_engine
from services.core.settings import get_settings
from services.models import Notification, Role, User
from services.supervision import notifications
from tests.harness import free_port
from tests.mailbox import Sink, mail_on, start_mailbox

BASE_URL = "https://lvtong.example.cn/portal"


@pytest.fixture(scope="module")
def smtp_server():
    controller = start_mailbox()
    yield controller
    controller.stop()


@pytest.fixture
def sink(smtp_server) -> Sink:
    smtp_server.handler.refuse.clear()
    smtp_server.handler.delay = 0.0
    return smtp_server.handler


@pytest.fixture
def mail_settings(smtp_server, migrated, monkeypatch):
    """E-mail on, through the local SMTP server."""
    settings = mail_on(monkeypatch, smtp_server, BASE_URL + "/")
    with Session(get_engine()) as session:  # whatever earlier tests left pending goes out first
        while notifications.deliver_pending(session):
            pass
    return settings


def _user(session: Session, *, email: str | None = "", role: Role = Role.enterprise, department: str | None = None,
          active: bool = True) -> User:
    tag = uuid.uuid4().hex[:10]
    user = User(username=f"n-{tag}", password_hash="-", display_name=f"测试用户{tag}", role=role,
                department=department, email=f"{tag}@qiye.example.cn" if email == "" else email, is_active=active,
                created_at=clock.now())
    session.add(user)
    session.flush()
    return user


def _key() -> str:
    return f"test-{uuid.uuid4().hex}"


def _rows(session: Session, user: User) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(session.exec(stmt.execution_options(populate_existing=True)).all())


def test_notify_is_idempotent_per_user_and_key(session):
    a, b, c = _user(session), _user(session), _user(session)
    key = _key()
    first = notifications.notify(session, [a, b, a], kind="light_yellow", title="【黄灯】即将到期", body="请及时办理。",
                                 link="/applications/1", dedupe_key=key)
    assert sorted(n.user_id for n in first) == sorted([a.id, b.id])
    assert notifications.notify(session, [a, b], kind="light_yellow", title="again", body="again",
                                dedupe_key=key) == []
    third = notifications.notify(session, [a, c], kind="light_yellow", title="t", body="b", dedupe_key=key)
    assert [n.user_id for n in third] == [c.id]
    assert [n.title for n in _rows(session, a)] == ["【黄灯】即将到期"]
    # another key is another notification
    assert len(notifications.notify(session, [a], kind="escalation", title="t", body="b", dedupe_key=_key())) == 1
    assert notifications.notify(session, [], kind="escalation", title="t", body="b", dedupe_key=_key()) == []


def test_notify_many_is_idempotent_per_user_and_key_and_stores_each_message(session):
    a, b, c = _user(session), _user(session), _user(session)
    first, second = _key(), _key()
    long_title = "【黄灯】" + "很长的标题" * 60
    messages = [notifications.Message(users=(a, b, a), kind="light_yellow", title=long_title, body="请及时办理。",
                                      link="/applications/7", dedupe_key=first),
                notifications.Message(users=(b,), kind="escalation", title="【红灯】已超期", body="已提请督办。",
                                      link="", dedupe_key=second, application_id=None)]
    assert notifications.notify_many(session, messages) == 3  # a twice in one message: once
    assert notifications.notify_many(session, messages) == 0  # run again: nobody is told twice
    assert notifications.notify_many(session, [notifications.Message(
        users=(a, c), kind="light_yellow", title="t", body="b", link="", dedupe_key=first)]) == 1  # only c is new
    assert notifications.notify_many(session, []) == 0
    [row] = _rows(session, a)
    assert (row.kind, row.body, row.link, row.dedupe_key, row.application_id, row.email_error, row.read_at) == (
        "light_yellow", "请及时办理。", "/applications/7", first, None, "", None)
    assert len(row.title) == 200 and row.title.endswith("…")
    assert [(n.kind, n.dedupe_key) for n in _rows(session, b)] == [("light_yellow", first), ("escalation", second)]
    assert [n.title for n in _rows(session, c)] == ["t"]
    with pytest.raises(ValueError):
        notifications.notify_many(session, [notifications.Message(users=(a,), kind="x", title="t", body="b", link="",
                                                                  dedupe_key="")])


def test_inbox_unread_and_marking_read_by_the_owner_only(session):
    owner, other = _user(session), _user(session)
    made = [notifications.notify(session, [owner], kind="light_yellow", title=f"消息{i}", body="正文",
                                 dedupe_key=_key())[0] for i in range(3)]
    assert notifications.unread_count(session, owner) == 3
    assert [n.id for n in notifications.inbox(session, owner)] == [n.id for n in reversed(made)]  # newest first
    assert notifications.inbox(session, other) == []

    assert notifications.mark_read(session, other, made[0].id) is None  # someone else's: as if not there
    assert notifications.unread_count(session, owner) == 3
    assert notifications.mark_read(session, owner, 10**9) is None

    read = notifications.mark_read(session, owner, made[0].id)
    assert read is not None and read.read_at is not None
    first_read_at = read.read_at
    assert notifications.mark_read(session, owner, made[0].id).read_at == first_read_at  # idempotent
    assert notifications.unread_count(session, owner) == 2

    assert notifications.mark_all_read(session, other) == 0
    assert notifications.mark_all_read(session, owner) == 2
    assert notifications.mark_all_read(session, owner) == 0
    assert notifications.unread_count(session, owner) == 0


def test_recipients_are_active_department_reviewers_and_supervisors(session):
    department = f"测试局{uuid.uuid4().hex[:6]}"
    reviewer = _user(session, role=Role.reviewer, department=department)
    _user(session, role=Role.reviewer, department=department, active=False)
    _user(session, role=Role.agent, department=department)
    assert [u.id for u in notifications.department_contacts(session, department)] == [reviewer.id]
    supervisor = _user(session, role=Role.supervisor)
    retired = _user(session, role=Role.supervisor, active=False)
    ids = {u.id for u in notifications.supervisors(session)}
    assert supervisor.id in ids and retired.id not in ids
    assert all(u.role == Role.supervisor for u in notifications.supervisors(session))


def test_each_notification_is_mailed_once_with_a_chinese_subject(session, sink, mail_settings):
    with_mail, without_mail = _user(session), _user(session, email=None)
    title = "【红灯·督办通知】GC-2026-000123（智能传感器生产基地项目）的“用地审查”已超期"
    notifications.notify(session, [with_mail, without_mail], kind="supervision_notice", title=title,
                         body="已超过办结期限。\n请于2026年12月4日前书面回复办理情况。", link="/applications/123",
                         dedupe_key=_key(), application_id=None)
    notifications.notify(session, [with_mail, without_mail], kind="light_yellow", title="【黄灯】即将到期",
                         body="剩余2个工作日。", dedupe_key=_key())
    session.commit()

    assert notifications.deliver_pending(session) == 2
    received = sink.to(with_mail.email)
    assert sorted(m["Subject"] for m in received) == sorted([title, "【黄灯】即将到期"])
    notice = next(m for m in received if m["Subject"] == title)
    assert notice["To"] == with_mail.email
    assert notice["From"].addresses[0].display_name == "绿色通道服务平台"
    assert notice["From"].addresses[0].addr_spec == "noreply@lvtong.example.cn"
    assert notice.get_content_type() == "text/plain" and notice.get_content_charset() == "utf-8"
    assert all(ord(ch) < 128 for ch in notice.as_string()), "the message on the wire is 7-bit (encoded)"
    text = notice.get_content()
    assert "请于2026年12月4日前书面回复办理情况。" in text
    assert f"查看详情：{BASE_URL}/applications/123" in text
    assert "查看详情" not in next(m for m in received if m["Subject"] != title).get_content()  # no link, no line

    rows = _rows(session, with_mail)
    assert all(r.email_sent_at is not None and r.email_error == "" for r in rows)
    assert all(r.email_sent_at is None and r.email_error == "" for r in _rows(session, without_mail))

    assert notifications.deliver_pending(session) == 0  # a second run sends nothing again
    assert len(sink.to(with_mail.email)) == 2


def test_email_off_without_an_smtp_host(session, sink, monkeypatch):
    monkeypatch.setattr(get_settings(), "smtp_host", "")
    user = _user(session)
    notifications.notify(session, [user], kind="light_yellow", title="t", body="b", dedupe_key=_key())
    session.flush()  # not committed: nothing here would ever send it
    assert notifications.deliver_pending(session) == 0
    assert sink.to(user.email) == []
    assert [(r.email_sent_at, r.email_error) for r in _rows(session, user)] == [(None, "")]


def test_smtp_down_records_the_error_and_does_not_retry(session, sink, smtp_server, mail_settings, monkeypatch):
    user = _user(session)
    first, second = (notifications.notify(session, [user], kind="light_yellow", title=f"第{i}条", body="b",
                                          dedupe_key=_key())[0].id for i in (1, 2))
    session.commit()
    monkeypatch.setattr(mail_settings, "smtp_port", free_port())  # nothing listens there

    assert notifications.deliver_pending(session) == 0  # no exception
    failed, waiting = _rows(session, user)
    assert failed.id == first and failed.email_sent_at is None
    assert "ConnectionRefused" in failed.email_error
    # a connection failure ends the run: the next message was not tried, and is not marked failed
    assert waiting.id == second and (waiting.email_sent_at, waiting.email_error) == (None, "")

    monkeypatch.setattr(mail_settings, "smtp_port", smtp_server.port)  # the server is back
    assert notifications.deliver_pending(session) == 1
    assert [m["Subject"] for m in sink.to(user.email)] == ["第2条"]  # the failed one is not sent silently
    failed, waiting = _rows(session, user)
    assert "ConnectionRefused" in failed.email_error and failed.email_sent_at is None
    assert waiting.email_sent_at is not None


def test_a_refused_recipient_fails_alone(session, sink, mail_settings):
    refused, fine = _user(session), _user(session)
    sink.refuse.add(refused.email)
    key = _key()
    notifications.notify(session, [refused, fine], kind="light_yellow", title="提醒", body="b", dedupe_key=key)
    session.commit()
    assert notifications.deliver_pending(session) == 1
    [bad] = _rows(session, refused)
    assert bad.email_sent_at is None and "SMTPRecipientsRefused" in bad.email_error and "550" in bad.email_error
    [good] = _rows(session, fine)
    assert good.email_sent_at is not None
    assert len(sink.to(fine.email)) == 1 and sink.to(refused.email) == []
    assert notifications.deliver_pending(session) == 0


def test_two_senders_at_once_never_send_twice(session, sink, mail_settings):
    user = _user(session)
    titles = [f"并发测试{i:02d}" for i in range(24)]
    for title in titles:
        notifications.notify(session, [user], kind="light_yellow", title=title, body="b", dedupe_key=_key())
    session.commit()
    sink.delay = 0.01  # each message takes a moment: the two senders overlap
    start = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            with Session(get_engine(), expire_on_commit=False) as own:
                start.wait()
                counts.append(notifications.deliver_pending(own))
        except Exception as error:  # reported below: a thread's exception would be lost
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(counts) == len(titles)
    assert sorted(m["Subject"] for m in sink.to(user.email)) == titles  # each exactly once
    assert all(r.email_sent_at is not None and r.email_error == "" for r in _rows(session, user))
    assert notifications.deliver_pending(session) == 0
    assert len(sink.to(user.email)) == len(titles)


def test_a_claimed_row_is_not_sent_by_another_sender(session, sink, mail_settings):
    user = _user(session)
    [row] = notifications.notify(session, [user], kind="light_yellow", title="t", body="b", dedupe_key=_key())
    row.email_error = notifications.CLAIMED  # a sender took it and stopped before recording the result
    session.commit()
    assert notifications.deliver_pending(session) == 0
    assert sink.to(user.email) == []


def test_links_become_absolute():
    assert mail.absolute_link("/applications/5", "https://x.cn/gc/") == "https://x.cn/gc/applications/5"
    assert mail.absolute_link("applications/5", "http://127.0.0.1:8000") == \
        "http://127.0.0.1:8000/applications/5"
    assert mail.absolute_link("https://other/x", "http://a") == "https://other/x"
    assert mail.absolute_link("", "http://a") == ""


def test_a_malformed_address_fails_alone(session, sink, mail_settings):
    broken, fine = _user(session, email="lin\nBcc: all@qiye.example.cn"), _user(session)
    notifications.notify(session, [broken, fine], kind="light_yellow", title="提醒", body="b", dedupe_key=_key())
    session.commit()
    assert notifications.deliver_pending(session) == 1
    [bad] = _rows(session, broken)
    assert bad.email_sent_at is None and bad.email_error.startswith("ValueError")
    assert len(sink.to(fine.email)) == 1 and sink.to("all@qiye.example.cn") == []
