"""A typed ledger frame from a few hand-written project rows, for core tests of the tables."""

from __future__ import annotations

import pandas as pd

from xladdin.core.fields import FIELDS


def ledger(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Every field key as a column (absent ones empty), amounts float64, flags boolean, and
    ``_row`` numbered from Excel row 5 as the reader would give it."""
    frame = pd.DataFrame(rows)
    for f in FIELDS:
        if f.key not in frame:
            frame[f.key] = None
        if f.kind == "amount":
            frame[f.key] = pd.to_numeric(frame[f.key]).astype("float64")
        if f.kind == "flag":
            frame[f.key] = frame[f.key].astype("boolean")
    frame["_row"] = range(5, 5 + len(frame))
    return frame
