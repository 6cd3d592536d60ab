"""Cells that a spreadsheet shows as they are: the one guard every CSV or XLSX export uses."""
from __future__ import annotations

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def defused(text: str) -> str:
    """The text, with a leading apostrophe when a spreadsheet would otherwise run it as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
