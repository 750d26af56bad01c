"""统计分析 in the browser: the supervisor sees SVG charts and downloads a dataset as CSV with the
Chinese header (UTF-8 with BOM); a reviewer is turned away with 403."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import delete

from services.core import clock
from services.core.db import session_scope
from services.models import LightSnapshot

DEPT = "统计页测试局"



@pytest.fixture
def snapshots(stack):
    """A few past days of light counts in a department of its own (the sweep only replaces its own day)."""
    today = clock.today()
    rows = [(3, "green", 4), (3, "yellow", 1), (2, "green", 3), (2, "red", 2), (1, "green", 5), (1, "paused", 1)]
    with session_scope() as session:
        session.add_all(LightSnapshot(day=today - timedelta(days=back), department=DEPT, light=light, count=count)
                        for back, light, count in rows)
    yield
    with session_scope() as session:
        session.execute(delete(LightSnapshot).where(LightSnapshot.department == DEPT))


def test_supervisor_sees_charts_and_downloads_csv(signed_in, snapshots, shots):
    page = signed_in("supervisor")
    page.click("nav.main-nav >> text=统计分析")
    page.wait_for_url("**/statistics")
    expect(page.locator("h1")).to_have_text("统计分析")
    trend = page.locator("[data-testid=stat-lights_over_time]")
    expect(trend.locator("svg.chart")).to_be_visible()
    assert trend.locator("svg.chart g.bar").count() >= 3
    assert page.locator("svg.chart").count() >= 1
    expect(page.locator(".stat-card")).to_have_count(6)
    workload = page.locator("[data-testid=stat-agent_workload]")
    expect(workload.locator("svg.chart")).to_be_visible()
    for name in ("代办专员 王敏", "代办专员 陈静"):  # every active agent has a bar, idle ones too
        expect(workload.locator("svg.chart")).to_contain_text(name)
    page.screenshot(path=str(shots / "statistics.png"), full_page=True)
    with page.expect_download() as info:
        workload.locator("a:has-text('下载CSV')").click()
    header = info.value.path().read_bytes().decode("utf-8-sig").splitlines()[0]
    assert header == "代办专员,在办委托,在办环节,红灯,黄灯,绿灯及暂停,待首次联系,首席代办项目"

    with page.expect_download() as info:
        trend.locator("a:has-text('下载CSV')").click()
    data = info.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == "日期,绿灯,黄灯,红灯,暂停"


def test_reviewer_gets_403(signed_in):
    page = signed_in("reviewer")
    expect(page.locator("nav.main-nav >> text=统计分析")).to_have_count(0)
    response = page.goto("/statistics")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("仅限督办管理员")
    response = page.goto("/statistics/open_by_light.csv")
    assert response.status == 403
