"""Canonical names for units, categories, levels and statuses, with alias resolution and suggestions.

Pure core (standard library + settings). Staff write "北下街", "北下街办事处" or "北下街街道办事处"
for the same unit; aliases resolve silently, anything else gets the closest known name suggested.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from xladdin.core.settings import Settings, TermSpec, default_settings
from xladdin.core.values import norm, parse_flag

__all__ = ["Vocabulary", "canonical_level", "canonical_status", "vocabulary"]


def _unit_variants(name: str, kind: str) -> set[str]:
    out = {name}
    if kind == "街道" and name.endswith("街道"):
        base = name[: -len("街道")]
        out |= {base, base + "办事处", base + "街道办事处", base + "办", base + "街道办"}
    if kind in ("乡", "镇", "乡镇") and name.endswith(("乡", "镇")):
        out |= {name + "人民政府", name + "政府", name[:-1]}
    if kind == "县区":
        out |= {name + "人民政府", name + "政府"}
    if name.startswith("区") and len(name) > 2:  # 区发展改革委 <- 发展改革委; a county's 县X局 alike
        out.add(name[1:])
    return out


_LIST_SEP = re.compile(r"[,，、;；/]")
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def _terms(specs: tuple[TermSpec, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for t in specs:
        for variant in (t.name, *t.aliases):
            table.setdefault(norm(variant), t.name)
    return table


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
        self.levels = _terms(settings.levels)
        self.level_names = [t.name for t in settings.levels]
        self.statuses = _terms(settings.statuses)
        self.status_names = [t.name for t in settings.statuses]
        self.flag_true = frozenset(norm(w).lower() for w in settings.flag_true)
        self.flag_false = frozenset(norm(w).lower() for w in settings.flag_false)
        self._level_memo: dict[str, tuple[str | None, bool]] = {}

    def unit(self, raw: str | None) -> str | None:
        """The unit named by ``raw``; for a list ("区住建局,区发改局", as a 牵头单位 cell holds) the first
        named, which common practice lists as the lead unit."""
        if not raw:
            return None
        key = norm(raw)
        hit = self.units.get(key)
        if hit is None and _LIST_SEP.search(key):
            hit = self.units.get(_LIST_SEP.split(key, 1)[0])
        return hit

    def category(self, raw: str | None) -> str | None:
        return self.categories.get(norm(raw)) if raw else None

    def suggest_unit(self, raw: str) -> str | None:
        return _closest(norm(raw), self.units, self._unit_names)

    def suggest_category(self, raw: str) -> str | None:
        return _closest(norm(raw), self.categories, self._cat_names)

    def level(self, raw: Any) -> tuple[str | None, bool]:
        """(level, star) from texts like "省重点项目", "区重点（攻坚星级）", "市级重点", "县重点"."""
        text = norm(raw)
        if not text:
            return None, False
        hit = self._level_memo.get(text)
        if hit is None:
            hit = self._level_memo[text] = self._level(text)
        return hit

    def _level(self, text: str) -> tuple[str | None, bool]:
        star = "星" in text
        for candidate in (text, _BRACKETED.sub("", text), _BRACKETED.sub("", text).removesuffix("项目")):
            if candidate in self.levels:
                return self.levels[candidate], star
        for level in self.level_names:  # "省级重点建设项目", "市重点（续建）": first character and 重点
            if level.endswith("重点") and text.startswith(level[0]) and "重点" in text:
                return level, star
        return None, star

    def status(self, raw: Any) -> str | None:
        """The canonical status of "续建", "新开工项目", "在建（续建）", …; None when unknown."""
        text = norm(raw)
        if not text:
            return None
        if text in self.statuses:
            return self.statuses[text]
        for name in self.status_names:  # "在建（续建）", "前期工作中": a status's own name decides
            if name in text:
                return name
        for word, status in sorted(self.statuses.items(), key=lambda kv: -len(kv[0])):
            if word in text:
                return status
        return None

    def flag(self, value: Any) -> bool | None:
        """是/否 read with the 参数 words (text beginning with one is read by its meaning)."""
        return parse_flag(value, self.flag_true, self.flag_false)

    def suggest(self, raw: Any, table: dict[str, str], names: list[str]) -> str | None:
        return _closest(norm(raw), table, names)


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
    """(level, star) with the default vocabulary (Guancheng's 省重点 / 市重点 / 区重点)."""
    return vocabulary(_DEFAULTS).level(raw)


def canonical_status(raw: str | None) -> str | None:
    """The canonical status with the default vocabulary."""
    return vocabulary(_DEFAULTS).status(raw)


_DEFAULTS = default_settings()
