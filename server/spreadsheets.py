"""CSV for spreadsheets, safely: a cell a spreadsheet would run as a formula is kept as text."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP: CSV injection)."""


def spreadsheet_safe(cell: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a quote in front; numbers stay numbers."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell
