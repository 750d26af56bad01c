"""The statistics charts (services.charts.svg): drawn at their natural size, numbers on bars legible on every fill."""

import xml.etree.ElementTree as ET

from services.charts.svg import COLOURS, contrast, horizontal_bars, horizontal_stacked, stacked_bars, text_on

NS = "{http://www.w3.org/2000/svg}"
SERIES = [(key, key, COLOURS[key]) for key in ("green", "yellow", "red", "paused")]


def test_every_chart_is_drawn_one_unit_to_a_pixel():
    charts = [horizontal_bars([("甲", 3, "3"), ("乙", 1, "1")], title="t"),
              stacked_bars([("12/1", {"green": 2, "yellow": 1})], SERIES, title="t"),
              horizontal_stacked([("甲", {"green": 5, "yellow": 4})], SERIES, title="t")]
    for svg in charts:
        root = ET.fromstring(svg)
        _, _, width, height = root.get("viewBox").split()
        assert (root.get("width"), root.get("height")) == (width, height)


def test_numbers_on_bars_have_enough_contrast():
    for _, _, fill in SERIES:
        assert contrast(text_on(fill), fill) >= 4.5, fill
    root = ET.fromstring(horizontal_stacked([("甲", {"green": 50, "yellow": 40, "paused": 30})], SERIES, title="t"))
    on_bars = [t for t in root.iter(f"{NS}text") if t.get("text-anchor") == "middle"]
    assert {t.text: t.get("fill") for t in on_bars} == {"50": "#fff", "40": "#1f2933", "30": "#1f2933"}
