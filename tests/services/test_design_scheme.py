"""带设计方案出让 through the services on the real database: 设计方案 versions numbered per case, bad files
refused with nothing written, a double submit kept once, the 设计方案预审 decision bound to the version it was
made on (an approval needs one), a later upload leaving the approval where it was, and the
建设工程规划许可证 citing the approved version."""

import uuid
from datetime import timedelta

import pytest
from sqlmodel import func, select

from services.agency import service as agency
from services.cases import human_actions
from services.cases.steps import get_step
from services.core import clock, file_store
from services.core.formatting import format_date_zh
from services.core.ids import stored_id
from services.core.settings import get_settings
from services.land_to_start import design_scheme_decisions as decisions
from services.land_to_start import design_schemes
from services.land_to_start import service as lts
from services.models import (
    ActionKind,
    Application,
    Attachment,
    AuditEvent,
    DesignScheme,
    Document,
    Project,
    StepStatus,
)
from tests.document_files import needs_poppler, pdf_text, squash
from tests.factories import (
    SCHEME_PDF,
    demo_user,
    design_scheme,
    foreign_attachment,
    make_project,
    other_enterprise_user,
)
from tests.samples import DEPARTMENT_USERS

RUN = "00000000-0000-0000-0000-00000000d51a"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def open_case(session) -> Application:
    project = make_project(session)
    values = {"project_id": project.id, "project_code": "2611-441900-04-01-123456", "building_area_m2": "36000",
              "design_unit": "广东省建筑设计研究院", "contractor": "中建三局第一建设工程有限责任公司",
              "supervisor_unit": "广州建设工程监理有限公司", "contract_price_wan": "18000", "funds_committed": True,
              "risk_signed_by": "陈立新", "risk_agreed": True}
    application = lts.submit(session, demo_user(session, "enterprise"), lts.LandToStartInput.model_validate(values),
                             uuid.uuid4().hex)[0]
    settle(session, stored_id(application))
    return application


def settle(session, application_id: int) -> None:
    """Do what the case flow would do, on a day after the listing period once the listing runs."""
    for _ in range(50):
        listing = get_step(session, application_id, "land_listing")
        today = max(clock.today(), listing.due_on + timedelta(days=1)) if listing.due_on else clock.today()
        plan = lts.plan_work(session, application_id, today)
        if plan.closed or not plan.items:
            return
        for work in plan.items:
            lts.do(session, application_id, work, RUN)
    raise AssertionError("the case never settled")


def decide(session, application_id: int, key: str, kind=ActionKind.approve, **kwargs):
    step = get_step(session, application_id, key)
    reviewer = demo_user(session, DEPARTMENT_USERS[step.department])
    return human_actions.record_action(session, reviewer, step, kind, reasons=kwargs.pop("reasons", "符合规划条件"),
                                       **kwargs)


def upload(session, application, *files: tuple[str, bytes], key: str | None = None, reuse: list[int] | None = None):
    return design_schemes.upload(session, demo_user(session, "enterprise"), application,
                                 [design_schemes.UploadedFile(n, "application/octet-stream", d) for n, d in files],
                                 reuse or [], key or uuid.uuid4().hex)


def counts(session, application_id: int) -> tuple[int, int]:
    schemes = session.exec(select(func.count()).select_from(DesignScheme)
                           .where(DesignScheme.application_id == application_id)).one()
    files = session.exec(select(func.count()).select_from(Attachment).where(
        Attachment.application_id == application_id, Attachment.purpose == "design_scheme")).one()
    return schemes, files


def test_each_upload_set_is_the_next_numbered_version_with_its_files_and_hashes(session):
    application = open_case(session)
    first, created = upload(session, application, ("总平面图.pdf", SCHEME_PDF), ("效果图.png", PNG))
    second, _ = upload(session, application, ("总平面图（修改）.pdf", SCHEME_PDF + b"% v2\n"))
    assert created and (first.version, second.version) == (1, 2)
    views = design_schemes.version_views(session, stored_id(application))
    assert [v.scheme.version for v in views] == [1, 2]
    assert [f.filename for f in views[0].files] == ["总平面图.pdf", "效果图.png"]
    assert all(len(f.sha256) == 64 for f in views[0].files) and first.file_count == 2
    assert first.digest != second.digest and decisions.reference(first) == f"设计方案第1版，文件哈希{first.digest[:12]}"


@pytest.mark.parametrize(("name", "data", "says"), [
    ("setup.exe", b"MZ\x90\x00", "格式不支持"),
    ("空白.pdf", b"", "空文件"),
    ("假图纸.pdf", b"not a pdf", "不是PDF文件"),
    ("总平\x07面图.pdf", SCHEME_PDF, "控制字符"),
])
def test_a_bad_file_refuses_the_whole_set_and_writes_nothing(session, name, data, says):
    application = open_case(session)
    with pytest.raises(decisions.DesignSchemeError) as refused:
        upload(session, application, ("总平面图.pdf", SCHEME_PDF), (name, data))
    assert refused.value.field == "files" and refused.value.message.startswith("设计方案文件")
    assert says in refused.value.message
    assert counts(session, stored_id(application)) == (0, 0)


def test_a_file_over_the_size_limit_is_refused(session, monkeypatch):
    application = open_case(session)
    monkeypatch.setenv("GC_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    try:
        with pytest.raises(decisions.DesignSchemeError, match="超过1MB"):
            upload(session, application, ("大图.pdf", SCHEME_PDF + b"0" * (1024 * 1024)))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert counts(session, stored_id(application)) == (0, 0)


def test_nothing_chosen_and_other_peoples_files_are_refused(session):
    application = open_case(session)
    with pytest.raises(decisions.DesignSchemeError, match="请选择要上传的设计方案文件"):
        upload(session, application)
    with pytest.raises(decisions.DesignSchemeError) as refused:
        upload(session, application, reuse=[stored_id(foreign_attachment(session))])
    assert refused.value.field == "reuse_ids"
    with pytest.raises(decisions.DesignSchemeError, match="只有申请企业"):
        design_schemes.upload(session, other_enterprise_user(session), application,
                              [design_schemes.UploadedFile("a.pdf", "", SCHEME_PDF)], [], uuid.uuid4().hex)
    assert counts(session, stored_id(application)) == (0, 0)


def test_a_double_submit_keeps_one_version(session):
    application = open_case(session)
    first, created = upload(session, application, ("总平面图.pdf", SCHEME_PDF), key="double-click-1")
    again, created_again = upload(session, application, ("总平面图.pdf", SCHEME_PDF), key="double-click-1")
    assert created and not created_again and again.id == first.id
    assert counts(session, stored_id(application)) == (1, 1)


def test_a_file_from_the_materials_library_is_shared_not_copied(session):
    application = open_case(session)
    first = design_scheme(session, stored_id(application))
    source = decisions.files_of(session, first)[0]
    second, _ = upload(session, application, reuse=[stored_id(source)])
    reused = decisions.files_of(session, second)[0]
    assert (reused.reused_from_id, reused.path, reused.sha256) == (source.id, source.path, source.sha256)


def test_an_approval_needs_an_uploaded_version(session):
    application = open_case(session)
    with pytest.raises(decisions.DesignSchemeError) as refused:
        decide(session, stored_id(application), "design_review")
    assert refused.value.field == "design_scheme_id" and "尚未上传设计方案" in refused.value.message
    # asking for changes needs no version yet
    decide(session, stored_id(application), "design_review", ActionKind.request_supplement,
           items=[{"name": "设计方案", "reason": "请上传总平面图", "form": "PDF"}])


def test_the_decision_is_bound_to_its_version_and_a_later_upload_does_not_move_it(session):
    application = open_case(session)
    application_id = stored_id(application)
    first = design_scheme(session, application_id)
    second = design_scheme(session, application_id, data=SCHEME_PDF + b"% v2\n")
    action = decide(session, application_id, "design_review", design_scheme_id=first.id)
    assert decisions.decided(session, action.id).id == first.id, "the reviewer chose 第1版, not the latest"
    settle(session, application_id)
    third = design_scheme(session, application_id, data=SCHEME_PDF + b"% v3\n")
    approved = decisions.approved(session, application_id)
    assert approved is not None and approved.scheme.id == first.id and third.version == 3
    step = get_step(session, application_id, "design_review")
    assert step.status == StepStatus.completed and step.outcome["design_scheme"]["version"] == 1
    views = {v.scheme.version: v for v in design_schemes.version_views(session, application_id)}
    assert [a.id for a in views[1].decisions] == [action.id] and not views[2].decisions and not views[3].decisions
    assert second.version == 2


def test_a_version_of_another_case_cannot_be_chosen(session):
    application, other = open_case(session), open_case(session)
    foreign = design_scheme(session, stored_id(other))
    with pytest.raises(decisions.DesignSchemeError, match="不属于本案件"):
        decide(session, stored_id(application), "design_review", design_scheme_id=foreign.id)


@needs_poppler
def test_the_construction_planning_permit_cites_the_approved_version(session, tmp_path):
    application = open_case(session)
    application_id = stored_id(application)
    scheme = design_scheme(session, application_id)
    for keys in (("project_filing", "design_review"), ("eia", "drawing_review"), ("deal_confirmation",),
                 ("contract",), ("payment",)):
        for key in keys:
            decide(session, application_id, key)
        settle(session, application_id)
    document = session.exec(select(Document).where(Document.application_id == application_id,
                                                   Document.kind == "construction_planning_permit")).one()
    ctx = document.context
    assert ctx["design_scheme"]["version"] == 1 and ctx["design_scheme"]["short_hash"] == scheme.digest[:12]
    assert f"（设计方案第1版，文件哈希{scheme.digest[:12]}）" in ctx["scheme_opinion"]
    assert ctx["attachments"] == ["经预审的设计方案（第1版）：总平面图.pdf"]
    pdf = tmp_path / "permit.pdf"
    pdf.write_bytes(file_store.store(session, "documents").get(document.pdf_path))
    printed = squash(pdf_text(pdf))
    assert squash(f"设计方案第1版（{format_date_zh(clock.today())}预审通过，文件哈希{scheme.digest[:12]}）") in printed


def test_an_agent_with_a_mandate_uploads_for_the_enterprise_and_one_without_may_not(session):
    application = open_case(session)
    project = session.get_one(Project, application.project_id)
    agent = demo_user(session, "agent2")
    with pytest.raises(decisions.DesignSchemeError, match="受托的代办专员"):
        design_schemes.upload(session, agent, application, [design_schemes.UploadedFile("a.pdf", "", SCHEME_PDF)],
                              [], uuid.uuid4().hex)
    mandate, _ = agency.sign(session, demo_user(session, "enterprise"), agency.MandateInput(
        project_id=project.id, item_codes=["DB00"], valid_from=clock.today(),
        valid_until=clock.today() + timedelta(days=300), signed_by_name="林晓", agree=True), uuid.uuid4().hex)
    agency.assign(session, demo_user(session, "supervisor"), mandate, agent.id)
    scheme, created = design_schemes.upload(session, agent, application,
                                            [design_schemes.UploadedFile("总平面图.pdf", "", SCHEME_PDF)], [],
                                            uuid.uuid4().hex)
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "design_scheme",
                                                  AuditEvent.entity_id == str(scheme.id))).one()
    assert created and (event.actor_id, event.on_behalf_of_enterprise_id) == (agent.id, application.enterprise_id)
