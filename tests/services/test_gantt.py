"""Gantt SVG of a case timeline: the markup is parsed with ElementTree and checked for rows, positions and classes."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from services.charts.gantt import GanttBar, axis_ticks, gantt_html, gantt_svg, labels_svg

NS = {"s": "http://www.w3.org/2000/svg"}
TODAY = date(2026, 3, 20)


def _bar(key: str, start: date, end: date, actual_start: date | None = None, actual_end: date | None = None,
         status: str = "planned", critical: bool = False, waits_on: str = "", label: str = "",
         lane: str = "自然资源局") -> GanttBar:
    return GanttBar(key, label or f"环节{key}", lane, start, end, actual_start, actual_end, status, critical, waits_on)


def _d(month: int, day: int) -> date:
    return date(2026, month, day)


def example_bars() -> list[GanttBar]:
    """拿地即开工 over about 60 days: three parallel branches after the land contract, today in the middle."""
    nr, hj, zj, qy = "自然资源局", "生态环境分局", "住建局", "企业"
    return [
        GanttBar("land_contract", "签订土地出让合同", nr, _d(3, 2), _d(3, 2), _d(3, 2), _d(3, 2), "completed", True),
        GanttBar("land_cert", "不动产权证书", nr, _d(3, 3), _d(3, 9), _d(3, 3), _d(3, 8), "completed", True),
        GanttBar("planning_permit", "建设用地规划许可证", nr, _d(3, 3), _d(3, 6), _d(3, 3), _d(3, 10), "completed",
                 False),
        GanttBar("design_review", "设计方案预审", nr, _d(3, 10), _d(3, 17), _d(3, 10), _d(3, 16), "completed", True),
        GanttBar("design_publicity", "设计方案批前公示", nr, _d(3, 17), _d(3, 27), _d(3, 17), None, "running", True,
                 "法定公示期"),
        GanttBar("eia_report", "环境影响报告表审批", hj, _d(3, 3), _d(3, 24), _d(3, 4), None, "suspended", False,
                 "等待：企业补正"),
        GanttBar("eia_expert", "环评专家评审", hj, _d(3, 24), _d(3, 31), None, None, "planned", False),
        GanttBar("energy_review", "节能审查", hj, _d(3, 5), _d(3, 16), _d(3, 5), _d(3, 13), "completed", False),
        GanttBar("drawing_review", "施工图审查（承诺制）", zj, _d(3, 12), _d(3, 26), _d(3, 12), None, "running", False,
                 "等待：住建局"),
        GanttBar("fire_design", "消防设计审查", zj, _d(3, 27), _d(4, 3), None, None, "planned", False),
        GanttBar("engineering_permit", "建设工程规划许可证", nr, _d(3, 27), _d(4, 8), None, None, "planned", True),
        GanttBar("construction_permit", "建筑工程施工许可证", zj, _d(4, 8), _d(4, 20), None, None, "planned", True),
        GanttBar("utilities", "水电气接入预约", qy, _d(3, 18), _d(3, 18), _d(3, 18), _d(3, 18), "completed", False),
        GanttBar("old_scheme", "原临时用地方案", nr, _d(3, 3), _d(3, 10), _d(3, 3), _d(3, 5), "cancelled", False),
        GanttBar("ground_breaking", "开工仪式", qy, _d(4, 28), _d(4, 28), None, None, "planned", True),
    ]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _classes(el: ET.Element) -> set[str]:
    return set(el.get("class", "").split())


def _rows(root: ET.Element) -> list[ET.Element]:
    return root.findall("s:g[@class='row']", NS)


def _rect(row: ET.Element, cls: str) -> ET.Element | None:
    return next((r for r in row.findall("s:rect", NS) if cls in _classes(r)), None)


def _span(el: ET.Element) -> tuple[float, float]:
    x = float(el.get("x"))
    return x, x + float(el.get("width"))


def _line_x(root: ET.Element, cls: str) -> float | None:
    line = next((el for el in root.iter(f"{{{NS['s']}}}line") if el.get("class") == cls), None)
    return None if line is None else float(line.get("x1"))


def _tick_xs(root: ET.Element) -> dict[date, float]:
    return {date.fromisoformat(g.get("data-date")): float(g.find("s:line", NS).get("x1"))
            for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "tick"}


def test_one_row_per_bar_in_order_with_tooltip():
    bars = example_bars()
    root = _parse(gantt_svg(bars, today=TODAY, title="拿地即开工", expected_end=_d(4, 28)))
    rows = _rows(root)
    assert [r.get("data-key") for r in rows] == [b.key for b in bars]
    assert [r.get("data-status") for r in rows] == [b.status for b in bars]
    assert root.get("role") == "img" and "chart" in _classes(root)
    assert root.get("width") == root.get("viewBox").split()[2]  # drawn at its natural size, never shrunk
    assert root.find("s:title", NS).text == "拿地即开工"
    tip = rows[5].find("s:title", NS).text
    assert "环境影响报告表审批" in tip and "计划：3月3日—3月24日" in tip and "实际：3月4日—至今" in tip
    assert "等待：企业补正" in tip
    # the height grows with the rows
    height = float(root.get("viewBox").split()[3])
    more = _parse(gantt_svg(bars + bars, today=TODAY, title="x"))
    assert float(more.get("viewBox").split()[3]) > height


def test_actual_bars_are_placed_by_date():
    early = _bar("a", _d(3, 1), _d(3, 5), _d(3, 1), _d(3, 4), "completed")
    later = _bar("b", _d(3, 1), _d(3, 9), _d(3, 6), _d(3, 8), "completed")
    rows = _rows(_parse(gantt_svg([early, later], today=TODAY, title="t")))
    a, b = (_span(_rect(r, "actual")) for r in rows)
    assert b[0] > a[0] and b[1] > a[1]
    pa, pb = (_span(_rect(r, "planned")) for r in rows)
    assert pa[0] == pb[0] == a[0]  # same start day, same x
    assert abs((pb[1] - pb[0]) - 2 * (pa[1] - pa[0])) < 0.2  # 8 days vs 4 days
    assert "completed" in _classes(_rect(rows[0], "actual"))


def test_x_of_dates_is_monotonic_and_today_lies_between():
    root = _parse(gantt_svg(example_bars(), today=TODAY, title="t"))
    ticks = sorted(_tick_xs(root).items())
    assert len(ticks) >= 3
    xs = [x for _, x in ticks]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    today_x = _line_x(root, "today")
    before = max(x for d, x in ticks if d < TODAY)
    after = min(x for d, x in ticks if d > TODAY)
    assert before < today_x < after
    assert "今天 3/20" in "".join(root.itertext())


def test_open_step_runs_to_today_and_late_and_critical_classes():
    bars = [
        _bar("open", _d(3, 10), _d(3, 30), _d(3, 11), None, "running", critical=True),
        _bar("late", _d(3, 1), _d(3, 5), _d(3, 1), _d(3, 9), "completed"),
        _bar("ontime", _d(3, 1), _d(3, 10), _d(3, 2), _d(3, 10), "completed", critical=True),
        _bar("overdue", _d(3, 1), _d(3, 12), _d(3, 2), None, "suspended"),
        _bar("todo", _d(3, 25), _d(4, 2)),
    ]
    root = _parse(gantt_svg(bars, today=TODAY, title="t"))
    rows = {r.get("data-key"): r for r in _rows(root)}
    today_x = _line_x(root, "today")
    assert abs(_span(_rect(rows["open"], "actual"))[1] - today_x) < 0.11
    assert abs(_span(_rect(rows["overdue"], "actual"))[1] - today_x) < 0.11
    assert "late" not in _classes(_rect(rows["open"], "actual"))
    assert "late" in _classes(_rect(rows["late"], "actual"))
    assert _rect(rows["late"], "overrun") is not None
    assert "late" not in _classes(_rect(rows["ontime"], "actual"))
    assert _rect(rows["ontime"], "overrun") is None
    assert "late" in _classes(_rect(rows["overdue"], "actual"))  # open and already past the planned end
    assert {"suspended", "actual"} <= _classes(_rect(rows["overdue"], "actual"))
    assert _rect(rows["todo"], "actual") is None
    critical = {k for k, r in rows.items() if "critical" in _classes(_rect(r, "planned"))}
    assert critical == {"open", "ontime"}
    assert {k for k, r in rows.items() if _rect(r, "critical-marker") is not None} == {"open", "ontime"}
    legend = "".join(root.find("s:g[@class='legend']", NS).itertext())
    for name in ("计划", "实际·已完成", "办理中", "补正暂停", "超期", "关键路径"):
        assert name in legend


def test_zero_day_step_is_visible():
    bars = [_bar("zero", _d(3, 5), _d(3, 5), _d(3, 5), _d(3, 5), "completed"), _bar("long", _d(3, 1), _d(3, 31))]
    rows = _rows(_parse(gantt_svg(bars, today=TODAY, title="t")))
    for cls in ("planned", "actual"):
        x1, x2 = _span(_rect(rows[0], cls))
        assert x2 - x1 >= 4


def test_text_is_escaped():
    nasty = '<b>&"\'x'
    bars = [_bar(nasty, _d(3, 1), _d(3, 5), label=nasty, lane=nasty, waits_on=nasty)]
    svg = gantt_svg(bars, today=TODAY, title=nasty)
    assert "<b>" not in svg
    root = _parse(svg)
    assert root.get("aria-label") == nasty and root.find("s:title", NS).text == nasty
    row = _rows(root)[0]
    assert row.get("data-key") == nasty
    texts = {t.get("class"): t.text for t in row.findall("s:text", NS)}
    assert texts["label"] == nasty and texts["lane"] == nasty and texts["waits"] == nasty


def test_long_labels_are_shortened():
    label = "非常非常长的环节名称" * 6
    root = _parse(gantt_svg([_bar("l", _d(3, 1), _d(3, 5), label=label)], today=TODAY, title="t"))
    row = _rows(root)[0]
    shown = next(t.text for t in row.findall("s:text", NS) if t.get("class") == "label")
    assert shown.endswith("…") and len(shown) < len(label)
    assert label in row.find("s:title", NS).text


def test_empty_list_says_so():
    root = _parse(gantt_svg([], today=TODAY, title="空"))
    assert "暂无办理环节" in "".join(root.itertext()) and _rows(root) == []


def test_axis_tick_choice():
    step, ticks = axis_ticks(_d(3, 1), _d(3, 11))
    assert step == "day" and len(ticks) == 11 and ticks[0] == _d(3, 1) and ticks[-1] == _d(3, 11)
    step, ticks = axis_ticks(_d(3, 4), _d(5, 3))
    assert step == "week" and all(t.weekday() == 0 for t in ticks) and ticks[0] == _d(3, 9)
    assert all(b - a == timedelta(weeks=1) for a, b in zip(ticks, ticks[1:], strict=False)) and ticks[-1] > _d(4, 26)
    step, ticks = axis_ticks(_d(3, 15), _d(3, 15) + timedelta(days=300))
    assert step == "month" and all(t.day == 1 for t in ticks) and ticks[0] == _d(4, 1) and ticks[-1] == date(2027, 1, 1)

    def rendered(days: int, start: date = _d(3, 2)) -> tuple[str, list[str]]:
        bars = [_bar("a", start, start + timedelta(days=days))]
        root = _parse(gantt_svg(bars, today=start + timedelta(days=days // 2), title="t"))
        axis = root.find("s:g[@class='axis']", NS)
        labels = [t.text for g in axis.findall("s:g", NS) for t in g.findall("s:text", NS)]
        return axis.get("data-step"), labels

    step, labels = rendered(10)
    assert step == "day" and labels[:3] == ["3/2", "3/3", "3/4"]
    step, labels = rendered(60)
    assert step == "week" and labels[0] == "3/2" and labels[1] == "3/9"
    step, labels = rendered(300, _d(3, 15))
    assert step == "month" and labels[:2] == ["4月", "5月"] and "2027年1月" in labels


def test_expected_end_line_only_when_given():
    bars = example_bars()
    without = _parse(gantt_svg(bars, today=TODAY, title="t"))
    assert _line_x(without, "expected-end") is None
    with_end = _parse(gantt_svg(bars, today=TODAY, title="t", expected_end=_d(5, 6)))
    ex = _line_x(with_end, "expected-end")
    assert ex is not None and ex > _line_x(with_end, "today")
    assert "预计完成 5月6日" in "".join(with_end.itertext())
    # the axis is stretched to include the expected end
    assert max(_tick_xs(with_end)) >= _d(5, 4)


def test_labels_column_repeats_the_chart_labels_in_place():
    """The fixed labels column (laid over the chart on a page) draws each step name where the chart does."""
    bars = example_bars()
    chart = _parse(gantt_svg(bars, today=TODAY, title="t"))
    column = _parse(labels_svg(bars))
    assert column.get("aria-hidden") == "true" and "chart" not in _classes(column)

    def labels(root: ET.Element) -> list[tuple[str, str, str]]:
        return [(t.text, t.get("x"), t.get("y")) for t in root.iter(f"{{{NS['s']}}}text") if t.get("class") == "label"]

    assert labels(column) == labels(chart) and len(labels(chart)) == len(bars)
    assert float(column.get("width")) < float(chart.get("width")) / 2
    early = _parse(gantt_svg(bars, today=_d(2, 20), title="t"))  # today at the chart's left edge
    today = next(g for g in early.iter(f"{{{NS['s']}}}g") if g.get("class") == "today-marker")
    assert float(today.find("s:text", NS).get("x")) >= float(column.get("width"))  # not hidden under the column


def test_gantt_html_is_a_focusable_scroll_box_with_both():
    page = gantt_html(example_bars(), today=TODAY, title="<办理进度>")
    root = ET.fromstring(page)
    assert "chart-scroll" in _classes(root) and root.get("tabindex") == "0" and "<办理进度>" in root.get("aria-label")
    assert [_classes(svg) for svg in root] == [{"gantt-labels"}, {"chart", "gantt"}]
    assert [_classes(svg) for svg in ET.fromstring(gantt_html([], today=TODAY, title="t"))] == [{"chart", "gantt"}]
