"""Free text and idempotency keys that services take as plain strings: refused before anything is
written, with a Chinese message for the field (decisions and 补正 items, 续办/终止 reasons, keys)."""

import time
from datetime import timedelta

import pytest
from sqlmodel import select

from forms.errors import field_errors
from services.agency import service as agency
from services.cases import human_actions
from services.core import clock
from services.core.users import get_by_username
from services.eia import service as eia
from services.land_to_start import service as land_to_start
from services.models import ActionKind, MandateEvent, StepAction
from services.standard_land import service as standard_land
from services.standard_land import verification
from services.standard_land.intake import IntakeError, StandardLandApplicationInput, submit_application
from tests.samples import SAMPLE

LONG_KEY = "k" * 100


@pytest.fixture
def users(session):
    return {name: get_by_username(session, name) for name in ("enterprise", "reviewer", "supervisor", "agent")}


def _in_review(session, key):
    data = StandardLandApplicationInput.model_validate(dict(SAMPLE, project_name="边界输入测试项目"))
    application, _ = submit_application(session, get_by_username(session, "enterprise"), data, key)
    return standard_land.open_review(session, application.id, "edge-test")


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"kind": ActionKind.reject, "reasons": "不符合\x01控制指标"}, "reasons",
     "理由含有不可见的控制字符，请删除后重新提交"),
    ({"kind": ActionKind.reject, "reasons": "长" * 200_000}, "reasons", "理由不能超过4000个字"),
    ({"kind": ActionKind.request_supplement, "items": [{"name": "投资\x0b估算表", "reason": "缺少明细"}]},
     "items", "第1项补正材料的材料名称含有不可见的控制字符，请删除后重新提交"),
    ({"kind": ActionKind.request_supplement, "items": [{"name": "估算表", "reason": "缺少\uffff明细"}]},
     "items", "第1项补正材料的补正原因含有无法识别的字符（如U+FFFF），请删除后重新提交"),
    ({"kind": ActionKind.request_supplement, "items": [{"name": "估算表", "reason": "缺少明细"}],
      "justification": "申请人\x00变更"}, "justification", "再次补正的理由含有不可见的控制字符，请删除后重新提交"),
])
def test_a_decision_with_invisible_or_endless_text_is_refused_and_nothing_is_written(session, users, fields,
                                                                                      field, message):
    step = _in_review(session, f"edge-decision-{time.time_ns()}")
    kind = fields.pop("kind")
    with pytest.raises(human_actions.ActionError) as error:
        human_actions.record_action(session, users["reviewer"], step, kind, **fields)
    assert (error.value.field, error.value.message, error.value.status) == (field, message, 422)
    assert session.exec(select(StepAction).where(StepAction.step_id == step.id)).all() == []
    action = human_actions.record_action(session, users["reviewer"], step, ActionKind.request_supplement,
                                         reasons="第一行\n第二行", items=[{"name": "投资估算表", "reason": "缺明细"}])
    assert action.reasons == "第一行\n第二行"  # a textarea keeps its lines


def test_mandate_reasons_and_names_are_checked_before_any_document_is_rendered(session, users):
    with pytest.raises(Exception) as invalid:
        agency.MandateInput.model_validate({"project_name": "项目\x0b名称", "valid_from": clock.today(),
                                            "valid_until": clock.today(), "signed_by_name": "林晓"})
    assert field_errors(invalid.value, {"project_name": "项目名称"}) == {
        "project_name": "项目名称含有不可见的控制字符，请删除后重新提交"}
    today = clock.today()
    data = agency.MandateInput(project_name="边界输入代办项目", all_items=True, valid_from=today,
                               valid_until=today + timedelta(days=30), signed_by_name="林晓", agree=True)
    mandate, _ = agency.sign(session, users["enterprise"], data, f"edge-mandate-{time.time_ns()}")
    agency.assign(session, users["supervisor"], mandate, users["agent"].id)
    events = len(session.exec(select(MandateEvent).where(MandateEvent.mandate_id == mandate.id)).all())
    refusals = [
        (lambda: agency.extend(session, users["enterprise"], mandate, today + timedelta(days=60), "续办\x01理由"),
         "reason", "续办理由含有不可见的控制字符，请删除后重新提交"),
        (lambda: agency.extend(session, users["enterprise"], mandate, today + timedelta(days=60), "长" * 200_000),
         "reason", "续办理由不能超过500个字"),
        (lambda: agency.terminate(session, users["enterprise"], mandate, "终止\x0b理由说明"),
         "reason", "终止理由含有不可见的控制字符，请删除后重新提交"),
        (lambda: agency.record_contact(session, users["agent"], mandate, "电话\x00联系企业"),
         "note", "联系情况含有不可见的控制字符，请删除后重新提交"),
    ]
    for call, field, message in refusals:
        started = time.monotonic()
        with pytest.raises(agency.MandateError) as error:
            call()
        assert (error.value.field, error.value.message) == (field, message)
        assert time.monotonic() - started < 1  # refused before the document is built
    assert len(session.exec(select(MandateEvent).where(MandateEvent.mandate_id == mandate.id)).all()) == events
    session.refresh(mandate)
    assert mandate.status == "active" and mandate.valid_until == today + timedelta(days=30)


def test_every_service_bounds_its_idempotency_key_before_looking_it_up(session, users):
    sample = StandardLandApplicationInput.model_validate(SAMPLE)
    calls = [
        (IntakeError, lambda key: submit_application(session, users["enterprise"], sample, key)),
        (IntakeError, lambda key: eia.submit(session, users["enterprise"], eia.EiaApplicationInput.model_construct(),
                                             key)),
        (land_to_start.LandToStartError, lambda key: land_to_start.submit(
            session, users["enterprise"], land_to_start.LandToStartInput.model_construct(), key)),
        (agency.MandateError, lambda key: agency.sign(session, users["enterprise"],
                                                      agency.MandateInput.model_construct(), key)),
        (verification.VerificationError, lambda key: verification.record_verification(
            session, users["supervisor"], 1, verification.VerificationInput.model_construct(), key)),
    ]
    for error_class, call in calls:
        for key in (LONG_KEY, "键\x00", "a b"):
            with pytest.raises(error_class) as error:
                call(key)
            assert error.value.field == "idempotency_key" and "Idempotency-Key" in error.value.message
