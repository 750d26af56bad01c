"""The operator's command line, run as an operator would (own data folder, fresh SQLite)."""

import os
import subprocess
import sys

from services.demo import DEMO_ACCOUNTS
from tests.samples import TEST_2027_TOML as TEST_2027


def _cli(tmp_path, *args):
    env = dict(os.environ, GC_DATA_DIR=str(tmp_path), GC_DATABASE_URL="")
    return subprocess.run([sys.executable, "-m", "deployments.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_calendar_commands_and_schedule_loading(tmp_path):
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    assert (tmp_path / "greenchannel.db").exists()
    assert _cli(tmp_path, "calendar", "due", "2025-01-24", "5").stdout.strip() == "2025-02-07"
    assert _cli(tmp_path, "calendar", "due", "2026-12-31", "1").stdout.strip() == "2027-01-04 (provisional)"

    bad = tmp_path / "bad.toml"
    bad.write_text("year = 2027\n[[holidays]]\nname = '元旦'\nstart = 2028-01-01\n", encoding="utf-8")
    result = _cli(tmp_path, "calendar", "load", str(bad))
    assert result.returncode == 2 and "节假日安排文件有误" in result.stderr

    good = tmp_path / "2027.toml"
    good.write_text(TEST_2027, encoding="utf-8")  # test data, not an official schedule
    result = _cli(tmp_path, "calendar", "load", str(good))
    assert result.returncode == 0 and result.stdout.startswith("loaded 2027")
    # with the (test) schedule, 2027-01-04 is an ordinary working day and nothing is provisional
    assert _cli(tmp_path, "calendar", "due", "2026-12-31", "1").stdout.strip() == "2027-01-04"


def test_seed_demo_twice_changes_nothing(tmp_path):
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    assert _cli(tmp_path, "seed-demo").returncode == 0
    assert _cli(tmp_path, "seed-demo").returncode == 0
    import sqlite3

    with sqlite3.connect(tmp_path / "greenchannel.db") as db:
        assert db.execute("SELECT count(*) FROM industrial_base").fetchone()[0] == 7
        assert db.execute("SELECT count(*) FROM user").fetchone()[0] == len(DEMO_ACCOUNTS)


def test_audit_verify_says_intact_then_finds_an_edit_made_with_the_triggers_off(tmp_path):
    import sqlite3

    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    assert _cli(tmp_path, "seed-demo").returncode == 0  # the catalogue writes are audited
    intact = _cli(tmp_path, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "审计链完整" in intact.stdout and "Audit chain intact" in intact.stdout

    with sqlite3.connect(tmp_path / "greenchannel.db") as db:  # what someone with the file can do
        db.execute("DROP TRIGGER audit_event_no_update")
        edited = db.execute("SELECT id, chain_seq FROM audit_event WHERE chain_seq = 2").fetchone()
        db.execute("UPDATE audit_event SET actor_label = 'nobody' WHERE id = ?", (edited[0],))
    broken = _cli(tmp_path, "audit", "verify")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"审计链已断开：第{edited[1]}号记录（事件{edited[0]}）记录内容或哈希与链不符（已被修改）" in broken.stderr
    assert f"Audit chain broken at event {edited[0]} (chain position {edited[1]}): its content or hash does not " \
           "fit the chain (changed)." in broken.stderr


def _cli_typed(tmp_path, typed: str, *args):
    """The command with ``typed`` as what the operator types (no terminal: the password prompt reads stdin)."""
    env = dict(os.environ, GC_DATA_DIR=str(tmp_path), GC_DATABASE_URL="")
    return subprocess.run([sys.executable, "-m", "deployments.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120, input=typed, start_new_session=True)


def test_the_first_administrator_is_created_on_an_empty_database(tmp_path):
    import sqlite3

    from services.core.users import verify_password

    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    departments = _cli(tmp_path, "users", "departments").stdout.split()
    assert "绿色通道服务中心" in departments and "自然资源局" in departments and "申请企业" not in departments
    create = ("users", "create", "admin", "--name", "系统管理员 张伟", "--department", "绿色通道服务中心", "--admin")

    weak = _cli_typed(tmp_path, "12345\n12345\n", *create)
    assert weak.returncode == 2 and "密码至少10位" in weak.stderr
    typed = "松山湖畔2027年春天\n松山湖畔2027年春天\n"
    wrong = _cli_typed(tmp_path, typed, "users", "create", "Bad Name", "--name", "", "--department", "不存在的局")
    assert wrong.returncode == 2
    for message in ("用户名须为3至32位", "请填写姓名", "所属部门须从列表中选择"):
        assert message in wrong.stderr
    with sqlite3.connect(tmp_path / "greenchannel.db") as db:
        assert db.execute("SELECT count(*) FROM user").fetchone()[0] == 0, "nothing written by a refusal"

    made = _cli_typed(tmp_path, "松山湖畔2027年春天\n松山湖畔2027年春天\n", *create)
    assert made.returncode == 0, made.stderr
    assert "账户已建立：admin" in made.stdout
    with sqlite3.connect(tmp_path / "greenchannel.db") as db:
        role, admin, must_change, hashed = db.execute(
            "SELECT role, is_admin, must_change_password, password_hash FROM user WHERE username = 'admin'").fetchone()
        assert (role, admin, must_change) == ("supervisor", 1, 0), "chosen by the operator: no change asked"
        assert verify_password("松山湖畔2027年春天", hashed)
        assert db.execute("SELECT actor_label FROM audit_event WHERE action = 'user.created'").fetchone()[0] == \
            "command line"
    again = _cli_typed(tmp_path, "松山湖畔2027年春天\n松山湖畔2027年春天\n", *create)
    assert again.returncode == 2 and "已被使用" in again.stderr
    assert _cli(tmp_path, "users", "list").stdout.split("\t")[:3] == ["admin", "supervisor", "绿色通道服务中心"]

    reset = _cli(tmp_path, "users", "reset-password", "admin")
    assert reset.returncode == 0
    initial = reset.stdout.split("：", 1)[1].split()[0]
    with sqlite3.connect(tmp_path / "greenchannel.db") as db:
        must_change, hashed = db.execute(
            "SELECT must_change_password, password_hash FROM user WHERE username = 'admin'").fetchone()
    assert must_change == 1 and verify_password(initial, hashed)
    assert "must-change-password" in _cli(tmp_path, "users", "list", "admin").stdout
    assert _cli(tmp_path, "users", "reset-password", "nobody").returncode == 2
    with sqlite3.connect(tmp_path / "greenchannel.db") as db:  # as if the administrator had turned TOTP on
        db.execute("UPDATE user SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_last_step = 1 WHERE username = 'admin'")
    off = _cli(tmp_path, "users", "second-factor-off", "admin")
    assert off.returncode == 0 and "已关闭 admin 的动态口令" in off.stdout
    with sqlite3.connect(tmp_path / "greenchannel.db") as db:
        assert db.execute("SELECT totp_secret FROM user WHERE username = 'admin'").fetchone() == (None,)


def test_a_park_adds_its_industrial_bases_on_an_empty_database(tmp_path):
    import sqlite3

    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    assert _cli(tmp_path, "bases", "list").stdout == ""
    added = _cli(tmp_path, "bases", "add", "east-im", "--name", "东部智能制造产业基地",
                 "--district", "松山湖东部工业园")
    assert added.returncode == 0 and "产业基地已添加：EAST-IM 东部智能制造产业基地" in added.stdout
    again = _cli(tmp_path, "bases", "add", "EAST-IM", "--name", "另一个基地")
    assert again.returncode == 2 and "基地编码“EAST-IM”已存在" in again.stderr
    wrong = _cli(tmp_path, "bases", "add", "东部", "--name", "\x07")
    assert wrong.returncode == 2 and "基地编码须为" in wrong.stderr and "基地名称" in wrong.stderr
    assert _cli(tmp_path, "bases", "list").stdout.split("\n")[0] == "EAST-IM\t东部智能制造产业基地\t松山湖东部工业园"
    with sqlite3.connect(tmp_path / "greenchannel.db") as db:
        assert db.execute("SELECT count(*) FROM industrial_base").fetchone()[0] == 1
        assert db.execute("SELECT actor_label FROM audit_event WHERE action = 'catalogue.base_added'").fetchall() == \
            [("command line",)]


def test_each_departments_monthly_bulletin_is_issued_once_from_the_command_line(tmp_path):
    import sqlite3

    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    wrong = _cli(tmp_path, "bulletins", "--month", "2026/11")
    assert wrong.returncode == 2 and "月份请按“年-月”填写" in wrong.stderr
    future = _cli(tmp_path, "bulletins", "--month", "2099-01")
    assert future.returncode == 2 and "只能通报已经结束的月份" in future.stderr
    unknown = _cli(tmp_path, "bulletins", "--month", "2026-10", "--department", "无此局")
    assert unknown.returncode == 2 and "没有这个部门：无此局" in unknown.stderr and "自然资源局" in unknown.stderr
    issued = _cli(tmp_path, "bulletins", "--month", "2026-10")
    assert issued.returncode == 0, issued.stderr
    lines = [line.split("\t") for line in issued.stdout.strip().splitlines()]
    assert {"自然资源局", "生态环境局", "税务局"} <= {line[0] for line in lines}
    assert all(line[1] == "2026-10" and line[2].startswith("东莞绿通通〔") for line in lines)
    again = _cli(tmp_path, "bulletins", "--month", "2026-10", "--department", "自然资源局")
    numbers = {line[0]: line[2] for line in lines}
    assert again.returncode == 0 and again.stdout.split("\t")[2] == numbers["自然资源局"]  # the same one
    with sqlite3.connect(tmp_path / "greenchannel.db") as db:
        issued_rows = db.execute("SELECT count(*) FROM document WHERE kind = 'department_bulletin'").fetchone()[0]
    assert issued_rows == len(lines)
    assert all(any(tmp_path.rglob(line[3].rsplit("/", 1)[1])) for line in lines)  # each PDF is in the data folder


def test_integrator_tokens_from_the_command_line(tmp_path):
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    assert _cli(tmp_path, "seed-demo").returncode == 0
    wrong = _cli(tmp_path, "tokens", "create", "工改系统", "--user", "nobody", "--scope", "cases:delete")
    assert wrong.returncode == 2 and "在用账户" in wrong.stderr and "未知的权限：cases:delete" in wrong.stderr
    made = _cli(tmp_path, "tokens", "create", "工改系统", "--user", "enterprise", "--scope", "cases:read",
                "--scope", "catalogue:read", "--expires", "2099-12-31")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("gci_")
    listed = _cli(tmp_path, "tokens", "list").stdout.strip().split("\t")
    assert listed[1:] == ["工改系统", token[:12] + "…", "enterprise", "cases:read,catalogue:read", "active"]
    assert _cli(tmp_path, "tokens", "revoke", listed[0]).returncode == 0
    assert _cli(tmp_path, "tokens", "list").stdout.strip().endswith("\trevoked")
    missing = _cli(tmp_path, "tokens", "revoke", "999")
    assert missing.returncode == 2 and "没有这个接口令牌" in missing.stderr
