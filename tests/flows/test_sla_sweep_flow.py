"""The SLA sweep as a Prefect deployment of the running stack: a run started through the Prefect API
completes and leaves its summary artifact; the database shows the lights it computed."""

import httpx
from sqlmodel import Session, select

from services.core.db import get_engine
from services.models import Step, StepLight, StepStatus
from tests.stack_api import flow_run as _flow_run
from tests.stack_api import submit as _submit
from tests.stack_api import waiting_for_decision as _waiting_for_decision
from tests.waiting import wait_for as _wait


def test_a_sweep_run_lights_every_open_step(stack, sample_application):
    app_id = _submit(stack, sample_application)
    _waiting_for_decision(stack, app_id)
    deployment = httpx.get(f"{stack.prefect_api}/deployments/name/sla-sweep/greenchannel").json()
    # Prefect's SQLite database can answer "locked" under load: ask again, as a client would
    create = f"{stack.prefect_api}/deployments/{deployment['id']}/create_flow_run"
    run = _wait(lambda: (r := httpx.post(create, json={}, timeout=30)).is_success and r.json(), 60,
                "the sweep run to be created")
    final = _wait(lambda: (r := _flow_run(stack, run["id"]))["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED")
                  and r, 180, "the sweep run")
    assert final["state"]["type"] == "COMPLETED"
    artifacts = httpx.post(f"{stack.prefect_api}/artifacts/filter",
                           json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}).json()
    assert any(a["key"] == "sla-sweep" and "在办环节" in a["data"] for a in artifacts)
    with Session(get_engine()) as s:
        review = s.exec(select(Step).where(Step.application_id == app_id, Step.key == "land_review")).one()
        assert review.status == StepStatus.running
        light = s.get(StepLight, review.id)
        assert light is not None and light.light == "green" and light.remaining_working_days >= 5
