"""材料库 in a real headless Chromium against the real stack, at desktop and phone widths: the enterprise finds
the file it uploaded for one case in its library and hands it in for a second case's 补正 without uploading
again; the reviewer of that case sees the very version (its hash) it will decide on. Set-up (two cases awaiting
补正, the first file uploaded) is written through the services, as the other e2e tests do."""

import uuid

import pytest
from playwright.sync_api import expect

from services.core import uploads
from services.core.db import session_scope
from tests import factories
from tests.e2e.pages import PHONE, log_in, no_horizontal_scroll

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def two_cases_awaiting_material(stack) -> dict:
    item = f"营业执照副本-{uuid.uuid4().hex[:6]}"
    with session_scope() as session:
        enterprise = factories.demo_user(session, "enterprise")
        first, first_step = factories.case_awaiting_supplement(session, item=item)
        filename = f"营业执照-{uuid.uuid4().hex[:6]}.pdf"
        original = uploads.save_attachment(session, enterprise, first_step, 0, filename, "application/pdf",
                                           PDF + uuid.uuid4().hex.encode())
        second, _ = factories.case_awaiting_supplement(session, item=item)
        return {"filename": filename, "sha256": original.sha256, "first": first.case_no, "second_id": second.id,
                "item": item}


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_an_enterprise_hands_in_a_file_from_its_library_and_the_reviewer_sees_that_version(
        new_page, shots, two_cases_awaiting_material, viewport):
    c = two_cases_awaiting_material
    page = new_page(viewport=viewport)
    log_in(page, "enterprise")
    page.goto("/materials")
    row = page.locator("[data-testid=materials] tbody tr", has_text=c["filename"])
    expect(row).to_contain_text(c["first"])
    expect(row).to_contain_text(c["sha256"][:16])
    no_horizontal_scroll(page)

    page.goto(f"/applications/{c['second_id']}#supplement")
    item = page.locator(".supplement-items li[data-item='0']")
    expect(item).to_contain_text("尚未上传")
    choice = item.locator("select[name=reuse_id]")
    option = choice.locator("option", has_text=c["filename"])
    choice.select_option(value=option.get_attribute("value"))
    item.get_by_role("button", name="上传", exact=True).click()
    expect(item.locator(".files")).to_contain_text(c["filename"])
    expect(item.locator(".files")).to_contain_text("选自材料库")
    expect(item.locator(".files")).to_contain_text(c["sha256"][:12])
    no_horizontal_scroll(page)
    page.screenshot(path=str(shots / f"material-reuse-{'phone' if viewport else 'desktop'}.png"), full_page=True)

    item.get_by_role("button", name="上传", exact=True).click()  # nothing chosen: a clear message, nothing written
    expect(page.get_by_test_id("supplement-error")).to_have_text("请选择要上传的文件，或从材料库中选用")

    reviewer = new_page(viewport=viewport)
    log_in(reviewer, "reviewer")
    reviewer.goto(f"/applications/{c['second_id']}")
    handed = reviewer.get_by_test_id("handed-in")
    expect(handed).to_contain_text(c["filename"])
    expect(handed).to_contain_text(f"sha256 {c['sha256'][:12]}")
    expect(handed).to_contain_text("选自材料库")
