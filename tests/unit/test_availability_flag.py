"""A flag makes the patient unavailable until it is cleared or its 'until' time passes."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.availability.models import AvailabilityFlag
from server.availability.service import parse_flag_kind
from server.clock import next_local_time
from server.errors import InvalidInput
from tests.clock import TEST_NOW

NOON = TEST_NOW.replace(hour=12, minute=0, second=0, microsecond=0)
"""Noon UTC on the run's day (tests/clock.py): pure rules, but never a date of their own."""


def flag(**fields: object) -> AvailabilityFlag:
    return AvailabilityFlag(patient_id=1, kind="imaging", set_by_id=1, set_at=NOON, **fields)  # type: ignore[arg-type]


def test_flag_without_until_stays_active_until_cleared() -> None:
    assert flag().is_active(NOON + timedelta(days=2))


def test_flag_expires_by_itself_at_its_until_time() -> None:
    f = flag(until=NOON + timedelta(hours=2))
    assert f.is_active(NOON + timedelta(hours=1, minutes=59))
    assert not f.is_active(NOON + timedelta(hours=2))


def test_cleared_flag_is_no_longer_active() -> None:
    f = flag(cleared_at=NOON + timedelta(minutes=5), cleared_by_id=2)
    assert f.is_active(NOON + timedelta(minutes=4))
    assert not f.is_active(NOON + timedelta(minutes=5))


def test_kind_must_be_one_of_the_nurses_kinds() -> None:
    assert parse_flag_kind("end_of_life_vigil").label == "End-of-life vigil"
    for bad in ("", None, "lunch"):
        with pytest.raises(InvalidInput):
            parse_flag_kind(bad)


def test_until_time_entered_on_the_clock_means_today_or_tomorrow_in_the_hospital_zone() -> None:
    assert next_local_time(time(14, 30), "UTC", NOON) == NOON.replace(hour=14, minute=30)
    assert next_local_time(time(9, 0), "UTC", NOON) == (NOON + timedelta(days=1)).replace(hour=9)
    berlin = ZoneInfo("Europe/Berlin")
    berlin_half_two = datetime.combine(NOON.astimezone(berlin).date(), time(14, 30), tzinfo=berlin)
    assert next_local_time(time(14, 30), "Europe/Berlin", NOON) == berlin_half_two, (
        "14:30 on the ward's clock"
    )
    assert berlin_half_two - NOON in (timedelta(minutes=30), timedelta(minutes=90)), "summer or winter time"
