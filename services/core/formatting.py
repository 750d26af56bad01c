"""Display formatting for Chinese official documents and web pages.

Pure functions, no I/O and no locale: the output depends only on the arguments. The document
renderer (``services.documents``) and the web pages (as Jinja filters, see ``JINJA_FILTERS``) use
the same functions, so a date or an area reads the same on screen, in the PDF and in the DOCX.

Conventions:

* Dates without leading zeros: ``2026年1月5日``. Times as ``14时05分`` (hour without leading
  zero, minutes always two digits).
* Time-zone-aware datetimes are shown in China Standard Time (UTC+8; China has no daylight saving
  time). Naive datetimes are taken to be China Standard Time already.
* Money is shown in 万元 (10,000 yuan) and areas in 亩 with the square-metre equivalent. Amounts
  are ``Decimal`` (or ``int``/``str``); rounding is half-up (四舍五入), as printed tables do.
  ``float`` is refused: a binary fraction must not leak into an official figure.

This module must not read settings, the clock or the database.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "CHINA_TZ",
    "JINJA_FILTERS",
    "SQUARE_METRES_PER_MU",
    "format_area",
    "format_date_zh",
    "format_mu",
    "mu_of_m2",
    "rule_set_zh",
    "with_role",
    "without_role",
    "format_datetime_zh",
    "format_time_zh",
    "format_wan_yuan",
    "working_days_zh",
    "yuan_to_wan",
]

#: China Standard Time. A fixed offset, so no tz database is needed.
CHINA_TZ = timezone(timedelta(hours=8), "CST")

#: 1 亩 = 10,000/15 m² exactly (15 亩 = 1 公顷).
SQUARE_METRES_PER_MU = Fraction(2000, 3)

Number = Decimal | int | str


def _in_china_time(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value
    return value.astimezone(CHINA_TZ)


def format_date_zh(value: date) -> str:
    """``date(2026, 1, 5)`` → ``"2026年1月5日"``.

    A datetime is accepted too; an aware one is first converted to China Standard Time, so
    the printed day is the day in China.
    """
    if isinstance(value, datetime):
        value = _in_china_time(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def format_time_zh(value: datetime) -> str:
    """``datetime(2026, 11, 27, 14, 5)`` → ``"14时05分"``."""
    value = _in_china_time(value)
    return f"{value.hour}时{value.minute:02d}分"


def format_datetime_zh(value: datetime) -> str:
    """``datetime(2026, 11, 27, 14, 5)`` → ``"2026年11月27日14时05分"``."""
    value = _in_china_time(value)
    return format_date_zh(value.date()) + format_time_zh(value)


def _to_fraction(value: Number) -> Fraction:
    if isinstance(value, bool | float):
        raise TypeError(f"expected Decimal, int or str, not {type(value).__name__}: {value!r}")
    if isinstance(value, str):
        value = Decimal(value.strip().replace(",", ""))
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return Fraction(value)


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact fraction to ``places`` decimals, half away from zero."""
    scale = 10**places
    scaled = abs(value) * scale
    units = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    result = Decimal(units).scaleb(-places)
    return -result if value < 0 else result


def _grouped(value: Decimal, places: int) -> str:
    return f"{value:,.{places}f}"


def format_wan_yuan(amount_wan: Number, places: int = 2) -> str:
    """An amount already expressed in 万元 → ``"1,234.50万元"``.

    The argument is in 万元, not yuan: convert yuan first with :func:`yuan_to_wan`.
    """
    return _grouped(_round_half_up(_to_fraction(amount_wan), places), places) + "万元"


def yuan_to_wan(amount_yuan: Number) -> Decimal:
    """Yuan → 万元, exact (``12345000`` → ``Decimal("1234.5")``)."""
    _to_fraction(amount_yuan)  # same type checks as the formatters
    if isinstance(amount_yuan, str):
        amount_yuan = amount_yuan.strip().replace(",", "")
    return Decimal(amount_yuan).scaleb(-4)


def _round_down(value: Fraction, places: int) -> Decimal:
    """Round an exact non-negative fraction down (toward zero) to ``places`` decimals."""
    scaled = abs(value) * 10**places
    result = Decimal(scaled.numerator // scaled.denominator).scaleb(-places)
    return -result if value < 0 else result


def format_mu(mu: Number, places: int = 2) -> str:
    """亩 (mu) as every page and document prints it: ``50.025`` → ``"50.02"``.

    The one rounding rule for 亩: rounded down, so a parcel's figure never exceeds what intake
    accepts (the land asked for may not be larger than the parcel).
    """
    return _mu_text(_to_fraction(mu), places)


def _mu_text(exact_mu: Fraction, places: int) -> str:
    return _grouped(_round_down(exact_mu, places), places)


def mu_of_m2(area_m2: Number, places: int = 2) -> str:
    """A parcel's area in m² → its 亩 figure (``33350`` → ``"50.02"``), by :func:`format_mu`'s rule."""
    return _mu_text(_to_fraction(area_m2) / SQUARE_METRES_PER_MU, places)


def format_area(mu: Number, places: int = 2) -> str:
    """Area in 亩 → ``"30.00亩（20,000.00平方米）"``.

    The 亩 figure follows :func:`format_mu`; the square-metre figure is computed exactly
    (1 亩 = 2000/3 m²) and rounded half-up once, so ``1`` → ``666.67平方米``.
    """
    exact_mu = _to_fraction(mu)
    square_metres = exact_mu * SQUARE_METRES_PER_MU
    return f"{format_mu(mu, places)}亩（{_grouped(_round_half_up(square_metres, places), places)}平方米）"


def working_days_zh(n: int) -> str:
    """``5`` → ``"5个工作日"``. A working-day limit stays in days (never hours)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"working days must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"working days must not be negative: {n}")
    return f"{n}个工作日"


#: Rule sets and catalogues (规则版本) by the identifier stored with each result → the name printed.
#: Stored cases keep the identifier; people read the name. A new version adds its line here.
RULE_SET_NAMES_ZH = {
    "national-2021": "《建设项目环境影响评价分类管理名录（2021年版）》",
    "commitment-default/1": "告知承诺制适用清单（默认）第1版",
    "standard_land/1": "标准地“双对标”控制指标评估规则第1版",
}


def rule_set_zh(identifier: str) -> str:
    """A stored rule-set version (``national-2021``) → its Chinese name, so no code reaches a page.

    Both halves of a combined identifier (``national-2021+commitment-default/1``) are named; an
    identifier nobody named (a local configuration) is printed as given.
    """
    return "、".join(RULE_SET_NAMES_ZH.get(part, part) for part in str(identifier).split("+"))


def with_role(role_zh: str, name: str) -> str:
    """``("代办专员", "王敏")`` → ``"代办专员王敏"``; a name that already carries the role is left as it is.

    Display names sometimes include the role (“代办专员 王敏”); prefixing it again doubled the word.
    """
    name = name.strip()
    return name if name.startswith(role_zh) else f"{role_zh}{name}"


def without_role(role_zh: str, name: str) -> str:
    """The name under a heading that already says the role: ``("代办专员", "代办专员 王敏")`` → ``"王敏"``."""
    name = name.strip()
    return name.removeprefix(role_zh).strip() or name


def format_decimal(value: Number | None) -> str:
    """A stored decimal without trailing zeros or exponent: 150.0000 → 150, 1.2500 → 1.25."""
    if value is None:
        return "—"
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


#: Register with ``env.filters.update(JINJA_FILTERS)``.
def browser_of(user_agent: str | None) -> str:
    """``Chrome · Windows`` from a User-Agent header: what a person recognises in a list of their sign-ins."""
    agent = user_agent or ""
    browser = next((name for token, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                               ("Chromium/", "Chromium"), ("Safari/", "Safari")) if token in agent),
                   "浏览器" if agent.startswith("Mozilla/") else (agent.split("/")[0][:24] or "未知"))
    system = next((name for token, name in (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"),
                                              ("Mac OS", "macOS"), ("Linux", "Linux")) if token in agent), "")
    return f"{browser} · {system}" if system else browser


JINJA_FILTERS = {
    "number": format_decimal,
    "date_zh": format_date_zh,
    "time_zh": format_time_zh,
    "datetime_zh": format_datetime_zh,
    "browser": browser_of,
    "wan_yuan": format_wan_yuan,
    "area": format_area,
    "mu": format_mu,
    "mu_of_m2": mu_of_m2,
    "rule_set_zh": rule_set_zh,
    "without_role": lambda name, role_zh: without_role(role_zh, name),
    "working_days_zh": working_days_zh,
}
