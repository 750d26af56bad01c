"""Serve the flows that wait for people, as deployments on this machine (Prefect runner).

A suspended review run holds no process; when a decision resumes it, this runner picks it up
within a second (``PREFECT_RUNNER_POLL_FREQUENCY``) and runs it in a fresh process. On many
machines, the same deployments go to a process work pool with ``prefect worker start`` instead.
The SLA sweep (with the stuck-work repair) is served here too, on the interval ``GC_SLA_SWEEP_MINUTES``
(0 = not scheduled), and the weekly progress reports on ``GC_PROGRESS_REPORT_CRON`` in China time
(empty = not scheduled).
"""

from datetime import timedelta

from prefect import serve
from prefect.schedules import Cron, Interval

from flows.eia import eia_review
from flows.land_to_start import land_to_start_case
from flows.reports import progress_reports
from flows.sla_sweep import sla_sweep
from flows.standard_land import standard_land_review
from services.core.settings import Settings, get_settings

DEPLOYMENT_NAME = "greenchannel"
CHINA_TIME = "Asia/Shanghai"


def deployments(settings: Settings) -> list:
    """Every deployment this runner serves, with the schedules the settings ask for."""
    minutes = settings.sla_sweep_minutes
    sweep_schedules = [Interval(timedelta(minutes=minutes), timezone=CHINA_TIME)] if minutes else []
    report_schedules = [Cron(settings.progress_report_cron, timezone=CHINA_TIME)] \
        if settings.progress_report_cron else []
    return [standard_land_review.to_deployment(name=DEPLOYMENT_NAME),
            eia_review.to_deployment(name=DEPLOYMENT_NAME),
            land_to_start_case.to_deployment(name=DEPLOYMENT_NAME),
            sla_sweep.to_deployment(name=DEPLOYMENT_NAME, schedules=sweep_schedules),
            progress_reports.to_deployment(name=DEPLOYMENT_NAME, schedules=report_schedules)]


def main() -> None:
    serve(*deployments(get_settings()), limit=8, print_starting_message=False)


if __name__ == "__main__":
    main()
