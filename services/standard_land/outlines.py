"""宗地范围 (parcel outlines): the GeoJSON polygons the public 标准地 map draws.

An outline is a GeoJSON ``Polygon`` or ``MultiPolygon`` in longitude/latitude (WGS 84; CGCS2000
geographic coordinates differ from it by less than a drawing can show). ``parse_outline`` takes what a
person pastes on the parcel form or a GIS tool exports (a bare geometry, or a ``Feature`` holding one),
checks it with geojson-pydantic (closed rings of four or more positions) plus what that library leaves
open — coordinates in range, not projected metres, not latitude first, a bounded size — and returns the
geometry as plain JSON to store on ``Parcel.outline``. Every refusal is a Chinese sentence.

``import_outlines`` sets the outlines of many parcels from one ``FeatureCollection`` (each feature names
its parcel by the property ``number`` or ``宗地编号``): all or nothing, each wrong feature named.
This module must not import FastAPI or Prefect.
"""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from geojson_pydantic import MultiPolygon, Polygon
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, col, select

from services.core import audit
from services.core.errors import DomainError
from services.core.ids import stored_id
from services.models import Parcel, User

MAX_POSITIONS = 5000  # a surveyed parcel has tens of corners; thousands means a wrong file
MAX_IMPORT_BYTES = 5 * 1024 * 1024
NUMBER_PROPERTIES = ("number", "宗地编号")
_GEOMETRY: TypeAdapter[Polygon | MultiPolygon] = TypeAdapter(Polygon | MultiPolygon)


class OutlineError(DomainError):
    """An outline that cannot be stored, with the reason in Chinese."""


def parse_outline(value: str | dict[str, Any] | Polygon | MultiPolygon | None) -> dict[str, Any] | None:
    """The outline as GeoJSON geometry to store, None for an empty value; ``OutlineError`` says what is wrong."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, Polygon | MultiPolygon):  # typed in code (the demo seed): its coordinates checked too
        value = as_json(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise OutlineError("宗地范围不是有效的GeoJSON文本（请粘贴GIS软件导出的 Polygon 或 MultiPolygon）") from None
    if not isinstance(value, dict):
        raise OutlineError("宗地范围应为GeoJSON对象（Polygon、MultiPolygon 或含其一的 Feature）")
    if value.get("type") == "Feature":
        value = value.get("geometry")
        if not isinstance(value, dict):
            raise OutlineError("该 Feature 没有几何图形（geometry）")
    kind = value.get("type")
    model: type[Polygon] | type[MultiPolygon]
    if kind == "Polygon":
        model = Polygon
    elif kind == "MultiPolygon":
        model = MultiPolygon
    else:
        raise OutlineError(f"宗地范围应为面（Polygon 或 MultiPolygon），不能是“{str(kind)[:32]}”")
    try:
        geometry = model.model_validate(value)
    except ValidationError as error:
        raise OutlineError(_shape_message(error)) from None
    positions = list(_positions(geometry))
    if len(positions) > MAX_POSITIONS:
        raise OutlineError(f"宗地范围的顶点过多（{len(positions)}个，最多{MAX_POSITIONS}个），请简化后再导入")
    _check_coordinates(positions)
    return as_json(geometry)


def as_geometry(stored: dict[str, Any] | None) -> Polygon | MultiPolygon | None:
    """A stored outline as the typed geometry the API answers with."""
    return None if stored is None else _GEOMETRY.validate_python(stored)


def as_json(geometry: Polygon | MultiPolygon) -> dict[str, Any]:
    """The checked geometry as the plain JSON stored on the parcel (positions as lists, no bbox)."""
    return {"type": geometry.type, "coordinates": json.loads(json.dumps(geometry.model_dump()["coordinates"]))}


def _shape_message(error: ValidationError) -> str:
    text = " ".join(str(e.get("msg", "")) for e in error.errors())
    if "same start and end" in text:
        return "宗地范围的每个环首尾坐标必须相同（闭合）"
    if "at least 4" in text:
        return "宗地范围的每个环至少需要4个坐标点（含闭合点）"
    return "宗地范围的坐标格式不正确：每个点应为 [经度, 纬度]"


def _positions(geometry: Polygon | MultiPolygon) -> Iterable[tuple[float, float]]:
    polygons = geometry.coordinates if isinstance(geometry, MultiPolygon) else [geometry.coordinates]
    for polygon in polygons:
        for ring in polygon:
            for position in ring:
                yield float(position[0]), float(position[1])


def _check_coordinates(positions: list[tuple[float, float]]) -> None:
    for lon, lat in positions:
        if abs(lon) > 1000 or abs(lat) > 1000:
            raise OutlineError("宗地范围的坐标像是投影坐标（米），请换算为经纬度（度）后再导入")
        if not -90 <= lat <= 90 and -90 <= lon <= 90:
            raise OutlineError("宗地范围的坐标顺序应为 [经度, 纬度]，看起来纬度写在了前面")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise OutlineError(f"宗地范围的坐标 [{lon}, {lat}] 超出经纬度范围")


def bounds(outline: dict[str, Any]) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a stored outline."""
    polygons = outline["coordinates"] if outline["type"] == "MultiPolygon" else [outline["coordinates"]]
    lons = [p[0] for polygon in polygons for ring in polygon for p in ring]
    lats = [p[1] for polygon in polygons for ring in polygon for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


@dataclass(frozen=True)
class OutlineImport:
    updated: list[str]
    unchanged: list[str]


def import_outlines(session: Session, actor: User | None, raw: bytes) -> OutlineImport:
    """Set parcel outlines from a GeoJSON ``FeatureCollection``; ``OutlineError`` lists every wrong feature
    (nothing is written then). Features are matched to parcels by ``number`` / ``宗地编号``."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise OutlineError(f"文件过大（超过{MAX_IMPORT_BYTES // 1024 // 1024}MB）")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise OutlineError("文件不是有效的GeoJSON（UTF-8编码的JSON）") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list) or not data["features"]:
        raise OutlineError("文件应为至少含一个要素的 GeoJSON FeatureCollection")
    numbers: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for index, feature in enumerate(data["features"], start=1):
        where = f"第{index}个要素"
        properties = feature.get("properties") if isinstance(feature, dict) else None
        number = next((str(properties[k]).strip() for k in NUMBER_PROPERTIES
                       if isinstance(properties, dict) and properties.get(k)), "")
        if not number:
            problems.append(f"{where}：缺少宗地编号（属性 number 或 宗地编号）")
            continue
        where = f"{where}（宗地编号 {number[:64]}）"
        if number in numbers:
            problems.append(f"{where}：宗地编号在文件中重复")
            continue
        try:
            outline = parse_outline({"type": "Feature", "geometry": feature.get("geometry")})
        except OutlineError as error:
            problems.append(f"{where}：{error}")
            continue
        assert outline is not None
        numbers[number] = outline
    parcels = {p.number: p for p in session.exec(select(Parcel).where(col(Parcel.number).in_(list(numbers))))}
    problems += [f"宗地编号 {n} 不在地块目录中，请先导入地块" for n in numbers if n not in parcels]
    if problems:
        raise OutlineError("；".join(problems[:20]) + ("；……" if len(problems) > 20 else ""))
    updated, unchanged = [], []
    for number, outline in numbers.items():
        parcel = parcels[number]
        if parcel.outline == outline:
            unchanged.append(number)
            continue
        parcel.outline = outline
        session.add(parcel)
        updated.append(number)
        audit.record(session, "catalogue.outline_set", actor=actor, entity="parcel", entity_id=stored_id(parcel),
                     actor_label=None if actor else "command line", detail={"number": number, "source": "geojson"})
    session.flush()
    return OutlineImport(updated=updated, unchanged=unchanged)


#: Where the demo seed draws each base's parcels (approximate, for the demo map only): lon, lat of the first
#: parcel's south-west corner; the next parcels lie east of it.
DEMO_ANCHORS: dict[str, tuple[float, float]] = {
    "SSL-BIO": (113.880, 22.915), "EAST-IM": (113.995, 22.985), "NEW-MAT": (114.040, 23.060),
    "DIGITAL": (113.580, 23.050), "SX-NE": (113.650, 23.080), "LS-EI": (114.080, 22.800), "YP-HE": (114.150, 22.960),
}
_METRES_PER_DEGREE = 111_320.0


def demo_outline(base_code: str, index: int, area_m2: float) -> Polygon | None:
    """A rectangle (3:2) of the parcel's area near its base, the ``index``-th (from 1) from the west; None for a
    base without an anchor. Demo data only: real outlines come from the park's survey (GeoJSON import)."""
    if base_code not in DEMO_ANCHORS:
        return None
    lon0, lat0 = DEMO_ANCHORS[base_code]
    width_m = (area_m2 * 1.5) ** 0.5
    height_m = area_m2 / width_m
    per_lon = _METRES_PER_DEGREE * math.cos(math.radians(lat0))
    west = lon0 + (index - 1) * 0.006
    east, north = west + width_m / per_lon, lat0 + height_m / _METRES_PER_DEGREE
    ring = [[west, lat0], [east, lat0], [east, north], [west, north], [west, lat0]]
    return Polygon.model_validate({"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]})
