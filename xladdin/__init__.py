"""xladdin: validate, consolidate, rank and report district key-project ledgers (重点项目台账).

The public API is curated here; submodules not listed are private to the package.
"""

from __future__ import annotations

__version__ = "0.1.0"
TEMPLATE_VERSION = "2022.1"

__all__ = ["TEMPLATE_VERSION", "__version__"]
