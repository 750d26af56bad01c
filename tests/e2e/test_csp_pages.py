"""The pages run under the Content-Security-Policy: no script or style of ours is refused by the browser."""

import uuid

import httpx


def _watch(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


def test_enterprise_pages_run_under_the_policy(signed_in, stack, sample_application):
    page = signed_in("enterprise")
    violations = _watch(page)
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    created = httpx.post(f"{stack.base_url}/api/v1/applications", json=sample_application, headers=headers,
                         timeout=30).json()
    page.goto(f"/applications/{created['id']}")  # while it waits for the notice it reloads itself (inline script)
    if "location.reload" in page.content():
        with page.expect_event("load", timeout=15000):
            pass  # the timer ran: the inline script was allowed by its hash
    page.goto("/applications/new")
    page.fill("input[name=uscc]", "91441900MA4UJ2K317")
    page.locator("input[name=uscc]").blur()
    page.wait_for_load_state("networkidle")
    page.goto("/verify")
    assert violations == []


def test_catalogue_pages_run_under_the_policy(signed_in):
    page = signed_in("supervisor")
    violations = _watch(page)
    page.goto("/catalogue")
    page.goto("/catalogue/parcels/new")  # catalogue.js, a JSON data block and an inline style block
    page.wait_for_load_state("networkidle")
    page.goto("/catalogue/import")
    assert violations == []
