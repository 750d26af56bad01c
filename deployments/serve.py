"""Serve the flows that wait for people, as deployments on this machine (Prefect runner).

A suspended review run holds no process; when a decision resumes it, this runner picks it up
within a second (``PREFECT_RUNNER_POLL_FREQUENCY``) and runs it in a fresh process. On many
machines, the same deployments go to a process work pool with ``prefect worker start`` instead.
"""

from prefect import serve

from flows.eia import eia_review
from flows.standard_land import standard_land_review

DEPLOYMENT_NAME = "greenchannel"


def main() -> None:
    serve(standard_land_review.to_deployment(name=DEPLOYMENT_NAME), eia_review.to_deployment(name=DEPLOYMENT_NAME),
          limit=8, print_starting_message=False)


if __name__ == "__main__":
    main()
