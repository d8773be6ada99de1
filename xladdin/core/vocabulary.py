"""Canonical names for units, categories, levels and statuses, with alias resolution and suggestions.

Pure core (standard library + settings). Staff write "北下街", "北下街办事处" or "北下街街道办事处"
for the same unit; aliases resolve silently, anything else gets the closest known name suggested.
"""

from __future__ import annotations

import difflib

from xladdin.core.fields import LEVELS, STATUSES
from xladdin.core.settings import Settings
from xladdin.core.values import norm

__all__ = ["Vocabulary", "canonical_level", "canonical_status", "vocabulary"]


def _unit_variants(name: str, kind: str) -> set[str]:
    out = {name}
    if kind == "街道" and name.endswith("街道"):
        base = name[: -len("街道")]
        out |= {base, base + "办事处", base + "街道办事处", base + "办", base + "街道办"}
    if kind == "乡" and name.endswith("乡"):
        out |= {name + "人民政府", name + "政府", name[:-1]}
    return out


class Vocabulary:
    """Lookup tables built once per settings object."""

    def __init__(self, settings: Settings) -> None:
        self.units: dict[str, str] = {}
        for u in settings.units:
            for variant in _unit_variants(u.name, u.kind) | set(u.aliases):
                self.units.setdefault(norm(variant), u.name)
        self.categories: dict[str, str] = {}
        for c in settings.categories:
            for variant in (c.name, *c.aliases):
                self.categories.setdefault(norm(variant), c.name)
        self._unit_names = [u.name for u in settings.units]
        self._cat_names = [c.name for c in settings.categories]

    def unit(self, raw: str | None) -> str | None:
        return self.units.get(norm(raw)) if raw else None

    def category(self, raw: str | None) -> str | None:
        return self.categories.get(norm(raw)) if raw else None

    def suggest_unit(self, raw: str) -> str | None:
        return _closest(norm(raw), self.units, self._unit_names)

    def suggest_category(self, raw: str) -> str | None:
        return _closest(norm(raw), self.categories, self._cat_names)


def _closest(key: str, table: dict[str, str], names: list[str]) -> str | None:
    hits = difflib.get_close_matches(key, list(table), n=1, cutoff=0.5)
    if hits:
        return table[hits[0]]
    # substring containment catches "北下街道办" vs "北下街街道"
    for name in names:
        if key and (key in name or name in key):
            return name
    return None


_CACHE: dict[int, tuple[Settings, Vocabulary]] = {}


def vocabulary(settings: Settings) -> Vocabulary:
    """The vocabulary of ``settings``, built once per (frozen) settings object."""
    hit = _CACHE.get(id(settings))
    if hit is None or hit[0] is not settings:
        if len(_CACHE) > 16:
            _CACHE.clear()
        hit = _CACHE[id(settings)] = (settings, Vocabulary(settings))
    return hit[1]


def canonical_level(raw: str | None) -> tuple[str | None, bool]:
    """(level, star) from texts like "省重点项目", "区重点（攻坚星级）", "市级重点"."""
    text = norm(raw)
    if not text:
        return None, False
    star = "星" in text
    if text in LEVELS:
        return text, star
    for level in LEVELS:
        if text.startswith(level[0]) and "重点" in text:
            return level, star
    return None, star


# Checked in order, so the negative forms come before 开工. A "新开工" status is the plan's
# 新开工项目 (a project planned to start this year): not yet started until it says 已开工 or money
# has been spent (issue 13: a planned 新开工 used to count as started and trip 应统尽统).
_STATUS_WORDS = (("谋划", "谋划"), ("储备", "谋划"), ("前期", "前期"), ("在建", "在建"), ("续建", "在建"),
                 ("未开工", "前期"), ("待开工", "前期"), ("拟开工", "前期"), ("计划开工", "前期"),
                 ("已新开工", "在建"), ("计划新开工", "前期"), ("拟新开工", "前期"), ("新开工", "前期"),
                 ("开工", "在建"), ("竣工", "竣工"), ("完工", "竣工"), ("建成", "竣工"))


def canonical_status(raw: str | None) -> str | None:
    text = norm(raw)
    if not text:
        return None
    if text in STATUSES:
        return text
    for word, status in _STATUS_WORDS:
        if word in text:
            return status
    return None
