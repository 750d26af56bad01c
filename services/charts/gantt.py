"""A server-rendered SVG timeline (Gantt-style) of one approval case: one row per step, planned and actual spans.

Pure and dependency-free: :func:`gantt_svg` takes plain :class:`GanttBar` values and returns ``<svg>`` markup in
the house style of :mod:`services.charts.svg` (same fonts, colours, ``svg.chart`` class, ``role="img"`` and
``<title>``). Every text is escaped. The chart is drawn at its natural size (never shrunk, so its 11-unit text
stays 11 px on a phone) and its height grows with the rows; :func:`gantt_html` puts it in a box that scrolls
sideways with the step labels fixed over its left edge.

Dates are points on the axis: a step from 12/1 to 12/3 is a 2-day bar, a 0-day step (start == end) is drawn as
a narrow bar of :data:`MIN_BAR` units centred on its day so it stays visible.

Markup hooks (for styling and tests): ``g.axis[data-step=day|week|month]`` holding ``g.tick[data-date]``;
``g.row[data-key][data-status]`` per step with ``rect.planned`` (plus ``critical`` on the critical path),
``rect.actual`` (plus the status, and ``late`` when it ends after the planned end), ``rect.overrun`` for the
part past the planned end, ``text.waits``; ``line.today`` and ``line.expected-end``; ``g.legend``.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from services.charts.svg import COLOURS, FONT, _text_width

MIN_BAR = 6.0
STATUS_NAMES = {"planned": "未开始", "running": "办理中", "suspended": "补正暂停", "completed": "已完成",
                "cancelled": "已取消"}
STATUS_COLOURS = {"completed": COLOURS["green"], "running": COLOURS["bar"], "suspended": COLOURS["yellow"],
                  "cancelled": COLOURS["paused"], "planned": COLOURS["paused"]}
INK, MUTED, GRID, STRIPE = "#1f2933", "#5f6b7a", "#d9dee5", "#f6f8fb"
PLANNED_FILL, PLANNED_STROKE = "#e9eff7", "#9fb0c4"
TODAY, EXPECTED = "#b93a06", "#1f2933"  # white 11px text on TODAY: 5.7:1 (the lighter #d9480f was 4.3:1)

ROW_H, HEAD_H, PAD, RIGHT_PAD = 38, 44, 8, 24
LABEL_SIZE, SMALL_SIZE = 13, 11


@dataclass(frozen=True)
class GanttBar:
    """One step of the case on the chart."""
    key: str            # step key, e.g. "design_review"
    label: str          # Chinese step name, e.g. "设计方案预审"
    lane: str           # branch / department, e.g. "自然资源局"
    planned_start: date
    planned_end: date   # >= planned_start (a 0-day step has start == end)
    actual_start: date | None
    actual_end: date | None   # None while open
    status: str         # "planned" | "running" | "suspended" | "completed" | "cancelled"
    critical: bool      # on the critical path (the chain that decides the expected end)
    waits_on: str = ""  # e.g. "等待：自然资源局" / "等待：企业补正" / "法定公示期" / ""


def _n(value: float) -> str:
    return f"{value:.1f}"


def _md(day: date) -> str:
    return f"{day.month}/{day.day}"


def _cn(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _fit(text: str, size: float, room: float) -> str:
    """``text`` cut with an ellipsis so that it is at most ``room`` wide."""
    if _text_width(text, size) <= room:
        return text
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def axis_ticks(start: date, end: date) -> tuple[str, list[date]]:
    """The tick step ("day" up to 21 days, "week" — Mondays — up to 120, else "month" — the 1st) and the
    tick dates within ``start .. end``."""
    span = (end - start).days
    if span <= 21:
        return "day", [start + timedelta(days=i) for i in range(span + 1)]
    if span <= 120:
        first = start + timedelta(days=-start.weekday() % 7)
        return "week", [first + timedelta(weeks=i) for i in range((end - first).days // 7 + 1)]
    ticks, year, month = [], start.year, start.month
    if start.day != 1:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while (day := date(year, month, 1)) <= end:
        ticks.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return "month", ticks


def _tick_label(step: str, day: date, start: date, end: date) -> str:
    if step != "month":
        return _md(day)
    if day.month == 1 and start.year != end.year:
        return f"{day.year}年1月"
    return f"{day.month}月"


def _svg_open(width: int, height: float, title: str) -> list[str]:
    """Drawn at its natural size (``width`` × ``height`` pixels), never shrunk: a phone scrolls it sideways."""
    return [f'<svg class="chart gantt" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {_n(height)}" '
            f'width="{width}" height="{_n(height)}" role="img" aria-label="{escape(title)}" {FONT} '
            f'font-size="{LABEL_SIZE}">', f"<title>{escape(title)}</title>"]


def _label_width(bars: list[GanttBar], width: int) -> float:
    """The labels column: the longest step or lane name, within 96 units and 30% of the chart."""
    label_w = max(max(max(_text_width(b.label, LABEL_SIZE), _text_width(b.lane, SMALL_SIZE)) for b in bars) + 22, 96)
    return min(label_w, width * 0.3)


def _row_label(i: int, bar: GanttBar, label_w: float, stripe_w: float) -> list[str]:
    """A row's stripe, critical-path marker, step name and lane: drawn in the chart and again in the fixed
    labels column laid over it."""
    top = HEAD_H + i * ROW_H
    parts = []
    if i % 2 == 0:
        parts.append(f'<rect class="stripe" x="0" y="{top}" width="{_n(stripe_w)}" height="{ROW_H}" fill="{STRIPE}"/>')
    if bar.critical:
        parts.append(f'<rect class="critical-marker" x="2" y="{top + 5}" width="3" height="{ROW_H - 10}" '
                     f'fill="{COLOURS["red"]}"/>')
    label_colour = MUTED if bar.status == "cancelled" else INK
    room = label_w - PAD - 4
    parts.append(f'<text class="label" x="{PAD + 4}" y="{top + 16}" fill="{label_colour}">'
                 f"{escape(_fit(bar.label, LABEL_SIZE, room))}</text>")
    if bar.lane:
        parts.append(f'<text class="lane" x="{PAD + 4}" y="{top + 31}" font-size="{SMALL_SIZE}" fill="{MUTED}">'
                     f"{escape(_fit(bar.lane, SMALL_SIZE, room))}</text>")
    return parts


def _axis_title() -> str:
    return f'<text x="{PAD}" y="{HEAD_H - 10}" font-size="{SMALL_SIZE}" fill="{MUTED}">办理环节</text>'


def labels_svg(bars: list[GanttBar], *, width: int = 960) -> str:
    """The labels column of :func:`gantt_svg` alone, on white, for laying over the chart's left edge: the step
    names stay in view while the bars scroll under them. Decorative (``aria-hidden``): the chart says it all."""
    label_w = _label_width(bars, width)
    column_w, height = label_w + 5, HEAD_H + ROW_H * len(bars)
    parts = [f'<svg class="gantt-labels" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(column_w)} {height}" '
             f'width="{_n(column_w)}" height="{height}" aria-hidden="true" focusable="false" {FONT} '
             f'font-size="{LABEL_SIZE}">', f'<rect width="{_n(column_w)}" height="{height}" fill="#fff"/>',
             _axis_title(), f'<line x1="{PAD}" x2="{_n(column_w)}" y1="{HEAD_H}" y2="{HEAD_H}" stroke="{GRID}"/>']
    for i, bar in enumerate(bars):
        parts += _row_label(i, bar, label_w, column_w)
    parts.append(f'<line x1="{_n(label_w + 4)}" x2="{_n(label_w + 4)}" y1="{HEAD_H}" y2="{height}" stroke="{GRID}"/>')
    parts.append("</svg>")
    return "".join(parts)


def gantt_html(bars: list[GanttBar], *, today: date, title: str, expected_end: date | None = None,
               width: int = 960) -> str:
    """The chart for a page: in a box that scrolls sideways when the screen is narrower than the chart (a
    keyboard can focus and scroll it), with the labels column stuck over its left edge (``position: sticky``
    in the stylesheet)."""
    chart = gantt_svg(bars, today=today, title=title, expected_end=expected_end, width=width)
    labels = labels_svg(bars, width=width) if bars else ""
    return (f'<div class="chart-scroll gantt-frame" tabindex="0" role="group" '
            f'aria-label="{escape(title)}（可左右滑动）">{labels}{chart}</div>')


def _tooltip(bar: GanttBar, late: bool) -> str:
    lines = [f"{bar.label}（{bar.lane}）" if bar.lane else bar.label,
             f"状态：{STATUS_NAMES.get(bar.status, bar.status)}" + ("，超期" if late else "")
             + ("，关键路径" if bar.critical else ""),
             f"计划：{_cn(bar.planned_start)}—{_cn(bar.planned_end)}"]
    if bar.actual_start is not None:
        finish = _cn(bar.actual_end) if bar.actual_end is not None else "至今"
        lines.append(f"实际：{_cn(bar.actual_start)}—{finish}")
    else:
        lines.append("实际：未开始")
    if bar.waits_on:
        lines.append(bar.waits_on)
    return escape("\n".join(lines))


def _legend(items: list[tuple[str, str]], *, x0: float, y: float, width: int) -> tuple[list[str], float]:
    """Legend items (swatch markup at (0, 0) 16×10, label) in lines that wrap at ``width``; returns the markup
    and the y below it."""
    parts, x = ['<g class="legend">'], x0
    for swatch, label in items:
        item_w = 22 + _text_width(label, 12)
        if x > x0 and x + item_w > width - PAD:
            x, y = x0, y + 20
        parts.append(f'<g transform="translate({_n(x)} {_n(y)})">{swatch}'
                     f'<text x="22" y="10" font-size="12" fill="{INK}">{escape(label)}</text></g>')
        x += item_w + 18
    parts.append("</g>")
    return parts, y + 20


def gantt_svg(bars: list[GanttBar], *, today: date, title: str, expected_end: date | None = None,
              width: int = 960) -> str:
    """The case timeline as ``<svg>`` markup: per step (in the given order) the planned span as a light bar and
    the actual span as a filled bar coloured by status (an open step runs to ``today``), the part past the
    planned end in red (class ``late``, also for an open step already past its planned end), a red marker and
    outline for the critical path, the ``waits_on`` note after the bar and a tooltip; a ``today`` line, a dashed
    ``expected_end`` line when given, and a legend. No bars: a small chart saying 暂无办理环节."""
    if not bars:
        parts = _svg_open(width, 60, title)
        parts.append(f'<text class="empty" x="{width / 2:.0f}" y="35" text-anchor="middle" fill="{MUTED}">'
                     "暂无办理环节</text></svg>")
        return "".join(parts)

    # Date domain and scale.
    points = [today] + ([expected_end] if expected_end else [])
    for bar in bars:
        points += [bar.planned_start, max(bar.planned_start, bar.planned_end)]
        points += [d for d in (bar.actual_start, bar.actual_end) if d is not None]
    lo, hi = min(points), max(points)
    span = max((hi - lo).days, 1)
    label_w = _label_width(bars, width)
    plot_l, plot_r = label_w + 12, width - RIGHT_PAD
    day_w = (plot_r - plot_l) / span

    def x(day: date) -> float:
        return plot_l + (day - lo).days * day_w

    def span_rect(start: date, end: date) -> tuple[float, float]:
        x1, x2 = x(start), x(max(start, end))
        if x2 - x1 < MIN_BAR:
            mid = (x1 + x2) / 2
            x1, x2 = mid - MIN_BAR / 2, mid + MIN_BAR / 2
        return x1, x2 - x1

    rows_top = HEAD_H
    rows_bottom = rows_top + ROW_H * len(bars)
    below = rows_bottom + (22 if expected_end else 8)
    legend_items = [
        (f'<rect width="16" height="10" rx="2" fill="{PLANNED_FILL}" stroke="{PLANNED_STROKE}"/>', "计划"),
        (f'<rect width="16" height="10" rx="2" fill="{STATUS_COLOURS["completed"]}"/>', "实际·已完成"),
        (f'<rect width="16" height="10" rx="2" fill="{STATUS_COLOURS["running"]}"/>', "办理中"),
        (f'<rect width="16" height="10" rx="2" fill="{STATUS_COLOURS["suspended"]}"/>', "补正暂停"),
    ]
    if any(b.status == "cancelled" for b in bars):
        legend_items.append((f'<rect width="16" height="10" rx="2" fill="{STATUS_COLOURS["cancelled"]}"/>', "已取消"))
    legend_items += [
        (f'<rect width="16" height="10" rx="2" fill="{COLOURS["red"]}"/>', "超期"),
        (f'<rect x="1" y="0" width="15" height="10" rx="2" fill="{PLANNED_FILL}" stroke="{COLOURS["red"]}" '
         f'stroke-width="2"/><rect x="-4" y="-2" width="3" height="14" fill="{COLOURS["red"]}"/>', "关键路径"),
    ]
    legend_parts, height = _legend(legend_items, x0=PAD + 4, y=below + 4, width=width)
    height += 4

    parts = _svg_open(width, height, title)

    # Axis: ticks with grid lines across the rows, labels above.
    step, ticks = axis_ticks(lo, hi)
    parts.append(f'<g class="axis" data-step="{step}">'
                 f'{_axis_title()}'
                 f'<line x1="{PAD}" x2="{width - PAD}" y1="{HEAD_H}" y2="{HEAD_H}" stroke="{GRID}"/>')
    last_label_end = -1e9
    for tick in ticks:
        tx = x(tick)
        text = _tick_label(step, tick, lo, hi)
        text_w = _text_width(text, SMALL_SIZE)
        label = ""
        if tx - text_w / 2 >= last_label_end + 6 and tx + text_w / 2 <= width - 2:
            label = (f'<text x="{_n(tx)}" y="{HEAD_H - 10}" text-anchor="middle" font-size="{SMALL_SIZE}" '
                     f'fill="{MUTED}">{escape(text)}</text>')
            last_label_end = tx + text_w / 2
        parts.append(f'<g class="tick" data-date="{tick.isoformat()}">'
                     f'<line x1="{_n(tx)}" x2="{_n(tx)}" y1="{HEAD_H - 4}" y2="{rows_bottom}" stroke="{GRID}" '
                     f'stroke-width="0.8"/>{label}</g>')
    parts.append("</g>")

    # Rows.
    for i, bar in enumerate(bars):
        top = rows_top + i * ROW_H
        mid = top + ROW_H / 2
        open_end = bar.actual_end if bar.actual_end is not None else max(today, bar.actual_start or today)
        late = (bar.actual_start is not None and bar.status != "cancelled"
                and open_end > max(bar.planned_start, bar.planned_end))
        parts.append(f'<g class="row" data-key="{escape(bar.key)}" data-status="{escape(bar.status)}">'
                     f"<title>{_tooltip(bar, late)}</title>")
        parts += _row_label(i, bar, label_w, width)
        # Planned span: light, hollow; critical steps get a red, thicker outline.
        px, pw = span_rect(bar.planned_start, bar.planned_end)
        stroke = (f'stroke="{COLOURS["red"]}" stroke-width="2"' if bar.critical
                  else f'stroke="{PLANNED_STROKE}" stroke-width="1"')
        parts.append(f'<rect class="planned{" critical" if bar.critical else ""}" x="{_n(px)}" y="{top + 8}" '
                     f'width="{_n(pw)}" height="{ROW_H - 16}" rx="3" fill="{PLANNED_FILL}" {stroke}/>')
        bar_end = px + pw
        # Actual span: filled by status, the part past the planned end in red.
        if bar.actual_start is not None:
            ax, aw = span_rect(bar.actual_start, open_end)
            colour = STATUS_COLOURS.get(bar.status, COLOURS["bar"])
            classes = f"actual {escape(bar.status)}" + (" late" if late else "")
            parts.append(f'<rect class="{classes}" x="{_n(ax)}" y="{top + 13}" width="{_n(aw)}" '
                         f'height="{ROW_H - 26}" rx="2" fill="{colour}"/>')
            if late:
                ox = max(x(max(bar.planned_start, bar.planned_end)), ax)
                if ax + aw - ox > 0:
                    parts.append(f'<rect class="overrun" x="{_n(ox)}" y="{top + 13}" width="{_n(ax + aw - ox)}" '
                                 f'height="{ROW_H - 26}" fill="{COLOURS["red"]}"/>')
            bar_end = max(bar_end, ax + aw)
        if bar.waits_on:
            note_w = _text_width(bar.waits_on, SMALL_SIZE)
            if bar_end + 6 + note_w <= width - 2:
                note = f'x="{_n(bar_end + 6)}"'
            elif px - 6 - note_w >= plot_l:
                note = f'x="{_n(px - 6)}" text-anchor="end"'
            else:
                note = f'x="{width - 2}" text-anchor="end"'
            waits_colour = "#8a5a00" if bar.status == "suspended" else MUTED
            parts.append(f'<text class="waits" {note} y="{_n(mid + 4)}" font-size="{SMALL_SIZE}" '
                         f'fill="{waits_colour}">{escape(bar.waits_on)}</text>')
        parts.append("</g>")
    parts.append(f'<line x1="{_n(label_w + 4)}" x2="{_n(label_w + 4)}" y1="{HEAD_H}" y2="{rows_bottom}" '
                 f'stroke="{GRID}"/>')

    # Today and expected end.
    tx = x(today)
    today_text = f"今天 {_md(today)}"
    text_w = _text_width(today_text, SMALL_SIZE)
    text_x = min(max(tx - text_w / 2, label_w + 6), width - 2 - text_w)  # never under the fixed labels column
    parts.append(f'<g class="today-marker"><line class="today" x1="{_n(tx)}" x2="{_n(tx)}" y1="{HEAD_H - 4}" '
                 f'y2="{rows_bottom}" stroke="{TODAY}" stroke-width="1.5"/>'
                 f'<rect x="{_n(text_x - 3)}" y="2" width="{_n(text_w + 6)}" height="15" rx="3" fill="{TODAY}"/>'
                 f'<text x="{_n(text_x)}" y="13.5" font-size="{SMALL_SIZE}" fill="#fff">{today_text}</text></g>')
    if expected_end is not None:
        ex = x(expected_end)
        text = f"预计完成 {_cn(expected_end)}"
        text_w = _text_width(text, SMALL_SIZE)
        text_x = min(max(ex - text_w / 2, 2), width - 2 - text_w)
        parts.append(f'<g class="expected-end-marker"><line class="expected-end" x1="{_n(ex)}" x2="{_n(ex)}" '
                     f'y1="{HEAD_H}" y2="{rows_bottom + 4}" stroke="{EXPECTED}" stroke-width="1.5" '
                     f'stroke-dasharray="5 3"/><text x="{_n(text_x)}" y="{rows_bottom + 16}" font-size="{SMALL_SIZE}" '
                     f'fill="{EXPECTED}">{text}</text></g>')

    parts += legend_parts
    parts.append("</svg>")
    return "".join(parts)
