"""The four 拿地即开工 certificates as data per park: issuing authority, seal text and 证号 series of each
kind, and the park's cadastral codes that make a 不动产单元号 (GB/T 37346-2019).

The bundled default (``data/certificates.toml``) is 东莞's; a park sets ``GC_CERTIFICATES_FILE`` to a file
with the same keys. A file is checked when it is loaded, and every problem names its key
(``certificates.land_title_certificate.number_pattern: …``), so a wrong file stops the certificates from
being issued instead of printing a wrong authority.

A 证号 is the kind's ``number_pattern`` filled with the serial of the platform 文号 that
``services.documents.issue`` allocated (gapless per kind and year, given back by a rolled-back batch), so
the 证号 is as gapless and idempotent as the 文号 and is stored with the document's context.

The 不动产单元号 made here is **provisional** — 宗地顺序号 from the parcel's id — until the registration
system (不动产登记机构) supplies the real one (:func:`record_registered_unit_number`, kept in the case's
``form_data``: no schema change). This module does not issue or number anything.
"""

from __future__ import annotations

import re
import string
import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session

from services.core import audit
from services.core.errors import DomainError
from services.core.ids import stored_id
from services.core.settings import get_settings
from services.models import Application

DEFAULT_PATH = Path(__file__).parent / "data" / "certificates.toml"
KINDS = ("land_title_certificate", "land_use_planning_permit", "construction_planning_permit", "construction_permit")
PLACEHOLDERS = frozenset({"year", "month", "day", "serial", "division"})
REGISTERED_KEY = "registered_unit_number"  # Application.form_data key of the number the registry supplied

# GB/T 37346-2019 §8: 县级行政区划 6 + 地籍区 3 + 地籍子区 3 + 宗地特征码 2 + 宗地顺序号 5 + 定着物特征码 1
# + 定着物单元编号 8 = 28. 宗地特征码: G 国家 / J 集体 / Z 争议 土地所有权, then the kind of right (A 集体土地所有权,
# B/S/X 建设用地使用权 地表/地上/地下, C 宅基地, D/E/F 承包经营 耕地/林地/草地, H 海域, G 无居民海岛, W 未确定, Y 其他).
# 定着物特征码: F 房屋, L 林木, Q 其他, W 无定着物 (its unit number is then 00000000).
UNIT_NUMBER = re.compile(r"(?P<division>\d{6})(?P<district>\d{3})(?P<subdistrict>\d{3})"
                         r"(?P<parcel_feature>[GJZ][ABSXCDEFHGWY])(?P<parcel_serial>\d{5})"
                         r"(?P<fixture_feature>[FLQW])(?P<fixture_serial>\d{8})")
NO_FIXTURE = "W00000000"  # land only: nothing built on the parcel yet


class CertificateDataError(ValueError):
    """A certificates file that cannot be used; the message names the file and each wrong key."""


class Park(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    division_code: str = Field(pattern=r"^\d{6}$", description="县级行政区划代码 (GB/T 2260)")
    cadastral_district: str = Field(pattern=r"^\d{3}$", description="地籍区")
    cadastral_subdistrict: str = Field(pattern=r"^\d{3}$", description="地籍子区")
    parcel_feature_code: str = Field(default="GB", pattern=r"^[GJZ][ABSXCDEFHGWY]$", description="宗地特征码")


class CertificateIssuer(BaseModel):
    """One kind's issuing authority (发证机关 / 登记机构), the text of its seal block and its 证号 series."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    authority: str = Field(min_length=1)
    seal_text: str = Field(default="（盖章）", min_length=1)
    number_pattern: str = Field(min_length=1)

    @field_validator("authority", "seal_text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("number_pattern")
    @classmethod
    def _a_series(cls, value: str) -> str:
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"not a format string: {exc}") from None
        unknown = fields - PLACEHOLDERS
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(PLACEHOLDERS)}")
        if not {"serial", "year"} <= fields:
            raise ValueError("must contain {serial} and {year} (the gapless counter restarts every year), or two "
                             "certificates share a number")
        try:
            value.format(year=2026, month=1, day=1, serial=1, division="441900")
        except (ValueError, TypeError, IndexError) as exc:
            raise ValueError(f"cannot be filled in: {exc}") from None
        return value


class CertificateData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    park: Park
    certificates: dict[str, CertificateIssuer]

    @field_validator("certificates")
    @classmethod
    def _every_kind(cls, value: dict[str, CertificateIssuer]) -> dict[str, CertificateIssuer]:
        missing, unknown = set(KINDS) - set(value), set(value) - set(KINDS)
        if missing:
            raise ValueError(f"missing [certificates.<kind>] for {sorted(missing)}")
        if unknown:
            raise ValueError(f"unknown certificate kind(s) {sorted(unknown)}; known: {list(KINDS)}")
        return value

    def issuer(self, kind: str) -> CertificateIssuer:
        return self.certificates[kind]

    def certificate_number(self, kind: str, platform_number: str, issued_on: date) -> str:
        """The kind's 证号 in the park's series, with the serial of the platform 文号 (…第0007号)."""
        serial = serial_of(platform_number)
        return self.issuer(kind).number_pattern.format(
            year=issued_on.year, month=issued_on.month, day=issued_on.day, serial=serial,
            division=self.park.division_code)

    def provisional_unit_number(self, parcel_id: int) -> str:
        """不动产单元号 in the GB/T 37346 structure from the park's codes and the parcel (宗地顺序号 = its id),
        with no 定着物 yet (W00000000). Provisional: the registration system assigns the real 宗地顺序号."""
        if not 0 < parcel_id < 100_000:
            raise ValueError(f"宗地顺序号 has 5 digits; parcel id {parcel_id} does not fit")
        park = self.park
        return (f"{park.division_code}{park.cadastral_district}{park.cadastral_subdistrict}"
                f"{park.parcel_feature_code}{parcel_id:05d}{NO_FIXTURE}")


def serial_of(platform_number: str) -> int:
    found = re.search(r"第(\d+)号$", platform_number)
    if not found:
        raise ValueError(f"not a platform 文号 with a serial: {platform_number!r}")
    return int(found.group(1))


def unit_number_parts(code: str) -> dict[str, str]:
    """The seven parts of a 28-character 不动产单元号, or ValueError naming what is wrong."""
    clean = code.replace(" ", "")
    found = UNIT_NUMBER.fullmatch(clean)
    if len(clean) != 28 or not found:
        raise ValueError("不动产单元号应为28位：6位行政区划代码、3位地籍区、3位地籍子区、2位宗地特征码、5位宗地顺序号、"
                         "1位定着物特征码和8位定着物单元编号（GB/T 37346），如441900001001GB00031W00000000")
    return found.groupdict()


def load(path: str | Path | None = None) -> CertificateData:
    """The park's certificates file (``GC_CERTIFICATES_FILE``), else the bundled default; checked."""
    return _load(str(path or get_settings().certificates_file or DEFAULT_PATH))


@lru_cache
def _load(path: str) -> CertificateData:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CertificateDataError(f"证照数据文件 {path} 无法读取: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CertificateDataError(f"证照数据文件 {path} 不是有效的 TOML: {exc}") from None
    try:
        return CertificateData.model_validate(raw)
    except ValidationError as exc:
        raise CertificateDataError(f"证照数据文件 {path} 有误:\n" + "\n".join(_problems(exc))) from None


def _problems(exc: ValidationError) -> list[str]:
    return [f"  {'.'.join(str(part) for part in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()]


# --- the registered 不动产单元号 ---------------------------------------------------------------------


def registered_unit_number(form_data: dict[str, Any]) -> str | None:
    """The number the registration system supplied for the case's parcel, if any."""
    return form_data.get(REGISTERED_KEY) or None


def record_registered_unit_number(session: Session, application: Application, code: str, *, actor: str) -> str:
    """Keep the 不动产单元号 the registration system supplied (checked against GB/T 37346); certificates
    issued after this print it instead of the provisional one. Certificates already issued are not changed."""
    clean = code.replace(" ", "").upper()
    try:
        unit_number_parts(clean)
    except ValueError as exc:
        raise DomainError(str(exc), field=REGISTERED_KEY) from None
    application.form_data = {**application.form_data, REGISTERED_KEY: clean}
    session.add(application)
    application_id = stored_id(application)
    audit.record(session, "unit_number.registered", actor=None, actor_label=actor, entity="application",
                 entity_id=application_id, application_id=application_id, detail={REGISTERED_KEY: clean})
    return clean
