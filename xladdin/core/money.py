"""Money units: 万元 (10^4 CNY, ledgers) and 亿元 (10^8 CNY, the plan's headline figures).

Pure core (standard library only). 1 亿元 = 10,000 万元.
"""

from __future__ import annotations

__all__ = ["WAN_PER_YI", "wan_to_yi", "yi_to_wan"]

WAN_PER_YI = 10_000.0


def wan_to_yi(wan: float) -> float:
    """万元 -> 亿元 (3,286,000 万元 -> 328.6 亿元)."""
    return wan / WAN_PER_YI


def yi_to_wan(yi: float) -> float:
    """亿元 -> 万元."""
    return yi * WAN_PER_YI
