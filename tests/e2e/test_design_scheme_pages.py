"""带设计方案出让 in the browser, at desktop and phone width: the enterprise hands in the 设计方案 on the case page
(a wrong file is refused next to the form, nothing written), the 自然资源局 reviewer approves 第1版 on the
decision page, and the case page lists it as 出让公告附件 with its file."""

import pytest
from playwright.sync_api import expect

from services.core.db import session_scope
from services.models import Application, Project
from tests.e2e.pages import DESKTOP, PHONE, log_in, no_horizontal_scroll, reload_until
from tests.factories import SCHEME_PDF
from tests.stack_api import case_waiting as _waiting
from tests.stack_api import open_land_to_start_case as _open_case


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_enterprise_uploads_the_scheme_reviewer_approves_version_1_and_the_listing_carries_it(
        new_page, stack, shots, viewport):
    app_id = _open_case(stack)
    _waiting(stack, app_id, {"project_filing", "design_review"}, "the design review to open")
    width = "phone" if viewport is PHONE else "desktop"

    enterprise = new_page(viewport=viewport)
    log_in(enterprise, "enterprise")
    enterprise.goto(f"/applications/{app_id}#design-scheme")
    section = enterprise.get_by_test_id("design-schemes")
    expect(section.get_by_test_id("no-scheme")).to_have_text("尚未上传设计方案。")

    section.locator("input[name=files]").set_input_files(
        [{"name": "说明.txt", "mimeType": "text/plain", "buffer": b"plain text"}])
    section.get_by_test_id("scheme-submit").click()
    error = enterprise.get_by_test_id("scheme-error")
    expect(error).to_contain_text("设计方案文件")
    expect(enterprise.get_by_test_id("scheme-versions")).to_have_count(0)

    enterprise.get_by_test_id("design-schemes").locator("input[name=files]").set_input_files(
        [{"name": "总平面图.pdf", "mimeType": "application/pdf", "buffer": SCHEME_PDF}])
    enterprise.get_by_test_id("scheme-submit").click()
    enterprise.wait_for_url(f"**/applications/{app_id}#design-scheme")
    version = enterprise.locator("[data-testid=scheme-versions] li[data-version='1']")
    expect(version).to_contain_text("设计方案第1版")
    expect(version.get_by_role("link", name="总平面图.pdf")).to_be_visible()
    no_horizontal_scroll(enterprise)

    reviewer = new_page(viewport=viewport)
    log_in(reviewer, "reviewer")
    reviewer.goto(f"/applications/{app_id}/steps/design_review/decision")
    choice = reviewer.get_by_test_id("scheme-choice")
    expect(choice.locator("input[name=design_scheme_id]")).to_be_checked()
    expect(choice).to_contain_text("设计方案第1版")
    reviewer.check("input[name=kind][value=approve]")
    reviewer.fill("textarea[name=reasons]", "符合规划条件")
    no_horizontal_scroll(reviewer)
    reviewer.click("#decide-button")
    reviewer.wait_for_url(f"**/applications/{app_id}?acted=*")

    reload_until(reviewer, "[data-testid=listing-attachment]")
    listing = reviewer.locator("li[data-step=land_listing] [data-testid=listing-attachment]")
    expect(listing).to_contain_text("出让公告附件：设计方案第1版")
    expect(listing.get_by_role("link", name="总平面图.pdf")).to_be_visible()
    expect(reviewer.get_by_test_id("scheme-opinion")).to_contain_text("（设计方案第1版，文件哈希")
    expect(reviewer.get_by_test_id("scheme-approved")).to_have_text("预审通过 · 出让公告附件")
    no_horizontal_scroll(reviewer)
    reviewer.screenshot(path=shots / f"design-scheme-{width}.png", full_page=True)

    enterprise.reload()  # the enterprise sees the same attachment, and its file downloads
    link = enterprise.locator("[data-testid=listing-attachment] a", has_text="总平面图.pdf")
    with enterprise.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "总平面图.pdf"

    # staff see the attachment on the parcel's catalogue page; the public parcel page shows no file at all
    with session_scope() as session:
        parcel_id = session.get_one(Project, session.get_one(Application, app_id).project_id).parcel_id
    file_href = link.get_attribute("href")
    supervisor = new_page(viewport=viewport)
    log_in(supervisor, "supervisor")
    supervisor.goto(f"/catalogue/parcels/{parcel_id}")
    expect(supervisor.get_by_test_id("parcel-listing-attachments")).to_contain_text("出让公告附件：设计方案第1版")
    public = new_page(viewport=viewport)
    public.goto(f"/parcels/{parcel_id}")
    expect(public.locator("body")).not_to_contain_text("设计方案第1版")
    assert public.locator("a[href^='/attachments/']").count() == 0
    assert public.request.get(file_href, max_redirects=0).status != 200, "no file without signing in"
