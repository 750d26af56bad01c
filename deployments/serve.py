"""Serve the flows that wait for people, as deployments on this machine (Prefect runner).

A suspended review run holds no process; when a decision resumes it, this runner picks it up
within a second (``PREFECT_RUNNER_POLL_FREQUENCY``) and runs it in a fresh process. On many
machines, the same deployments go to a process work pool with ``prefect worker start`` instead.
The SLA sweep is served here too, on the interval ``GC_SLA_SWEEP_MINUTES`` (0 = not scheduled), and the
weekly progress reports on ``GC_PROGRESS_REPORT_CRON`` (empty = not scheduled).
"""

from datetime import timedelta

from prefect import serve

from flows.eia import eia_review
from flows.land_to_start import land_to_start_case
from flows.reports import progress_reports
from flows.sla_sweep import sla_sweep
from flows.standard_land import standard_land_review
from services.settings import get_settings

DEPLOYMENT_NAME = "greenchannel"


def main() -> None:
    settings = get_settings()
    minutes = settings.sla_sweep_minutes
    sweep = sla_sweep.to_deployment(name=DEPLOYMENT_NAME, interval=timedelta(minutes=minutes) if minutes else None)
    schedule = {"cron": settings.progress_report_cron, "timezone": "Asia/Shanghai"} \
        if settings.progress_report_cron else {}
    weekly = progress_reports.to_deployment(name=DEPLOYMENT_NAME, **schedule)
    serve(standard_land_review.to_deployment(name=DEPLOYMENT_NAME), eia_review.to_deployment(name=DEPLOYMENT_NAME),
          land_to_start_case.to_deployment(name=DEPLOYMENT_NAME), sweep, weekly, limit=8,
          print_starting_message=False)


if __name__ == "__main__":
    main()
