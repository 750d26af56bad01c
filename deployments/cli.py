"""The ``greenchannel`` console command for operators.

``greenchannel run`` starts everything on one machine: migrations, demo data (``--demo``), a Prefect
server (unless ``GC_PREFECT_API_URL`` points to one), the Prefect task worker that runs the process
flows, the runner that serves the flows waiting for people and the schedules, and the web app — and
watches them (``deployments/supervisor.py``). Ctrl-C or SIGTERM stops all of it.
"""

import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import NoReturn

import httpx
import typer

from deployments import prefect_env
from deployments.supervisor import Child, GaveUp, Supervisor
from services.core import heartbeat
from services.core.settings import get_settings

app = typer.Typer(help="Green Channel 绿色通道 — approval processes of industrial parks.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.")
calendar_app = typer.Typer(help="Working-day calendar and official holiday schedules.")
audit_app = typer.Typer(help="The audit trail (审计记录) and its hash chain.")
bases_app = typer.Typer(help="Industrial bases (产业基地): what the parcel catalogue's parcels belong to.")
tokens_app = typer.Typer(help="Integrator API tokens (接口令牌): make, list and revoke the tokens other systems use.")
users_app = typer.Typer(help="Staff accounts (工作人员账户): the first administrator, listing, password resets.")
app.add_typer(db_app, name="db")
app.add_typer(calendar_app, name="calendar")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.add_typer(bases_app, name="bases")
app.add_typer(tokens_app, name="tokens")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (creates the SQLite database on first use)."""
    from services.core.migrate import upgrade_to_head

    upgrade_to_head()
    typer.echo("database schema is up to date")


@app.command("seed-demo")
def seed_demo() -> None:
    """Load the demo bases, parcels and accounts (idempotent). Not for production."""
    from services import demo
    from services.core.db import session_scope

    with session_scope() as session:
        demo.load(session)
    typer.echo("demo data loaded")


@app.command("sla-sweep")
def sla_sweep_once(
    on: str = typer.Option("", help="sweep as of this date (YYYY-MM-DD); default today"),
    notices: bool = typer.Option(True, help="also issue the pending 督办通知 documents"),
) -> None:
    """Recompute every open step's light and escalate red steps now, without Prefect (idempotent).

    With ``--on`` the sweep runs as of that day (e.g. to catch up a day the scheduler missed): lights,
    escalations and the 督办通知 issued are dated that day."""
    from datetime import date, datetime, time

    from services.core import clock
    from services.core.db import session_scope
    from services.supervision import service as supervision
    from services.supervision.sla_rules import LIGHT_ZH

    if on:
        day = date.fromisoformat(on)
        clock.set_clock(lambda: datetime.combine(day, time(9)))
    with session_scope() as session:
        report = supervision.sweep(session)
        issued = supervision.issue_pending_notices(session) if notices else []
    lights = ", ".join(f"{LIGHT_ZH[k]} {v}" for k, v in report.lights.items())
    typer.echo(f"{report.today}: {report.steps} open steps ({lights}); {report.changed} changed, "
               f"{report.notified} notified, {len(report.escalations)} escalations, "
               f"{len(report.overdue_replies)} for replies overdue, {len(issued)} notices issued")


@app.command("bulletins")
def bulletins(
    month: str = typer.Option("", help="the month (YYYY-MM); default the month before this one"),
    department: str = typer.Option("", help="one department; default every department that decides steps"),
) -> None:
    """Issue each department's 月度通报 (monthly bulletin: handled, on time, late, overdue, 督办) for an ended
    month; a bulletin issued before is not issued again."""
    from services.core.db import session_scope
    from services.supervision import bulletin

    try:
        first_day = bulletin.ended_month(month) if month else bulletin.last_month()
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    names = bulletin.departments()
    if department and department not in names:
        typer.echo(f"没有这个部门：{department}（可选：{'、'.join(names)}）", err=True)
        raise typer.Exit(2)
    for name in [department] if department else names:
        with session_scope() as session:
            document = bulletin.issue(session, name, first_day)
            typer.echo(f"{name}\t{first_day:%Y-%m}\t{document.number}\t{document.pdf_path}")


@tokens_app.command("create")
def tokens_create(
    name: str = typer.Argument(..., help="the system, e.g. 广东政务服务网"),
    user: str = typer.Option(..., "--user", help="the account the token acts as (its visibility)"),
    scope: list[str] = typer.Option(..., "--scope",
                                    help="cases:read, cases:write, catalogue:read or catalogue:write (repeat)"),
    expires: str = typer.Option("", "--expires", help="last day it works (YYYY-MM-DD); default: until revoked"),
) -> None:
    """Make a token and print it once (only its hash is kept)."""
    from datetime import date

    from services.core.db import session_scope
    from services.integrations import tokens

    try:
        expires_on = date.fromisoformat(expires) if expires else None
    except ValueError as error:
        typer.echo("有效期请按“年-月-日”填写，例如 2027-12-31", err=True)
        raise typer.Exit(2) from error
    try:
        with session_scope() as session:
            row, token = tokens.create(session, None, name=name, username=user, scopes=scope, expires_on=expires_on)
            number = row.id
    except tokens.TokenError as error:
        typer.echo("\n".join(error.errors.values()) or error.message, err=True)
        raise typer.Exit(2) from error
    typer.echo(f"接口令牌 {number}（只显示一次）：\n{token}")


@tokens_app.command("list")
def tokens_list() -> None:
    """Every token: id, system, first characters, account, scopes, state."""
    from services.core import clock
    from services.core.db import session_scope
    from services.integrations import tokens

    with session_scope() as session:
        for row, username in tokens.listing(session):
            state = "revoked" if row.revoked_at else "expired" if row.expires_at and row.expires_at <= clock.now() \
                else "active"
            typer.echo(f"{row.id}\t{row.name}\t{row.prefix}…\t{username}\t{','.join(row.scopes)}\t{state}")


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token at once (its next request gets 401)."""
    from services.core.db import session_scope
    from services.integrations import tokens

    try:
        with session_scope() as session:
            tokens.revoke(session, None, token_id)
    except tokens.TokenError as error:
        typer.echo(error.message, err=True)
        raise typer.Exit(2) from error
    typer.echo(f"接口令牌 {token_id} 已吊销")


@calendar_app.command("load")
def calendar_load(file: Path) -> None:
    """Load an official holiday schedule (TOML) and recompute provisional deadlines."""
    from services.calendar.schedules import load_schedule
    from services.calendar.work_calendar import ScheduleError
    from services.core.db import session_scope
    from services.supervision.deadline_notices import tell_moved_deadlines

    try:
        with session_scope() as session:
            schedule, changes = load_schedule(session, file.read_text(encoding="utf-8"), actor=None,
                                              tell=tell_moved_deadlines)
    except ScheduleError as error:
        typer.echo(f"节假日安排文件有误：{error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(f"loaded {schedule.year}: {len(schedule.holidays)} holidays, {len(schedule.workdays)} make-up "
               f"workdays; {len(changes)} deadlines moved")
    for c in changes:
        typer.echo(f"  {c['case_no']} {c['step']}: {c['old_due']} -> {c['new_due']}")


@calendar_app.command("due")
def calendar_due(accepted_on: str, working_days: int) -> None:
    """Print the due date N working days after ACCEPTED_ON (YYYY-MM-DD)."""
    from services.calendar.schedules import work_calendar
    from services.core.db import session_scope

    with session_scope() as session:
        due = work_calendar(session).add_working_days(date.fromisoformat(accepted_on), working_days)
    typer.echo(f"{due.due.isoformat()}{' (provisional)' if due.provisional else ''}")


# verify_chain's reasons (Chinese, for the operator) by their opening words, said in English as well
CHAIN_BREAK_EN = {"链序号或哈希被清除": "its chain position or hash was cleared",
                  "链中缺少": "records before it are missing (deleted)",
                  "链序号重复": "its chain position is repeated (a record was copied or changed)",
                  "记录内容或哈希与链不符": "its content or hash does not fit the chain (changed)"}


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit trail's hash chain from the stored rows: exit 0 when every sealed row fits,
    1 at the first row that does not (edited, deleted or copied behind the application's back)."""
    from sqlmodel import col, func, select

    from services.core import audit
    from services.core.db import session_scope
    from services.models import AuditEvent

    with session_scope() as session:
        broken = audit.verify_chain(session)
        sealed = session.exec(select(func.count()).select_from(AuditEvent)
                              .where(col(AuditEvent.chain_seq).is_not(None))).one()
    if broken is None:
        typer.echo(f"审计链完整：{sealed}条已封存记录均与链相符。\n"
                   f"Audit chain intact: all {sealed} sealed events fit the chain.")
        return
    english = next((en for zh, en in CHAIN_BREAK_EN.items() if broken.reason.startswith(zh)),
                   "it does not fit the chain")
    typer.echo(f"审计链已断开：第{broken.chain_seq}号记录（事件{broken.event_id}）{broken.reason}。\n"
               f"Audit chain broken at event {broken.event_id} (chain position {broken.chain_seq}): {english}.",
               err=True)
    raise typer.Exit(1)


@users_app.command("create")
def users_create(
    username: str = typer.Argument(..., help="sign-in name: 3–32 lower-case letters, digits, _ . -"),
    name: str = typer.Option(..., "--name", help="the person's name as pages show it, e.g. 系统管理员 张伟"),
    department: str = typer.Option(..., "--department", help="e.g. 绿色通道服务中心 (see `greenchannel users "
                                                               "departments`)"),
    role: str = typer.Option("supervisor", "--role", help="agent, reviewer or supervisor"),
    admin: bool = typer.Option(False, "--admin", help="may create and manage staff accounts (系统管理员)"),
    password: str = typer.Option(..., prompt="Password (at least 10 characters)", hide_input=True,
                                 confirmation_prompt=True, help="asked for when not given; read from stdin "
                                                                "when it is not a terminal"),
) -> None:
    """Create a staff account, e.g. the park's first administrator (``--admin``) on an empty database."""
    from services.accounts import passwords, staff
    from services.core.db import session_scope

    with session_scope() as session:
        try:
            username, data = staff.read_new_staff(session, {"username": username, "display_name": name,
                                                            "department": department, "role": role,
                                                            "is_admin": "1" if admin else ""})
        except staff.AccountError as error:
            _refuse(*error.errors.values())
        if problem := passwords.problem(password, username=username):
            _refuse(problem.replace("新密码", "密码"))
        staff.create_staff(session, None, username, data, password=password)
    typer.echo(f"账户已建立：{username}（{data.role.label_zh}，{data.department}"
               f"{'，系统管理员' if data.is_admin else ''}）。\nAccount created: {username}.")


@users_app.command("list")
def users_list(query: str = typer.Argument("", help="part of a username, name, department or phone")) -> None:
    """Staff accounts: username, role, department, administrator, active."""
    from services.accounts import staff
    from services.core.db import session_scope

    with session_scope() as session:
        accounts, total = staff.staff_page(session, query, page=1)
        for user in accounts:
            flags = ",".join(f for f, on in (("admin", user.is_admin), ("inactive", not user.is_active),
                                             ("must-change-password", user.must_change_password)) if on)
            typer.echo(f"{user.username}\t{user.role.value}\t{user.department or '-'}\t{user.display_name}\t{flags}")
    if total > len(accounts):
        typer.echo(f"… {total - len(accounts)} more: narrow the query", err=True)


@users_app.command("departments")
def users_departments() -> None:
    """The departments a staff account can belong to (those the process steps name)."""
    from services.accounts import staff
    from services.core.db import session_scope

    with session_scope() as session:
        typer.echo("\n".join(staff.departments(session)))


@users_app.command("reset-password")
def users_reset_password(username: str) -> None:
    """Give an account a new initial password (printed once; to be changed at the next sign-in), e.g. when the
    only administrator has forgotten theirs. Every sign-in of the account ends."""
    from services.accounts import staff
    from services.core.db import session_scope
    from services.core.users import get_by_username

    with session_scope() as session:
        user = get_by_username(session, username.strip().lower())
        if user is None:
            _refuse(f"没有用户名为“{username}”的账户")
        initial = staff.reset_password(session, None, user)
    typer.echo(f"新的初始密码（只显示一次）：{initial}\nNew initial password (shown once): {initial}")


@users_app.command("second-factor-off")
def users_second_factor_off(username: str) -> None:
    """Turn an account's 动态口令 off (a lost phone when no administrator can sign in to do it)."""
    from services.accounts import second_factor
    from services.core.db import session_scope
    from services.core.users import get_by_username

    with session_scope() as session:
        user = get_by_username(session, username.strip().lower())
        if user is None:
            _refuse(f"没有用户名为“{username}”的账户")
        second_factor.turn_off(session, None, user)
    typer.echo(f"已关闭 {username} 的动态口令。\nSecond factor turned off for {username}.")


@bases_app.command("add")
def bases_add(code: str = typer.Argument(..., help="e.g. EAST-IM (parcel numbers are DG-<code>-<year>-NN)"),
              name: str = typer.Option(..., "--name", help="e.g. 东部智能制造产业基地"),
              district: str = typer.Option("", "--district", help="where it lies, e.g. 松山湖东部工业园")) -> None:
    """Add an industrial base; its parcels are then added at 地块目录 (one by one or by CSV import)."""
    from services.core.db import session_scope
    from services.standard_land import catalogue

    with session_scope() as session:
        try:
            base = catalogue.add_base(session, None, code, name, district)
        except catalogue.CatalogueError as error:
            _refuse(*error.errors.values())
        typer.echo(f"产业基地已添加：{base.code} {base.name}\nIndustrial base added: {base.code}.")


@bases_app.command("list")
def bases_list() -> None:
    """The industrial bases: code, name, district."""
    from services.core.db import session_scope
    from services.standard_land import catalogue

    with session_scope() as session:
        for base in catalogue.list_bases(session):
            typer.echo(f"{base.code}\t{base.name}\t{base.district or '-'}")


def _refuse(*messages: str) -> NoReturn:
    typer.echo("\n".join(messages), err=True)
    raise typer.Exit(2)


@app.command()
def run(
    host: str = typer.Option("127.0.0.1", help="web app address"),
    port: int = typer.Option(8000, help="web app port"),
    prefect_port: int = typer.Option(0, help="port of the Prefect server started here; 0: GC_PREFECT_PORT (4200)"),
    demo: bool = typer.Option(False, "--demo", help="load demo data first"),
) -> None:
    """Start and watch the Prefect server, the task worker, the runner and the web app; Ctrl-C stops everything.

    A process that dies or hangs is restarted with backoff; one that keeps failing stops everything with
    exit code 3 and the reason (in Chinese and English)."""
    if prefect_port:
        os.environ["GC_PREFECT_PORT"] = str(prefect_port)
        get_settings.cache_clear()
    settings = get_settings()
    _check_port_free(host, port, "网站", "web app")
    if not settings.prefect_api_url:
        _check_port_free("127.0.0.1", settings.prefect_port, "Prefect 服务", "Prefect server")
    _prepare(settings)
    _check_schedules(settings)

    def prepare_database() -> None:  # while the Prefect server boots: both take seconds, neither needs the other
        db_upgrade()
        if demo:
            seed_demo()

    server = [] if settings.prefect_api_url else [_prefect_server(settings, "127.0.0.1", settings.prefect_port)]
    workers = [_task_worker(settings, url) for url in settings.prefect_servers] + [_runner(settings)]
    _supervise(server, workers + [_web_app(settings, host, port)],
               banner=partial(_print_banner, host, port, settings, demo), prepare=prepare_database)


# ---------------------------------------------------------------------------------- one role per machine
# On several machines each role is started on its own, all with the same GC_… settings (README, Production):
# `prefect-server` (N API servers) and `prefect-services` (their background services) on PostgreSQL with
# GC_REDIS_URL, `worker` (task workers and the runner) and `web` (behind a load balancer).


@app.command("web")
def web(host: str = typer.Option("0.0.0.0", help="address to listen on"),
        port: int = typer.Option(8000, help="port")) -> None:
    """One web app instance (pages and API), watched and restarted like in `run`. Start one per machine behind a
    load balancer; migrations are not applied here (run `greenchannel db upgrade` once per release)."""
    settings = get_settings()
    _check_port_free(host, port, "网站", "web app")
    _prepare(settings)
    _supervise([], [_web_app(settings, host, port)], banner=lambda: typer.echo(f"web app on http://{host}:{port}/"))


@app.command("worker")
def worker() -> None:
    """The task workers (one per Prefect server in GC_PREFECT_SERVER_URLS: each server queues background tasks in
    its own memory) and the runner that serves the deployments and their schedules, watched and restarted."""
    settings = get_settings()
    _prepare(settings)
    _check_schedules(settings)
    _supervise([], [_task_worker(settings, url) for url in settings.prefect_servers] + [_runner(settings)],
               banner=lambda: typer.echo(f"worker on {', '.join(settings.prefect_servers)}"))


@app.command("prefect-server")
def prefect_server(host: str = typer.Option("0.0.0.0", help="address to listen on"),
                   port: int = typer.Option(0, help="port; 0: GC_PREFECT_PORT (4200)"),
                   services: bool = typer.Option(False, help="also run the background services in this "
                                                 "process (one machine); else start `prefect-services` once"),
                   ) -> None:
    """One Prefect API server on GC_PREFECT_DATABASE_URL (PostgreSQL when several share it, with GC_REDIS_URL)."""
    settings = get_settings()
    _check_port_free(host, port or settings.prefect_port, "Prefect 服务", "Prefect server")
    _prepare(settings)
    _supervise([_prefect_server(settings, host, port or settings.prefect_port, services=services)], [],
               banner=lambda: typer.echo(f"Prefect API on http://{host}:{port or settings.prefect_port}/api"))


@app.command("prefect-services")
def prefect_services() -> None:
    """Prefect's background services (scheduler, late runs, events, automations) for the API servers; with
    GC_REDIS_URL several may run, Redis makes each periodic job run once."""
    settings = get_settings()
    _prepare(settings)
    child = Child("Prefect services", "Prefect 后台服务", _python("prefect", "server", "services", "start"),
                  os.environ.copy(), settings.data_dir / "logs" / "prefect-services.log", echo=False, startup_grace=120)
    _supervise([child], [], banner=lambda: typer.echo("Prefect background services started"))


def _prepare(settings) -> None:
    """Data folder and Prefect's environment, before anything imports ``prefect`` (it reads its settings then)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    prefect_env.apply(settings)


def _supervise(servers: list[Child], others: list[Child], banner, prepare: Callable[[], None] | None = None) -> None:
    """Start the servers, run ``prepare`` meanwhile, start the web app, then (once the Prefect API answers) the
    others; watch them until Ctrl-C or SIGTERM.

    The web app does not wait for Prefect: its pages answer at once and say so while orchestration is not up
    (the banner of ``forms.app``), and a submission is handed over once it is. Exit code 3 with the reason when a
    process keeps failing."""
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    supervisor = Supervisor([], echo=lambda line: typer.echo(line, err=True))
    health = os.environ["PREFECT_API_URL"] + "/health"
    web = [child for child in others if child.name == "web app"]
    rest = [child for child in others if child.name != "web app"]
    try:
        for child in servers:
            supervisor.children.append(child)
            supervisor.start(child)
        if prepare is not None:
            prepare()
        for child in web:
            supervisor.children.append(child)
            supervisor.start(child)
        if rest:
            _wait_for_prefect(supervisor, health, stopping)
            if stopping.is_set():  # stopped before Prefect answered: start nothing more
                return
            if get_settings().redis_url:  # before anything queues a background task
                prefect_env.save_task_parameters_block(get_settings().redis_url)
        for child in rest:  # a task worker waits for its own server, the runner for the API
            child.can_start = partial(_answers, child.env.get("PREFECT_API_URL", os.environ["PREFECT_API_URL"])
                                      + "/health")
            supervisor.children.append(child)
            supervisor.start(child)
        banner()
        while not stopping.wait(1):
            supervisor.check()
    except GaveUp as error:
        typer.echo(f"\n{error}", err=True)
        raise typer.Exit(3) from error
    finally:
        supervisor.stop_all()


def _check_port_free(host: str, port: int, name_zh: str, name_en: str) -> None:
    """Refuse to start when another program listens on the port a server of ours needs (exit 2, before anything
    starts), rather than letting that server fail again and again until the supervisor gives up."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no owner
            probe.bind(address)
    except OSError as error:
        typer.echo(f"{name_zh}无法使用 {host}:{port}：该端口已被其他程序占用或地址不可用，"
                   "请用 --port 另选端口或停止占用它的程序。\n"
                   f"The {name_en} cannot use {host}:{port}: {error.strerror or error}. Choose another port with "
                   "--port or stop the program that holds it.", err=True)
        raise typer.Exit(2) from error


def _check_schedules(settings) -> None:
    """Refuse to start with a schedule the runner would die on, saying which setting is wrong."""
    from prefect.client.schemas.schedules import CronSchedule

    if settings.progress_report_cron:
        try:
            CronSchedule(cron=settings.progress_report_cron, timezone="Asia/Shanghai")
        except ValueError as error:
            typer.echo(f"设置有误：GC_PROGRESS_REPORT_CRON={settings.progress_report_cron!r} 不是有效的 cron 表达式。\n"
                       f"Invalid setting GC_PROGRESS_REPORT_CRON={settings.progress_report_cron!r}: {error}", err=True)
            raise typer.Exit(2) from error


def _python(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def _prefect_server(settings, host: str, port: int, services: bool = True) -> Child:
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return Child("Prefect server", "Prefect 服务",
                 _python("prefect", "server", "start", "--host", host, "--port", str(port),
                         *([] if services else ["--no-services"])),
                 os.environ.copy(), settings.data_dir / "logs" / ("prefect-server.log" if port == settings.prefect_port
                                                      else f"prefect-server-{port}.log"), echo=False,
                 health_url=f"http://{local}:{port}/api/health", startup_grace=120, stop_last=True)


def _task_worker(settings, api_url: str) -> Child:
    """A task worker subscribed to one Prefect API server (its queue of background tasks). ``/readyz`` reports
    its heartbeat stale after ``task_worker_stale_seconds``; it is replaced after twice that, so that a beat
    late under load is reported, not killed, and a hung worker is seen not ready before it is replaced."""
    several = len(settings.prefect_servers) > 1
    return Child("task worker", "任务执行器", _python("deployments.task_worker"),
                 dict(os.environ, PREFECT_API_URL=api_url),
                 settings.data_dir / "logs" / (f"task-worker-{settings.prefect_servers.index(api_url) + 1}.log"
                                               if several else "task-worker.log"),
                 heartbeat_file=lambda pid: heartbeat.path(settings, heartbeat.TASK_WORKER, pid),
                 heartbeat_timeout=2 * settings.task_worker_stale_seconds, startup_grace=60,
                 max_rss_mb=settings.task_worker_max_rss_mb)


def _runner(settings) -> Child:
    """The runner's own web server answers /health 503 when it stopped polling Prefect (a hung runner)."""
    runner_port = _free_port()
    env = dict(os.environ, PREFECT_RUNNER_SERVER_ENABLE="true", PREFECT_RUNNER_SERVER_HOST="127.0.0.1",
               PREFECT_RUNNER_SERVER_PORT=str(runner_port))
    return Child("runner", "流程运行器", _python("deployments.serve"), env, settings.data_dir / "logs" / "runner.log",
                 health_url=f"http://127.0.0.1:{runner_port}/health", startup_grace=90)


def _web_app(settings, host: str, port: int) -> Child:
    return Child("web app", "网站", _python("uvicorn", "forms.app:create_app", "--factory", "--host", host,
                                           "--port", str(port), "--log-level", "warning"),
                 os.environ.copy(), settings.data_dir / "logs" / "web-app.log",
                 health_url=f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/healthz",
                 startup_grace=60)


def _wait_for_prefect(supervisor: Supervisor, url: str, stopping: threading.Event, timeout: float = 180) -> None:
    """Wait until Prefect answers, restarting the server if it dies on the way."""
    deadline = time.monotonic() + timeout
    while not stopping.is_set():
        supervisor.check()
        if _answers(url):
            return
        if time.monotonic() > deadline:
            raise GaveUp(f"Prefect 服务在 {timeout:.0f} 秒内未就绪（{url}）。\n"
                         f"The Prefect API did not become healthy at {url} within {timeout:.0f} s.")
        time.sleep(0.5)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _print_banner(host: str, port: int, settings, demo: bool) -> None:
    from services.demo import DEMO_PASSWORD

    typer.echo(f"\n  绿色通道 web app:   http://{host}:{port}/   (API docs: http://{host}:{port}/docs)")
    typer.echo(f"  Prefect UI:         {settings.prefect_ui_base()}/runs")
    typer.echo(f"  data folder:        {settings.data_dir}")
    if demo:
        typer.echo(f"  demo accounts (password {DEMO_PASSWORD}): enterprise · agent · reviewer · supervisor")
    typer.echo("  Ctrl-C stops everything.\n")


if __name__ == "__main__":
    app()
