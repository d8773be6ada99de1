"""In-process timing of the spilling table formulas (TZ_BYUNIT, TZ_BYCATEGORY, TZ_BYLEVEL).

Reads the 项目台账 sheet of a benchmark master once, then calls each formula on the whole grid
``--calls`` times, interleaved (unit, category, level, unit, ...) so a slow spell of the shared VM
hits all three alike. Prints min and median of CPU time (``time.process_time``, robust to other
sessions' load) and of wall time per call. ``--profile NAME`` prints a cProfile of that formula.

    .venv/bin/python benchmarks/formulas.py /tmp/xladdin-bench-inputs/province-*/主台账-基准.xlsx
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def load_grid(master: Path) -> list[list[Any]]:
    from xladdin.core.regions import SHEETS
    from xladdin.engines.files import FileEngine

    engine = FileEngine(master)
    try:
        sheet = engine.read(SHEETS["ledger"])
    finally:
        engine.close()
    return [list(r) for r in sheet.rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("master", type=Path)
    parser.add_argument("--month", type=int, default=12)
    parser.add_argument("--calls", type=int, default=31)
    parser.add_argument("--profile", choices=["TZ_BYUNIT", "TZ_BYCATEGORY", "TZ_BYLEVEL"])
    args = parser.parse_args(argv)
    from xladdin.excel import udfs

    grid = load_grid(args.master)
    formulas = {name: getattr(udfs, name) for name in ("TZ_BYUNIT", "TZ_BYCATEGORY", "TZ_BYLEVEL")}
    if args.profile:
        fn = formulas[args.profile]
        fn(grid, args.month)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.calls):
            fn(grid, args.month)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        return 0
    cpu: dict[str, list[float]] = {n: [] for n in formulas}
    wall: dict[str, list[float]] = {n: [] for n in formulas}
    for name, fn in formulas.items():  # warm-up (imports, lru caches)
        out = fn(grid, args.month)
        if isinstance(out, str):
            print(f"{name}: {out}", file=sys.stderr)
            return 1
    for _ in range(args.calls):
        for name, fn in formulas.items():
            c, w = time.process_time(), time.perf_counter()
            fn(grid, args.month)
            cpu[name].append(time.process_time() - c)
            wall[name].append(time.perf_counter() - w)
    print(f"{len(grid)} grid rows, month {args.month}, {args.calls} calls each (ms: min / median)")
    for name in formulas:
        print(f"{name:14s} cpu {1000 * min(cpu[name]):6.1f} / {1000 * statistics.median(cpu[name]):6.1f}"
              f"   wall {1000 * min(wall[name]):6.1f} / {1000 * statistics.median(wall[name]):6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
