"""Password and PIN hashing with Argon2id (argon2-cffi), never stored in clear."""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

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
