"""The ``greenchannel`` console command for operators.

``greenchannel run`` starts everything on one machine: migrations, demo data (``--demo``), a Prefect
server (unless ``GC_PREFECT_API_URL`` points to one), the Prefect task worker that runs the process
flows, and the web app. Ctrl-C stops all of it.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import typer

from deployments import prefect_env
from services.settings import get_settings

app = typer.Typer(help="Green Channel 绿色通道 — approval processes of industrial parks.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.")
calendar_app = typer.Typer(help="Working-day calendar and official holiday schedules.")
app.add_typer(db_app, name="db")
app.add_typer(calendar_app, name="calendar")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (creates the SQLite database on first use)."""
    from services.migrate import upgrade_to_head

    upgrade_to_head()
    typer.echo("database schema is up to date")


@app.command("seed-demo")
def seed_demo() -> None:
    """Load the demo bases, parcels and accounts (idempotent). Not for production."""
    from services import demo
    from services.db import session_scope

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

    from services import clock, supervision
    from services.db import session_scope
    from services.rules.sla import LIGHT_ZH

    if on:
        day = date.fromisoformat(on)
        clock.set_clock(lambda: datetime.combine(day, time(9)))
    with session_scope() as session:
        report = supervision.sweep(session)
        issued = supervision.issue_pending_notices(session) if notices else []
    lights = ", ".join(f"{LIGHT_ZH[k]} {v}" for k, v in report.lights.items())
    typer.echo(f"{report.today}: {report.steps} open steps ({lights}); {report.changed} changed, "
               f"{report.notified} notified, {len(report.escalations)} escalations, {len(issued)} notices issued")


@calendar_app.command("load")
def calendar_load(file: Path) -> None:
    """Load an official holiday schedule (TOML) and recompute provisional deadlines."""
    from services.calendar import ScheduleError
    from services.db import session_scope
    from services.schedules import load_schedule

    try:
        with session_scope() as session:
            schedule, changes = load_schedule(session, file.read_text(encoding="utf-8"), actor=None)
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
    from services.db import session_scope
    from services.schedules import work_calendar

    with session_scope() as session:
        due = work_calendar(session).add_working_days(date.fromisoformat(accepted_on), working_days)
    typer.echo(f"{due.due.isoformat()}{' (provisional)' if due.provisional else ''}")


@app.command()
def run(
    host: str = typer.Option("127.0.0.1", help="web app address"),
    port: int = typer.Option(8000, help="web app port"),
    demo: bool = typer.Option(False, "--demo", help="load demo data first"),
) -> None:
    """Start the web app, the Prefect server, the task worker and the runner; Ctrl-C stops everything."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    prefect_env.apply(settings)
    db_upgrade()
    if demo:
        seed_demo()
    children: list[subprocess.Popen] = []
    try:
        if not settings.prefect_api_url:
            children.append(_start_prefect_server(settings))
        _wait_healthy(os.environ["PREFECT_API_URL"] + "/health", "Prefect server", timeout=90)
        children.append(_spawn([sys.executable, "-m", "deployments.task_worker"], "Prefect task worker"))
        children.append(_spawn([sys.executable, "-m", "deployments.serve"], "Prefect runner (review flows)"))
        _print_banner(host, port, settings, demo)
        import uvicorn

        from forms.app import create_app

        uvicorn.run(create_app(), host=host, port=port, log_level="warning")
    finally:
        _stop(children)


def _start_prefect_server(settings) -> subprocess.Popen:
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    return _spawn([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                   "--port", str(settings.prefect_port)], "Prefect server",
                  log=settings.data_dir / "prefect-server.log")


def _spawn(cmd: list[str], label: str, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else None  # noqa: SIM115 - closed with the process
    typer.echo(f"starting {label} …")
    return subprocess.Popen(cmd, env=os.environ.copy(), start_new_session=True, stdout=out,
                            stderr=subprocess.STDOUT if out else None)


def _wait_healthy(url: str, label: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{label} did not become healthy at {url} within {timeout:.0f} s")


def _stop(children: list[subprocess.Popen]) -> None:
    for child in reversed(children):
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    for child in reversed(children):
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)


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
