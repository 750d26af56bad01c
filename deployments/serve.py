"""Serve the scheduled flows as deployments (Prefect runner): the SLA sweep on the interval
``GC_SLA_SWEEP_MINUTES`` (0 = not scheduled) and the weekly progress reports on ``GC_PROGRESS_REPORT_CRON``
in China time (empty = not scheduled), each run in its own process. Cases never run here: their intake and
every later segment run on the warm task workers (``deployments/task_worker.py``).
"""

from datetime import timedelta

from prefect import serve
from prefect.schedules import Cron, Interval

from flows.reports import progress_reports
from flows.sla_sweep import sla_sweep
from services.core.settings import Settings, get_settings

DEPLOYMENT_NAME = "greenchannel"
CHINA_TIME = "Asia/Shanghai"


def deployments(settings: Settings) -> list:
    """Every deployment this runner serves, with the schedules the settings ask for."""
    minutes = settings.sla_sweep_minutes
    sweep_schedules = [Interval(timedelta(minutes=minutes), timezone=CHINA_TIME)] if minutes else []
    report_schedules = [Cron(settings.progress_report_cron, timezone=CHINA_TIME)] \
        if settings.progress_report_cron else []
    return [sla_sweep.to_deployment(name=DEPLOYMENT_NAME, schedules=sweep_schedules),
            progress_reports.to_deployment(name=DEPLOYMENT_NAME, schedules=report_schedules)]


def main() -> None:
    serve(*deployments(get_settings()), limit=8, print_starting_message=False)


if __name__ == "__main__":
    main()
