"""README's table of text limits says what the columns enforce: each documented column has that length."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import SQLModel

import server.all_models  # noqa: F401 - every table on the metadata
from server.auth.passwords import PASSWORD_LENGTH

README = Path(__file__).resolve().parents[2] / "README.md"


def column_lengths() -> dict[str, int]:
    return {
        f"{table.name}.{column.name}": column.type.length
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(getattr(column.type, "length", None), int)
    }


def documented_rows() -> list[str]:
    section = README.read_text().split("## Text limits", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and "`" in line]


def test_every_documented_maximum_is_the_columns_length() -> None:
    lengths = column_lengths()
    rows = documented_rows()
    assert len(rows) >= 15
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        for name, own in re.findall(r"`([a-z_]+\.[a-z_]+)`(?: (\d+))?", cells[1]):
            stated = int(own) if own else int(cells[2])
            assert lengths[name] == stated, (
                f"README says {name} is at most {stated}; the column has {lengths[name]}"
            )


def test_the_password_maximum_is_the_rules() -> None:
    password = next(row for row in documented_rows() if row.startswith("| password"))
    assert password.rstrip(" |").endswith(str(PASSWORD_LENGTH.stop - 1))
