"""A flag makes the patient unavailable until it is cleared or its 'until' time passes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from server.availability.models import AvailabilityFlag
from server.availability.service import parse_flag_kind
from server.clock import next_local_time
from server.errors import InvalidInput

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


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
    assert next_local_time(time(14, 30), "Europe/Berlin", NOON) == NOON.replace(hour=13, minute=30)
