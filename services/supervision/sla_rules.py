"""Supervision lights (亮灯督办) and escalation thresholds, as configuration with plain functions.

Default rule (DOMAIN §4.3): a step is **yellow** when the time left is at most
max(1 working day, ⌈limit / 3⌉), **red** when it is overdue (nothing left), green otherwise; a step
whose clock stands still (补正, or a statutory period such as 公示 that does not count against the
department) is **paused**, never running out. A red department step gets a 督办通知 (level 1) with a
written reply due in a few working days; still red after ``escalate_after[0]`` working days it goes to
the field HQ (现场指挥部, level 2), after ``escalate_after[1]`` to the general HQ (总指挥部, level 3).

Every number is configuration (``services/supervision/data/sla_lights.toml``): a default, then overrides
per project tier (``[tiers.key]``: 重点项目 are held tighter) and per item (``[items."process:step"]``),
the item winning over the tier.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

Light = Literal["green", "yellow", "red", "paused"]
DEFAULT_PATH = Path(__file__).parent / "data" / "sla_lights.toml"
LIGHT_ZH = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "paused": "计时暂停"}
LEVEL_ZH = {1: "督办通知（部门）", 2: "提请现场指挥部督办", 3: "提请总指挥部督办"}


@dataclass(frozen=True)
class LightRule:
    """Thresholds for one item and tier."""

    yellow_fraction: float = 1 / 3
    yellow_min_days: int = 1
    reply_working_days: int = 3
    escalate_after: tuple[int, int] = (2, 5)

    def yellow_threshold(self, limit: int) -> int:
        """Days left at or below which the light turns yellow."""
        return _yellow_threshold(self.yellow_fraction, self.yellow_min_days, limit)


@cache  # the sweep asks for every open step; there are only a few distinct answers
def _yellow_threshold(yellow_fraction: float, yellow_min_days: int, limit: int) -> int:
    fraction = Fraction(yellow_fraction).limit_denominator(1000)  # 0.333… is 1/3, exactly
    return max(yellow_min_days, math.ceil(limit * fraction))


@dataclass(frozen=True)
class SlaRules:
    version: str
    default: LightRule
    tiers: dict[str, dict[str, Any]]
    items: dict[str, dict[str, Any]]

    def rule_for(self, process_key: str, step_key: str, tier: str = "normal") -> LightRule:
        """The default, then the tier's overrides, then the item's (``process:step``)."""
        rule = self.default
        for overrides in (self.tiers.get(tier, {}), self.items.get(f"{process_key}:{step_key}", {})):
            if overrides:
                rule = replace(rule, **_fields(overrides))
        return rule


def _fields(raw: dict[str, Any]) -> dict[str, Any]:
    allowed = {"yellow_fraction", "yellow_min_days", "reply_working_days", "escalate_after"}
    unknown = set(raw) - allowed
    if unknown:
        raise ValueError(f"unknown light settings: {sorted(unknown)}")
    out = dict(raw)
    if "escalate_after" in out:
        first, second = (int(x) for x in out["escalate_after"])
        if not 0 < first < second:
            raise ValueError("escalate_after needs two increasing working-day counts, e.g. [2, 5]")
        out["escalate_after"] = (first, second)
    if not 0 <= float(out.get("yellow_fraction", 0.5)) <= 1:
        raise ValueError("yellow_fraction must be between 0 and 1")
    return out


def load_rules(path: str | Path | None = None) -> SlaRules:
    return _load(str(path or DEFAULT_PATH))


@lru_cache
def _load(path: str) -> SlaRules:
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return SlaRules(version=str(raw["version"]), default=LightRule(**_fields(raw.get("default", {}))),
                    tiers=dict(raw.get("tiers", {})), items=dict(raw.get("items", {})))


def light_for(rule: LightRule, limit: int, remaining: int | None, paused: bool) -> Light:
    """The light of a step. ``remaining`` counts the days left *including today* (in the step's unit), so
    a step due today has 1 left (yellow at most) and is red only once its deadline has passed."""
    if paused:
        return "paused"
    if remaining is None:
        return "green"
    if remaining <= 0:
        return "red"
    return "yellow" if remaining <= rule.yellow_threshold(limit) else "green"


def escalation_level(rule: LightRule, red_working_days: int) -> int:
    """How far a red step has been escalated after ``red_working_days`` working days in red."""
    first, second = rule.escalate_after
    if red_working_days >= second:
        return 3
    if red_working_days >= first:
        return 2
    return 1
