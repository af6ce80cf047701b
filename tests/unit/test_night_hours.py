"""The hospital's night hours: read from BEDSIDE_NIGHT_HOURS, refused when they cannot be meant, and a night
that runs across midnight is night on both sides of it."""

from __future__ import annotations

from datetime import time

import pytest

from server.settings import ConfigurationError, Settings
from server.theme import is_night


def test_the_night_hours_default_to_nine_in_the_evening_until_seven() -> None:
    assert Settings.from_env({}).resolved_night_hours() == (time(21, 0), time(7, 0))


def test_the_night_hours_are_read_from_the_environment() -> None:
    settings = Settings.from_env({"BEDSIDE_NIGHT_HOURS": " 22:30 - 6:15 "})
    assert settings.resolved_night_hours() == (time(22, 30), time(6, 15))


UNMEANT = ["", "21-07", "21:00", "25:00-07:00", "21:00-07:60", "07:00-07:00", "dusk-dawn"]


@pytest.mark.parametrize("value", UNMEANT)
def test_night_hours_that_cannot_be_meant_stop_the_instance_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigurationError, match=r"BEDSIDE_NIGHT_HOURS=.*e\.g\. 21:00-07:00"):
        Settings.from_env({"BEDSIDE_NIGHT_HOURS": value})


def test_a_night_across_midnight_is_night_on_both_sides_and_ends_on_the_minute() -> None:
    night = (time(21, 0), time(7, 0))
    assert [is_night(time(*hm), night) for hm in [(20, 59), (21, 0), (23, 59), (0, 0), (6, 59), (7, 0)]] == [
        False, True, True, True, True, False,
    ]  # fmt: skip


def test_a_night_within_one_day_is_night_only_between_its_times() -> None:
    early = (time(1, 0), time(5, 30))
    assert [is_night(time(*hm), early) for hm in [(0, 59), (1, 0), (5, 29), (5, 30), (23, 0)]] == [
        False, True, True, False, False,
    ]  # fmt: skip
