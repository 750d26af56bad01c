"""How long the SLA sweep (亮灯督办) takes over many open steps — it must finish well inside its interval.

Builds a fresh database (SQLite by default, or ``--database-url``), loads the demo data, inserts
``--steps`` open department steps in bulk (25 % of them already past their deadline, a spread of
deadlines over the next weeks, 3 % suspended for 补正) of one project delegated to an agent (代办委托:
every new yellow also notifies the agent), then times:

1. baseline: reading the open steps (the query the sweep starts with);
2. the first sweep (every light new; yellow notifications and red escalations recorded);
3. the same sweep again (nothing changes: it must be cheap and send nothing);
4. the sweep one working day later (lights move, new escalations);
5. issuing 20 pending 督办通知 documents (rendering is kept out of the light pass).

Prints each figure and its ratio to the baseline. Usage::

    .venv/bin/python bench/bench_sweep.py [--steps 100000] [--database-url postgresql+psycopg://…] [--profile]

``--database-url`` DROPS and recreates schema ``public`` of that database.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _prepare_environment(database_url: str) -> Path:
    data = Path(tempfile.mkdtemp(prefix="gc-bench-sweep-"))
    os.environ.update({"GC_DATA_DIR": str(data), "GC_DATABASE_URL": database_url, "GC_SECRET_KEY": "bench"})
    sys.path.insert(0, str(REPO))
    return data


def _bulk_steps(session, count: int, today: date) -> None:
    """``count`` open 自然资源局 review steps on count/4 applications (4 open steps each), inserted in bulk."""
    from sqlalchemy import insert

    from services.core.users import get_by_username
    from services.models import Application, Enterprise, Project, Step

    user = get_by_username(session, "enterprise")
    enterprise = session.get(Enterprise, user.enterprise_id)
    now = datetime.combine(today, datetime.min.time())
    project = Project(enterprise_id=enterprise.id, name="压测项目", industry_code="3983", total_investment_wan=1,
                      land_area_mu=1, expected_annual_output_wan=1, expected_annual_tax_wan=1, created_at=now)
    session.add(project)
    session.flush()
    apps = count // 4
    session.execute(insert(Application), [
        {"case_no": f"BENCH-{i:07d}", "process_key": "standard_land", "process_version": 2, "title": "压测",
         "enterprise_id": enterprise.id, "project_id": project.id, "status": "accepted", "submitted_at": now,
         "created_by_id": user.id, "idempotency_key": f"bench-{i}", "form_data": {}} for i in range(apps)])
    ids = [row[0] for row in session.execute(
        Application.__table__.select().with_only_columns(Application.id).where(Application.case_no.like("BENCH-%")))]
    rows = []
    for n, app_id in enumerate(ids):
        for k in range(4):
            i = n * 4 + k
            due = today + timedelta(days=(i % 40) - 10)  # 10 of 40 deadlines already past
            rows.append({"application_id": app_id, "key": f"step_{k}", "name": "自然资源局审查", "kind": "human",
                         "department": "自然资源局", "sequence": k, "status": "suspended" if i % 33 == 0 else "running",
                         "sla_working_days": 5, "sla_unit": "working_day", "due_on": due, "due_provisional": False,
                         "outcome": {}, "paused_working_days": 0,
                         "started_at": datetime.combine(due - timedelta(days=7), datetime.min.time())})
    for start in range(0, len(rows), 10_000):
        session.execute(insert(Step), rows[start:start + 10_000])
    _mandate(session, user, project, today)
    session.commit()


def _mandate(session, user, project, today: date) -> None:
    """The project is delegated (all items) to the demo agent, so a new yellow also looks up and tells the
    agent, as in a park where every case has an agent."""
    from services.core.users import get_by_username
    from services.models import Mandate

    session.add(Mandate(enterprise_id=project.enterprise_id, project_id=project.id, project_name=project.name,
                        all_items=True, valid_from=today - timedelta(days=30), valid_until=today + timedelta(days=365),
                        agent_id=get_by_username(session, "agent").id,
                        contacted_at=datetime.combine(today, clock_time(9)),
                        signed_by_id=user.id, signed_by_name="压测", signed_at=datetime.combine(today, clock_time(9)),
                        idempotency_key="bench"))


def _timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s", flush=True)
    return seconds, result


def _profiled(fn):
    def run():
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(fn)
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
        return result
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", action="store_true",
                        help="run sweep 3 under cProfile and print its 25 costliest functions (cumulative)")
    args = parser.parse_args()
    data = _prepare_environment(args.database_url)
    if args.database_url:
        from tests.harness import reset_databases

        reset_databases(args.database_url)
    from sqlmodel import Session, func, select

    from services import demo
    from services.core import clock
    from services.core.db import get_engine
    from services.core.migrate import upgrade_to_head
    from services.models import Escalation, Notification, Step, StepStatus
    from services.supervision import service as supervision

    upgrade_to_head()
    today = date(2026, 12, 1)  # a Tuesday with working days around it
    with Session(get_engine()) as session:
        demo.load(session)
        session.commit()
        seconds, _ = _timed(f"insert {args.steps:,} open steps", lambda: _bulk_steps(session, args.steps, today))

    def read_open():
        with Session(get_engine()) as s:
            return len(s.exec(select(Step.id, Step.due_on).where(Step.status.in_(
                [StepStatus.running, StepStatus.suspended]))).all())

    def sweep_on(day):
        def run():
            with Session(get_engine()) as s:
                report = supervision.sweep(s, day)
                s.commit()
                return report
        return run

    base, n_open = _timed(f"baseline: read {args.steps:,} open steps", read_open)
    first, report1 = _timed("sweep 1 (all lights new)", sweep_on(today))
    again, report2 = _timed("sweep 2 (same day, nothing changes)", sweep_on(today))
    sweep3 = sweep_on(today + timedelta(days=1))
    if args.profile:  # the profiler slows the sweep down: its time is not comparable with an unprofiled run
        sweep3 = _profiled(sweep3)
    later, report3 = _timed("sweep 3 (one working day later)", sweep3)

    def notices():  # issued on the day of the last sweep, as the scheduled flow would
        clock.set_clock(lambda: datetime.combine(today + timedelta(days=1), datetime.min.time()))
        try:
            with Session(get_engine()) as s:
                issued = supervision.issue_pending_notices(s, limit=20)
                s.commit()
                return issued
        finally:
            clock.set_clock(None)
    render, issued = _timed("issue 20 督办通知 (PDF + DOCX)", notices)
    with Session(get_engine()) as s:
        escalations = s.exec(select(func.count()).select_from(Escalation)).one()
        notifications = s.exec(select(func.count()).select_from(Notification)).one()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print("=" * 100)
    print(f"SLA sweep over {n_open:,} open steps ({engine}, {os.cpu_count()} CPUs, {date.today()})")
    print(f"command: {' '.join(sys.argv)}")
    print(f"baseline (read open steps): {base:.2f} s")
    print(f"sweep 1, all lights new: {first:.2f} s ({first / base:.1f}× baseline); lights {report1.lights}; "
          f"{report1.notified} notifications, {len(report1.escalations)} escalations")
    print(f"sweep 2, same day: {again:.2f} s ({again / base:.1f}× baseline); changed {report2.changed}, "
          f"{report2.notified} notifications, {len(report2.escalations)} escalations (must be 0, 0)")
    print(f"sweep 3, next day: {later:.2f} s ({later / base:.1f}× baseline); changed {report3.changed}, "
          f"{report3.notified} notifications, {len(report3.escalations)} escalations")
    print(f"20 督办通知 rendered and stored: {render:.2f} s ({len(issued)} issued)")
    print(f"rows: {escalations:,} escalations, {notifications:,} notifications; data folder {data}")
    print("=" * 100)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
