"""Engines: the small seam between jobs and a workbook (files via openpyxl, live Excel via xlwings)."""

from xladdin.engines.base import Engine, Formula, Link

__all__ = ["Engine", "Formula", "Link"]
