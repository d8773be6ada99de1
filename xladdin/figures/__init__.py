"""The month's figures: progress, targets, ranking, programmes and the bulletin, computed from core data.

Pure like the core; imports only ``xladdin.core`` and ``xladdin.errors`` from the package."""
