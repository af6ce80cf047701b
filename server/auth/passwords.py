"""Password and PIN hashing with Argon2id (argon2-cffi), never stored in clear; the one rule a new
password must meet."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from server.errors import InvalidInput

_default = PasswordHasher()
_cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)


def hash_password(password: str, *, cheap: bool = False) -> str:
    """`cheap` is for test fixtures only: the same verify() accepts both kinds of hash."""
    return (_cheap if cheap else _default).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _default.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


DUMMY_HASH = _default.hash("no such user")
"""Verified against when the username is unknown, with the same Argon2 parameters as real accounts,
so an unknown username takes the same work as a wrong password (no username leaks by timing)."""


PASSWORD_LENGTH = range(12, 129)
"""NIST SP 800-63B: a minimum length (and a maximum that still fits any sentence), no composition rules."""
GUESSABLE_BELOW = 3
"""zxcvbn's score (0-4) under which a password is refused: 3 means about 10^8 guesses or more, past the
lists of common passwords, dictionary words, names, keyboard walks, repeats and sequences it checks."""
_estimator_lock = threading.Lock()
"""zxcvbn keeps the words of the current call in a module-level dictionary: one call at a time."""


def check_new_password(password: str, *, field: str, context: Iterable[str] = ()) -> None:
    """The one password rule, for a person's own password, a temporary one set by an administrator and
    the first administrator's: 12 to 128 characters, and not a common or easily guessed password (NIST SP
    800-63B's blocklist: zxcvbn's lists of common passwords, words and names, and patterns). `context`
    is what the account is known by (username, name), which must not make up the password either.
    Raises `InvalidInput` naming the form's `field`."""
    if len(password) not in PASSWORD_LENGTH:
        raise InvalidInput(f"{field}: use {PASSWORD_LENGTH.start} to {PASSWORD_LENGTH.stop - 1} characters.")
    words = [word for item in (*context, "bedside") for word in item.lower().replace(".", " ").split()]
    with _estimator_lock:
        estimate = zxcvbn(password, user_inputs=words, max_length=PASSWORD_LENGTH.stop - 1)
    if estimate["score"] < GUESSABLE_BELOW:
        raise InvalidInput(
            f"{field}: that password is too common or too easy to guess; a short sentence of your own "
            "words is easy to remember and hard to guess."
        )


PIN_SHAPE = re.compile(r"[0-9]{4,6}")
COMMON_PINS = frozenset(
    {"1212", "1004", "2000", "6969", "1122", "1313", "2580", "0852", "5683", "0007", "1010", "2001",
     "121212", "112233", "123123", "159753", "147258", "131313", "696969", "102030"}
)  # fmt: skip
"""The most used PINs that are neither one digit repeated nor a straight run (counts of leaked PIN lists:
pairs, a keypad column, years, words spelt on a keypad): the first an onlooker or a thief would try."""


def check_new_pin(pin: str, repeated: str) -> None:
    """The PIN rule: 4 to 6 digits, not one digit repeated, not a straight run up or down the digits
    (1234, 654321, 7890), not one of the most common PINs, and typed the same twice. A PIN only unlocks a
    tablet its owner signed in on with their password, and 5 wrong ones end that sign-in, so a short PIN
    is enough; an obvious one is not. Raises `InvalidInput` naming the form's field."""
    if not PIN_SHAPE.fullmatch(pin):
        raise InvalidInput("pin: use 4 to 6 digits (0 to 9), nothing else.")
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps == {0}:
        raise InvalidInput("pin: one digit repeated is the first PIN anyone tries; choose another.")
    if steps in ({1}, {9}):
        raise InvalidInput("pin: digits in a row (like 1234 or 4321) are easy to guess; choose another.")
    if pin in COMMON_PINS:
        raise InvalidInput("pin: that is one of the most common PINs; choose another.")
    if pin != repeated:
        raise InvalidInput("repeat_pin: the two PINs are not the same.")
