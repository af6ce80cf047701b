"""The tests' "now": one instant for the whole run, never the real today.

`BEDSIDE_TEST_NOW` (ISO 8601 with offset) and `BEDSIDE_TEST_TIMEZONE` (IANA name) move every test to
another moment and zone; `.ci/run` runs the suite once more far ahead, late in the evening, the day
before a daylight-saving change, so a test that only passes on some dates fails there.
In-process apps get a `SetClock` standing at that instant; real server processes (browser and
scale-out tests) get the wall clock shifted to it (`BEDSIDE_TEST_CLOCK_SHIFT`, see tests/serve.py).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from server.clock import SetClock, ShiftedClock

DEFAULT_NOW = "2026-11-23T09:30:00+00:00"
TEST_NOW = datetime.fromisoformat(os.environ.get("BEDSIDE_TEST_NOW") or DEFAULT_NOW).astimezone(UTC)
TEST_TIMEZONE = os.environ.get("BEDSIDE_TEST_TIMEZONE") or "UTC"
SHIFT_VARIABLE = "BEDSIDE_TEST_CLOCK_SHIFT"
SHIFT = TEST_NOW - datetime.now(UTC)
"""How far the real server processes of this run are moved (the same for all, so they agree)."""


def set_clock() -> SetClock:
    return SetClock(TEST_TIMEZONE, TEST_NOW)


def server_clock() -> ShiftedClock:
    """The clock of a real server process started by a test (it reads the shift from its environment)."""
    return ShiftedClock(TEST_TIMEZONE, timedelta(seconds=float(os.environ[SHIFT_VARIABLE])))


def server_env() -> dict[str, str]:
    """What a test adds to a server process's environment so its clock agrees with the test's."""
    return {SHIFT_VARIABLE: str(SHIFT.total_seconds()), "BEDSIDE_TIMEZONE": TEST_TIMEZONE}


def server_now() -> datetime:
    """What "now" is for the real server processes of this run."""
    return datetime.now(UTC) + SHIFT
