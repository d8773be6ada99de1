"""Helpers shared by the programme measures: typed columns, rates, unit order, published rounding.

Pure core (pandas, numpy; settings).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.settings import Settings
from xladdin.figures.ranking import published_growth as published

__all__ = ["NO_DATA", "OTHER_UNIT", "YI", "flag", "has_data", "num", "published", "rate", "rows_by_unit", "unit_order",
           "units_of"]

YI = 10_000.0  # 万元 per 亿元
NO_DATA = "无数据"
OTHER_UNIT = "未识别单位"


def num(series: pd.Series) -> pd.Series:
    """A column as float64 (text and blanks as NaN)."""
    return pd.to_numeric(series, errors="coerce").astype("float64")


def flag(frame: pd.DataFrame, key: str) -> pd.Series:
    """A 是/否 column as bool (blank as False)."""
    return frame[key].astype("boolean").fillna(False).astype(bool)


def has_data(frame: pd.DataFrame, key: str) -> bool:
    """Whether the ledger has the column at all (any value filled): without it a measure is 无数据."""
    return key in frame.columns and bool(frame[key].notna().any())


def rate(part: float, whole: float) -> float | None:
    """part ÷ whole, None when whole is 0."""
    return part / whole if whole else None


def unit_order(settings: Settings) -> dict[str, int]:
    return {n: i for i, n in enumerate([*settings.unit_names, OTHER_UNIT])}


def units_of(values: Iterable[Any]) -> list[str]:
    """Unit names with blanks as 未识别单位. A column is taken as a list first: iterating a pandas
    string column fetches it cell by cell (30,000 units: 8 ms against 1)."""
    cells = values.tolist() if isinstance(values, pd.Series) else values
    return [v if type(v) is str else OTHER_UNIT if v is None or v is pd.NA or (isinstance(v, float) and v != v)
            else str(v) for v in cells]


def rows_by_unit(units: list[str]) -> dict[str, np.ndarray[Any, np.dtype[np.intp]]]:
    """Each unit's row positions, in ledger order (units in order of first appearance): one pass
    instead of a mask per unit. A sum over ``values[rows]`` adds the same numbers in the same order
    as a pandas sum over the unit's mask, so every figure is the same to the last bit."""
    codes, names = pd.factorize(pd.Series(units, dtype=object), sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    return {str(u): order[bounds[i]:bounds[i + 1]] for i, u in enumerate(names)}
