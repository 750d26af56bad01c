"""印章: the seal image printed over a document's 发文机关署名 and 成文日期 (GB/T 9704-2012 7.3.5.1).

A park sets its issuer's seal as an image file (``GC_SEAL_IMAGE``, PNG or SVG); it is used only on documents
signed by that issuer (``GC_ISSUER_NAME``): the platform holds no other body's seal, so their documents keep the
text line （盖章）. Without ``GC_SEAL_IMAGE`` (demo mode) every signing body gets an obviously fake seal drawn
here: a red ring, the body's name around the top, a star, and 演示印章 below it — never mistaken for a real one.

The PDF takes the seal as inline SVG (:func:`pdf_markup`), the DOCX as PNG (:func:`docx_png`, drawn by Pillow
from the same geometry; a park's SVG seal cannot be rasterised here, so its DOCX keeps the text line).
This module does not place the seal on the page (the templates and ``docx_builder`` do).
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from services.core.settings import get_settings
from services.documents import fonts

RED = "#d7000f"
SIZE_MM = 42.0  # an authority's round seal, 42 mm across
DEMO_TEXT = "演示印章"
_UNITS = 420  # SVG user units across (0.1 mm each)
SEAL_LINE_MARKS = ("章",)  # a signature line like （盖章） or （不动产登记专用章） is where the seal goes


@dataclass(frozen=True)
class Glyph:
    """One character of the seal: its centre, its rotation (degrees clockwise) and size, in SVG units."""

    char: str
    x: float
    y: float
    rotate: float
    size: float


def is_seal_line(line: str) -> bool:
    """``（盖章）`` or ``（规划许可专用章）``: the line the seal image replaces."""
    line = line.strip()
    return line.startswith("（") and line.endswith("）") and any(mark in line for mark in SEAL_LINE_MARKS)


def ring_glyphs(name: str) -> tuple[Glyph, ...]:
    """The name set clockwise along the upper arc (from about 8 to 4 o'clock), upright towards the centre."""
    n = len(name)
    span = min(250.0, 22.0 * n + 20)  # degrees the name covers; a short name is not stretched round the ring
    size = min(46.0, 2 * math.pi * 160 * (span / 360) / max(n, 1) * 0.92)
    glyphs = []
    for i, char in enumerate(name):
        angle = -span / 2 + span * (i + 0.5) / n  # 0 = straight up
        rad = math.radians(angle)
        radius = 160 - size / 2
        glyphs.append(Glyph(char, 210 + radius * math.sin(rad), 210 - radius * math.cos(rad), angle, size))
    return tuple(glyphs)


def star_points(cx: float = 210, cy: float = 205, outer: float = 62, inner: float = 24):
    points: list[tuple[float, float]] = []
    for k in range(10):
        r = outer if k % 2 == 0 else inner
        a = math.radians(-90 + 36 * k)
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return tuple(points)


def demo_svg(name: str) -> str:
    """The demo seal of ``name`` as an SVG document (42 mm square)."""
    texts = "".join(
        f'<text x="{g.x:.1f}" y="{g.y:.1f}" font-size="{g.size:.1f}" transform="rotate({g.rotate:.1f} '
        f'{g.x:.1f} {g.y:.1f})">{escape(g.char)}</text>'
        for g in ring_glyphs(name)
    )
    star = " ".join(f"{x:.1f},{y:.1f}" for x, y in star_points())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_UNITS} {_UNITS}" width="{SIZE_MM}mm" '
        f'height="{SIZE_MM}mm" class="seal-svg"><title>{escape(DEMO_TEXT)}：{escape(name)}</title>'
        f'<g fill="{RED}" stroke="none" opacity="0.9">'
        f'<circle cx="210" cy="210" r="196" fill="none" stroke="{RED}" stroke-width="14"/>'
        f'<polygon points="{star}"/>'
        f'<g font-family="{fonts.SONG}" font-weight="bold" text-anchor="middle" dominant-baseline="central">{texts}'
        f'<text x="210" y="312" font-size="40">{DEMO_TEXT}</text></g></g></svg>'
    )


@lru_cache(maxsize=32)
def demo_png(name: str, px: int = 500) -> bytes:
    """The same demo seal drawn by Pillow, for the DOCX (WeasyPrint cannot rasterise)."""
    scale = px / _UNITS
    image = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (0xD7, 0x00, 0x0F, 230)
    draw.ellipse([(210 - 196 - 7) * scale, (210 - 196 - 7) * scale, (210 + 196 + 7) * scale, (210 + 196 + 7) * scale],
                 outline=red, width=round(14 * scale))
    draw.polygon([(x * scale, y * scale) for x, y in star_points()], fill=red)
    bold = str(fonts.path("FandolSong-Bold.otf"))
    for g in ring_glyphs(name):
        font = ImageFont.truetype(bold, round(g.size * scale))
        tile = Image.new("RGBA", (round(g.size * scale * 1.6),) * 2, (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((tile.width / 2, tile.height / 2), g.char, font=font, fill=red, anchor="mm")
        tile = tile.rotate(-g.rotate, resample=Image.Resampling.BICUBIC)
        image.alpha_composite(tile, (round(g.x * scale - tile.width / 2), round(g.y * scale - tile.height / 2)))
    draw.text((210 * scale, 312 * scale), DEMO_TEXT, font=ImageFont.truetype(bold, round(40 * scale)), fill=red,
              anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def configured_image() -> Path | None:
    value = get_settings().seal_image
    return Path(value) if value else None


def applies_to(authority: str) -> bool:
    """Whether ``authority``'s documents carry a seal image: every body in demo mode, the park's issuer otherwise."""
    return configured_image() is None or authority == get_settings().issuer_name


def pdf_markup(authority: str) -> str:
    """Inline SVG of ``authority``'s seal for the PDF, or "" where the text line （盖章） stays."""
    if not applies_to(authority):
        return ""
    image = configured_image()
    if image is None:
        return demo_svg(authority)
    if image.suffix.lower() == ".svg":
        return image.read_text(encoding="utf-8")
    data = base64.b64encode(image.read_bytes()).decode("ascii")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE_MM}mm" height="{SIZE_MM}mm" class="seal-svg">'
            f'<image width="100%" height="100%" href="data:image/png;base64,{data}"/></svg>')


def docx_png(authority: str) -> bytes | None:
    """``authority``'s seal as PNG for the DOCX, or None where the DOCX keeps the text line."""
    if not applies_to(authority):
        return None
    image = configured_image()
    if image is None:
        return demo_png(authority)
    return image.read_bytes() if image.suffix.lower() == ".png" else None
