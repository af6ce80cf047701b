"""The one password rule (NIST SP 800-63B): 12 to 128 characters, not a common or easily guessed
password, no composition rules; the refusal names the form's field."""

from __future__ import annotations

import pytest

from server.auth.passwords import check_new_password
from server.errors import InvalidInput


@pytest.mark.parametrize(
    "password",
    ["password1234", "qwertyuiop12", "123456789012", "iloveyou1234", "Password1234!", "aaaaaaaaaaaa"],
)
def test_a_common_or_patterned_password_is_refused_whatever_its_length(password: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_new_password(password, field="new_password")
    assert refused.value.message.startswith("new_password:") and "too common" in refused.value.message


@pytest.mark.parametrize("password", ["short pass", "x" * 11, "a quiet ward at dawn " * 7])
def test_a_password_shorter_than_12_or_longer_than_128_characters_is_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_new_password(password, field="temporary_password")
    assert refused.value.message == "temporary_password: use 12 to 128 characters."


@pytest.mark.parametrize(
    "password",
    ["a quiet ward at dawn", "blue kettle whistles", "correct horse battery", "lowercase only words"],
)
def test_a_sentence_of_ones_own_words_is_accepted_without_digits_capitals_or_symbols(password: str) -> None:
    check_new_password(password, field="new_password")


def test_the_accounts_own_name_does_not_make_a_password() -> None:
    check_new_password("adalindfenwick", field="new_password")
    with pytest.raises(InvalidInput):
        check_new_password("adalindfenwick", field="new_password", context=("adalind", "Adalind Fenwick"))


def test_the_longest_password_is_checked_in_good_time() -> None:
    check_new_password("the night nurse hums softly " * 4 + "ok", field="new_password")
