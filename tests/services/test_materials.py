"""材料库 (一次提交、多次复用) on the real database: a file uploaded for one case is handed in again for another case
of the same enterprise without a new upload (the stored file shared, its hash kept); a file of another enterprise
cannot be chosen; choosing the same file twice keeps it once; the library lists each distinct file once."""

import pytest
from sqlmodel import select

from services.cases import materials
from services.cases.human_actions import ActionError
from services.core import uploads
from services.models import Attachment, AuditEvent
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_file_uploaded_for_one_case_is_handed_in_again_for_another(session):
    enterprise = factories.demo_user(session, "enterprise")
    first, first_step = factories.case_awaiting_supplement(session)
    original = uploads.save_attachment(session, enterprise, first_step, 0, "营业执照.pdf", "application/pdf", PDF)
    second, second_step = factories.case_awaiting_supplement(session)

    library = materials.library(session, enterprise.enterprise_id)
    offered = next(m for m in library if m.attachment.id == original.id)
    assert offered.case_no == first.case_no and offered.label.startswith("营业执照.pdf（")
    assert [m.attachment.sha256 for m in library].count(original.sha256) == 1

    reused = uploads.reuse_attachment(session, enterprise, second_step, 0, original.id)
    assert (reused.application_id, reused.reused_from_id) == (second.id, original.id)
    assert (reused.sha256, reused.path, reused.filename) == (original.sha256, original.path, original.filename)
    assert uploads.reuse_attachment(session, enterprise, second_step, 0, original.id).id == reused.id  # once
    assert len(session.exec(select(Attachment).where(Attachment.application_id == second.id)).all()) == 1
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "attachment.reused",
                                                  AuditEvent.entity_id == str(reused.id))).one()
    assert event.detail["from_case"] == first.case_no and event.detail["sha256"] == original.sha256


def test_another_enterprises_file_or_a_closed_request_cannot_be_used(session):
    enterprise = factories.demo_user(session, "enterprise")
    _, step = factories.case_awaiting_supplement(session)
    theirs = factories.other_enterprise_user(session)
    assert materials.library(session, theirs.enterprise_id) == []
    mine = uploads.save_attachment(session, enterprise, step, 0, "营业执照.pdf", "application/pdf", PDF)
    _, other_step = factories.case_awaiting_supplement(session)
    foreign = factories.foreign_attachment(session)
    assert foreign.sha256 not in {m.attachment.sha256 for m in materials.library(session, enterprise.enterprise_id)}
    for source in (foreign.id, 2_000_000_000):
        with pytest.raises(ActionError, match="所选材料不在本企业的材料库中"):
            uploads.reuse_attachment(session, enterprise, other_step, 0, source)
    with pytest.raises(ActionError, match="只有申请企业或受托的代办专员"):
        uploads.reuse_attachment(session, theirs, other_step, 0, mine.id)
    with pytest.raises(ActionError, match="请选择要补正的材料项"):
        uploads.reuse_attachment(session, enterprise, other_step, 5, mine.id)
    _, reviewing = factories.case_in_review(session)
    with pytest.raises(ActionError, match="没有待补正的材料"):
        uploads.reuse_attachment(session, enterprise, reviewing, 0, mine.id)
