"""One clock: only server/clock.py reads the wall clock, and no table stamps a row by itself."""

from __future__ import annotations

import ast
from datetime import time, timedelta
from pathlib import Path

import server.all_models as all_models
from server.clock import SetClock, next_local_time
from tests.clock import TEST_NOW

SERVER = Path(__file__).resolve().parents[2] / "server"
WALL_CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic_ns", "localtime", "gmtime"}


def wall_clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if node.func.attr in WALL_CLOCK_CALLS and owner_name in {"datetime", "date", "time"}:
                found.append(f"{path.relative_to(SERVER.parent)}:{node.lineno}")
    return found


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    reads = [
        hit for path in SERVER.rglob("*.py") if path.name != "clock.py" for hit in wall_clock_reads(path)
    ]
    assert reads == [], "read the time from the injected clock instead"


def test_no_table_column_defaults_to_the_wall_clock() -> None:
    stamped = [
        f"{model.__name__}.{name}"
        for model in (getattr(all_models, n) for n in all_models.__all__ if n != "metadata")
        for name, field in model.model_fields.items()
        if field.default_factory is not None and "datetime" in str(field.annotation)
    ]
    assert stamped == [], "a time is written by the code that knows the clock, never by a default"


def test_a_set_clock_stands_still_until_moved_and_knows_the_hospital_day() -> None:
    clock = SetClock("Pacific/Auckland", TEST_NOW)
    assert clock.now() == clock.now() == TEST_NOW
    clock.advance(hours=30)
    assert clock.now() - TEST_NOW == timedelta(hours=30)
    assert clock.today() == clock.now().astimezone(clock.tzinfo).date()


def test_until_a_clock_time_is_today_or_tomorrow_in_the_hospital_zone() -> None:
    evening = TEST_NOW.replace(hour=23, minute=55, second=0, microsecond=0)
    tomorrow = next_local_time(time(0, 30), "UTC", evening)
    assert tomorrow == evening + timedelta(minutes=35)
    later_today = next_local_time(time(23, 59), "UTC", evening)
    assert later_today == evening + timedelta(minutes=4)
