"""The project's exception tree: broken setup, never bad cells (those are findings).

Imports only the standard library. Every error carries a staff-facing Chinese message;
engines translate their own exceptions into these at the seam (``raise ... from exc``).
"""

from __future__ import annotations

__all__ = [
    "ColumnNotFound",
    "ContentWouldBeLost",
    "DiskFull",
    "EncryptedWorkbook",
    "EngineError",
    "EngineUnsupported",
    "HostileWorkbook",
    "LedgerNotFound",
    "SheetNotFound",
    "UsageError",
    "WorkbookChanged",
    "WorkbookLocked",
    "WorkbookUnreadable",
    "XladdinError",
]


class XladdinError(Exception):
    """Base of every error the project raises on purpose. ``str()`` is the staff message."""

    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(XladdinError):
    """The command or call was used wrongly (bad month, missing argument)."""

    code = "usage"


class WorkbookUnreadable(XladdinError):
    """The file is missing, not a workbook, truncated, or of a format we cannot read."""

    code = "unreadable"


class EncryptedWorkbook(WorkbookUnreadable):
    """The workbook is password-protected and no (or a wrong) password was given."""

    code = "encrypted"


class HostileWorkbook(WorkbookUnreadable):
    """The file looks like an attack (zip bomb, XML entity expansion)."""

    code = "hostile"


class SheetNotFound(XladdinError):
    """A sheet the job needs is absent."""

    code = "sheet-not-found"


class LedgerNotFound(SheetNotFound):
    """No sheet holds a recognisable project ledger header."""

    code = "ledger-not-found"


class ColumnNotFound(XladdinError):
    """A required ledger column could not be matched to any header."""

    code = "column-not-found"


class ContentWouldBeLost(XladdinError):
    """Saving would drop content the file engine cannot keep (shapes, charts, controls...)."""

    code = "content-would-be-lost"

    def __init__(self, message: str, parts: list[str]) -> None:
        super().__init__(message)
        self.parts = parts


class WorkbookLocked(XladdinError):
    """Another person or process is running a job on the same workbook."""

    code = "locked"


class WorkbookChanged(XladdinError):
    """Someone saved the workbook while a job ran on it: the original was not overwritten and the
    job's result was written beside it (``result``)."""

    code = "changed"

    def __init__(self, message: str, result: str) -> None:
        super().__init__(message)
        self.result = result


class DiskFull(XladdinError):
    """The disk filled up while writing; the original is untouched."""

    code = "disk-full"


class EngineError(XladdinError):
    """The spreadsheet application refused an operation (live Excel busy, protected sheet...)."""

    code = "engine"


class EngineUnsupported(XladdinError):
    """This engine cannot do the operation without losing content (the patch engine raises it:
    e.g. overwriting the first cell of a shared formula). The job stops and nothing is written;
    ``jobs.session.run_in_place`` picks engines up front from their capabilities, never reruns."""

    code = "engine-unsupported"
