"""Small server-rendered SVG charts (no JavaScript): horizontal bars and stacked bars per day.

Each builder returns an ``<svg>`` markup string; every text is escaped. Sizes are in SVG units, drawn one unit
to a pixel (``width`` and ``height`` as well as the ``viewBox``): a chart is never shrunk to a phone's width,
where its 11–14 px text would become unreadable, but scrolls sideways in its box (``.chart-box``).
"""

from html import escape

FONT = 'font-family="PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"'
INK = "#1f2933"
COLOURS = {"green": "#1d7a3a", "yellow": "#d9a300", "red": "#c0262d", "paused": "#8a94a3", "bar": "#0b4f9c"}


def _text_width(text: str, size: float) -> float:
    """A rough width: CJK characters are a full em, others about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in text)


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.1) of a ``#rrggbb`` or ``#rgb`` colour."""
    if len(colour) == 4:
        colour = "#" + "".join(c * 2 for c in colour[1:])
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 to 21 (text needs 4.5)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(fill: str) -> str:
    """White or ink for a number written on a bar of ``fill``, whichever reads better: white on the yellow
    (#d9a300) would be 2.3:1."""
    return "#fff" if contrast("#fff", fill) >= contrast(INK, fill) else INK


def _svg_open(width: float, height: float, title: str, size: int) -> list[str]:
    """The ``<svg>`` start tag at its natural size, and the title read by screen readers."""
    return [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(title)}" {FONT} font-size="{size}">',
            f"<title>{escape(title)}</title>"]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def horizontal_bars(items: list[tuple[str, float, str]], *, title: str, max_value: float | None = None,
                    colour: str = COLOURS["bar"], width: int = 720) -> str:
    """One bar per (label, value, value label); ``max_value`` fixes the scale (e.g. 1.0 for rates)."""
    size, row, pad = 14, 30, 8
    label_w = min(max([_text_width(label, size) for label, _, _ in items] + [40]) + 12, width * 0.45)
    value_w = max([_text_width(text, size) for _, _, text in items] + [30]) + 10
    bar_space = width - label_w - value_w - pad
    top = max_value or max([v for _, v, _ in items] + [0]) or 1
    height = row * len(items) + pad * 2
    parts = _svg_open(width, height, title, size)
    for i, (label, value, text) in enumerate(items):
        y = pad + i * row
        bar = max(bar_space * min(value / top, 1.0), 0) if top else 0
        parts.append(f'<g class="bar"><text x="{label_w - 8:.0f}" y="{y + row / 2 + 5:.0f}" text-anchor="end" '
                     f'fill="#1f2933">{escape(label)}</text>'
                     f'<rect x="{label_w:.0f}" y="{y + 5}" width="{bar:.1f}" height="{row - 10}" rx="2" '
                     f'fill="{colour}"/>'
                     f'<text x="{label_w + bar + 6:.1f}" y="{y + row / 2 + 5:.0f}" fill="#1f2933">'
                     f"{escape(text)}</text></g>")
    parts.append("</svg>")
    return "".join(parts)


def legend(series: list[tuple[str, str, str]]) -> str:
    """An HTML legend for (key, label, colour) series."""
    cells = "".join(f'<span class="legend-item"><i style="background:{escape(colour)}"></i>{escape(label)}</span>'
                    for _, label, colour in series)
    return f'<div class="chart-legend">{cells}</div>'


def stacked_bars(columns: list[tuple[str, dict[str, float]]], series: list[tuple[str, str, str]], *, title: str,
                 width: int = 720, height: int = 260) -> str:
    """Vertical stacked bars, one per column (e.g. a day) with its total above; ``series`` is
    (key, label, colour) bottom to top. The legend is drawn inside the SVG, above the bars."""
    size, left, right, top_pad, bottom = 12, 36, 10, 40, 34
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    totals = [sum(values.get(k, 0) for k, _, _ in series) for _, values in columns]
    top = max(totals + [1])
    slot = plot_w / max(len(columns), 1)
    bar_w = max(min(slot * 0.7, 40), 2)
    parts = _svg_open(width, height, title, size)
    x: float = left
    for _key, label, colour in series:  # legend
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="19" fill="#1f2933">{escape(label)}</text>')
        x += 16 + _text_width(label, size) + 18
    for tick in (0, top / 2, top):  # axis
        y = top_pad + plot_h - plot_h * tick / top
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9dee5"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#5f6b7a">{_num(tick)}</text>')
    label_every = max(1, round(len(columns) / 10))
    for i, ((name, values), total) in enumerate(zip(columns, totals, strict=True)):
        x = left + slot * i + (slot - bar_w) / 2
        y = top_pad + plot_h
        parts.append(f'<g class="bar" data-column="{escape(name)}">')
        for key, label, colour in series:
            value = values.get(key, 0)
            if value <= 0:
                continue
            h = plot_h * value / top
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
                         f"<title>{escape(name)} {escape(label)}：{_num(value)}</title></rect>")
        if total and len(columns) <= 31:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="#1f2933" '
                         f'font-size="11">{_num(total)}</text>')
        if i % label_every == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top_pad + plot_h + 18}" text-anchor="middle" '
                         f'fill="#5f6b7a">{escape(name)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def horizontal_stacked(rows: list[tuple[str, dict[str, float]]], series: list[tuple[str, str, str]], *,
                       title: str, width: int = 720) -> str:
    """One horizontal bar per row made of ``series`` segments (key, label, colour), each segment
    labelled with its value when there is room, and the row's total at the end."""
    size, row_h, pad = 14, 30, 8
    label_w = min(max([_text_width(label, size) for label, _ in rows] + [40]) + 12, width * 0.45)
    bar_space = width - label_w - 50
    totals = [sum(values.get(k, 0) for k, _, _ in series) for _, values in rows]
    top = max(totals + [1])
    height = row_h * len(rows) + pad * 2
    parts = _svg_open(width, height, title, size)
    for i, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        y = pad + i * row_h
        x = label_w
        parts.append(f'<g class="bar"><text x="{label_w - 8:.0f}" y="{y + row_h / 2 + 5:.0f}" text-anchor="end" '
                     f'fill="#1f2933">{escape(label)}</text>')
        for key, name, colour in series:
            value = values.get(key, 0)
            if value <= 0:
                continue
            w = bar_space * value / top
            parts.append(f'<rect x="{x:.1f}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" fill="{colour}">'
                         f"<title>{escape(label)} {escape(name)}：{_num(value)}</title></rect>")
            if w >= _text_width(_num(value), 12) + 6:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + row_h / 2 + 4:.0f}" text-anchor="middle" '
                             f'fill="{text_on(colour)}" font-size="12">{_num(value)}</text>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + row_h / 2 + 5:.0f}" fill="#1f2933">{_num(total)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
