"""The unlock PIN's rule and the automatic lock's setting: what is refused, with which message."""

from __future__ import annotations

import pytest

from server.auth.passwords import check_new_pin
from server.errors import InvalidInput
from server.settings import ConfigurationError, Settings


@pytest.mark.parametrize(
    ("pin", "says"),
    [
        ("123", "4 to 6 digits"),
        ("1234567", "4 to 6 digits"),
        ("12a4", "4 to 6 digits"),
        ("١٢٣٤٥", "4 to 6 digits"),  # digits, but not the ones the tablet's keypad types
        ("0000", "one digit repeated"),
        ("777777", "one digit repeated"),
        ("1234", "digits in a row"),
        ("654321", "digits in a row"),
        ("7890", "digits in a row"),
        ("1212", "most common PINs"),
        ("2580", "most common PINs"),
    ],
)
def test_a_guessable_pin_is_refused_with_the_reason(pin: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says) as refused:
        check_new_pin(pin, pin)
    assert refused.value.message.startswith("pin:")


def test_a_pin_typed_differently_twice_is_refused() -> None:
    with pytest.raises(InvalidInput, match="repeat_pin: the two PINs are not the same"):
        check_new_pin("2468", "2469")


@pytest.mark.parametrize("pin", ["2468", "90817", "139742", "0451"])
def test_an_ordinary_pin_is_taken(pin: str) -> None:
    check_new_pin(pin, pin)


def test_the_lock_minutes_default_to_three_and_are_checked() -> None:
    assert Settings.from_env({}).lock_minutes == 3
    assert Settings.from_env({"BEDSIDE_LOCK_MINUTES": "5"}).lock_minutes == 5
    for wrong, says in (("0", "use 1 to 1440 minutes"), ("1441", "use 1 to 1440"), ("soon", "whole number")):
        with pytest.raises(ConfigurationError, match=says) as refused:
            Settings.from_env({"BEDSIDE_LOCK_MINUTES": wrong})
        assert "BEDSIDE_LOCK_MINUTES" in str(refused.value)
